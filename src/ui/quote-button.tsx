import { useEffect, useRef, useState } from 'preact/hooks';
import { newMessageId } from '../shared/message-id.ts';
import type { ChatItem, ViewToBackground } from '../shared/view-messages.ts';
import { pageHost } from './page-quote.tsx';
import type { QuotePreviewMessage } from './use-background.ts';
import './page-quote.css';

const composerBox = () => document.querySelector<HTMLTextAreaElement>('[data-testid=composer]');

/**
 * "Send quote" stays disabled this long after the preview shows: a click meant for "Quote
 * selection" (a double click, or a hostile page's lure asking for two) cannot also send.
 */
const ARM_MS = 500;

/**
 * "Quote selection": the background reads the page's selected text and shows it back cleaned (a
 * preview: text only); only "Send quote" sends it to the room, with what is typed in the composer
 * as its comment. One click sends nothing: the page controls the selection and can disguise this
 * button (docs/security.md). The box is emptied once the quote's line shows (our own line, by the
 * id made here), so when the background answers in words instead ("Select some text on the page
 * first"), or the member cancels, the comment is still there. `tabId`: the page tab (the popup's);
 * an overlay's own tab is known to the background. `preview`: the view's last quote-preview.
 */
export function QuoteButton({ send, roomId, items, tabId = null, preview = null }: { send: (msg: ViewToBackground) => void; roomId: string; items: ChatItem[]; tabId?: number | null; preview?: QuotePreviewMessage | null }) {
  const pending = useRef<{ id: string; text: string } | null>(null);
  /** The preview shown now: the answer to this button's last ask, until sent or cancelled. */
  const [shown, setShown] = useState<QuotePreviewMessage | null>(null);
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (preview && preview.roomId === roomId && pending.current?.id === preview.id) {
      setShown(preview);
      setArmed(false);
      const timer = setTimeout(() => setArmed(true), ARM_MS);
      return () => clearTimeout(timer);
    }
    return undefined;
  }, [preview, roomId]);
  useEffect(() => {
    const p = pending.current;
    if (!p || !items.some((i) => i.id === p.id)) return;
    pending.current = null;
    const box = composerBox();
    if (box && p.text && box.value === p.text) {
      box.value = '';
      box.dispatchEvent(new Event('input', { bubbles: true })); // the composer's own state follows
    }
  }, [items]);
  const quote = () => {
    const value = composerBox()?.value ?? '';
    const text = value.trim() ? value : '';
    const id = newMessageId();
    pending.current = { id, text };
    setShown(null);
    send({ type: 'quote-page', roomId, tabId, text, id });
  };
  const confirm = () => {
    if (!shown || !armed) return;
    send({ type: 'send-quote', roomId, id: shown.id });
    setShown(null);
  };
  const cancel = () => {
    pending.current = null;
    setShown(null);
  };
  if (shown) {
    // The passage first, the buttons under it (so "Send quote" is not where "Quote selection"
    // was), "Cancel" first; text nodes only (the page chose these words).
    return (
      <div class="pl-quote-preview" role="group" aria-labelledby="pl-quote-preview-title" data-testid="quote-preview">
        <p class="pl-hint" id="pl-quote-preview-title">Send this passage from <bdi>{pageHost(shown.quote.url)}</bdi>?</p>
        <blockquote class="pl-page-quote-text" dir="auto" data-testid="quote-preview-text">{shown.quote.text}</blockquote>
        <div class="pl-row">
          <button type="button" data-testid="cancel-quote" onClick={cancel}>Cancel</button>
          <button type="button" data-testid="send-quote" disabled={!armed} onClick={confirm}>Send quote</button>
        </div>
      </div>
    );
  }
  // mousedown would move the focus; the page's selection lives in the page's document and stays
  // either way, but keeping the focus where it was keeps the composer's caret too.
  return (
    <button type="button" class="pl-quote-button pl-link-button" data-testid="quote-selection"
      title="Show the text selected on the page, to send as a quote" onMouseDown={(e) => e.preventDefault()} onClick={quote}>
      Quote selection
    </button>
  );
}
