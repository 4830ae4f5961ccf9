import { useEffect, useRef } from 'preact/hooks';
import { newMessageId } from '../shared/message-id.ts';
import type { ChatItem, ViewToBackground } from '../shared/view-messages.ts';

const composerBox = () => document.querySelector<HTMLTextAreaElement>('[data-testid=composer]');

/**
 * "Quote selection": the page's selected text goes to the room as a quote, with what is typed in
 * the composer as its comment. The box is emptied once the quote's line shows (our own line, by
 * the id made here), so when the background answers in words instead ("Select some text on the
 * page first"), the comment is still there. `tabId`: the page tab (the popup's); an overlay's own
 * tab is known to the background.
 */
export function QuoteButton({ send, roomId, items, tabId = null }: { send: (msg: ViewToBackground) => void; roomId: string; items: ChatItem[]; tabId?: number | null }) {
  const pending = useRef<{ id: string; text: string } | null>(null);
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
    send({ type: 'quote-page', roomId, tabId, text, id });
  };
  // mousedown would move the focus; the page's selection lives in the page's document and stays
  // either way, but keeping the focus where it was keeps the composer's caret too.
  return (
    <button type="button" class="pl-quote-button pl-link-button" data-testid="quote-selection"
      title="Send the text selected on the page as a quote" onMouseDown={(e) => e.preventDefault()} onClick={quote}>
      Quote selection
    </button>
  );
}
