import { MAX_TEXT_CHARS } from '../../shared/constants.ts';
import { sealMessage } from '../../shared/crypto.ts';
import { signOutgoing } from '../../shared/identity-rules.ts';
import { isMessageId, newMessageId } from '../../shared/message-id.ts';
import type { PageQuote, ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { PENDING_ORDER } from '../db.ts';
import { ownIdentity } from '../identity.ts';
import { memorySenders } from '../memory.ts';
import { queueOwnMessage } from '../messages.ts';
import { flushRoomOutbox } from '../outbox.ts';
import { askSelection } from '../page-selection.ts';
import { quoteFromSelection } from '../quote-selection.ts';
import { roomKeys } from '../room-keys.ts';

/**
 * "Quote selection": asks the tab's overlay host for the page's selection, keeps what
 * docs/protocol.md "A quoted passage" allows of it, and sends it sealed as the line's `quote`.
 * The wait for the page happens outside the serial queue (other intents and frames go on); the
 * sending is queued like every handler's work.
 */
export async function quotePage(bg: Background, msg: Extract<ViewToBackground, { type: 'quote-page' }>, view: ViewPort): Promise<void> {
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
  void askSelection(host).then((answer) => {
    if (!answer) {
      bg.post(view, { type: 'error', code: 'NO_PAGE', message: 'The page did not answer. Reload it and open Parley on it again.' });
      return;
    }
    const result = quoteFromSelection(answer, pageUrl);
    if (!result.ok) {
      bg.post(view, { type: 'error', code: result.code, message: result.message });
      return;
    }
    bg.run((bg) => sendQuote(bg, msg.roomId, id, comment, result.quote, view));
  });
}

async function sendQuote(bg: Background, roomId: string, id: string, text: string, quote: PageQuote, view: ViewPort): Promise<void> {
  const keys = await roomKeys(bg, roomId);
  if (!keys || !bg.mem.rooms.has(roomId)) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  const { nickname } = bg.mem.settings;
  const sentAt = Date.now();
  const { plaintext, sender } = await signOutgoing(await ownIdentity(bg.db), memorySenders(bg), roomId, id, { text, nick: nickname, sentAt, quote });
  const sealed = await sealMessage(keys, id, plaintext);
  if (!sealed.ok) {
    bg.post(view, { type: 'error', code: 'BAD_MESSAGE', message: sealed.error.message });
    return;
  }
  const isNew = await queueOwnMessage(bg, {
    roomId, id, kind: 'message', seq: null, order: PENDING_ORDER, mine: true,
    nick: nickname, text, sentAt, status: 'sending', sender, quote,
  }, sealed.value);
  if (isNew) await flushRoomOutbox(bg, roomId);
}
