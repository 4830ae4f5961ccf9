import { MAX_TEXT_CHARS } from '../../shared/constants.ts';
import { isMessageId, newMessageId } from '../../shared/message-id.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { askSelection } from '../page-selection.ts';
import { keepPreview } from '../quote-previews.ts';
import { quoteFromSelection } from '../quote-selection.ts';

/**
 * "Quote selection": asks the tab's overlay host for the page's selection, keeps what
 * docs/protocol.md "A quoted passage" allows of it, and shows it to the view as a preview
 * (quote-preview). Nothing is sent until the member confirms it (send-quote, send-quote.ts).
 * The wait for the page happens outside the serial queue (other intents and frames go on).
 */
export async function quotePage(bg: Background, msg: Extract<ViewToBackground, { type: 'quote-page' }>, view: ViewPort): Promise<void> {
  void previewQuote(bg, msg, view);
}

/** quotePage's work, awaitable: settles once the view has its preview or the reason in words. */
export async function previewQuote(bg: Background, msg: Extract<ViewToBackground, { type: 'quote-page' }>, view: ViewPort): Promise<void> {
  const comment = typeof msg.text === 'string' ? msg.text : '';
  if (comment.length > MAX_TEXT_CHARS) {
    bg.post(view, { type: 'error', code: 'BAD_MESSAGE', message: `Messages are limited to ${MAX_TEXT_CHARS.toLocaleString('en')} characters.` });
    return;
  }
  if (!bg.mem.rooms.has(msg.roomId)) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  // An overlay quotes its own tab, whatever it says; the popup names the page tab it is over.
  const tabId = view.kind === 'overlay' ? view.tabId : msg.tabId;
  const host = typeof tabId === 'number' ? bg.overlayHosts.get(tabId) : undefined;
  if (!host) {
    bg.post(view, { type: 'error', code: 'NO_PAGE', message: 'Open Parley on the page first ("Chat on this page"), then select text there.' });
    return;
  }
  const id = typeof msg.id === 'string' && isMessageId(msg.id) ? msg.id : newMessageId();
  const pageUrl = host.sender?.url;
  const answer = await askSelection(host);
  if (!answer) {
    bg.post(view, { type: 'error', code: 'NO_PAGE', message: 'The page did not answer. Reload it and open Parley on it again.' });
    return;
  }
  const result = quoteFromSelection(answer, pageUrl);
  if (!result.ok) {
    bg.post(view, { type: 'error', code: result.code, message: result.message });
    return;
  }
  keepPreview(bg, id, { roomId: msg.roomId, text: comment, quote: result.quote, at: Date.now() });
  bg.post(view, { type: 'quote-preview', roomId: msg.roomId, id, text: comment, quote: result.quote });
}
