import { newMessageId } from '../shared/message-id.ts';
import type { ViewToBackground } from '../shared/view-messages.ts';

/**
 * "Quote selection": the page's selected text goes to the room as a quote, with what is typed in
 * the composer as its comment (taken from the box, which is then emptied). The background reads
 * the selection through the overlay's host script and says in words when there is none.
 * `tabId`: the page tab (the popup's); an overlay's own tab is known to the background.
 */
export function QuoteButton({ send, roomId, tabId = null }: { send: (msg: ViewToBackground) => void; roomId: string; tabId?: number | null }) {
  const quote = () => {
    const box = document.querySelector<HTMLTextAreaElement>('[data-testid=composer]');
    const text = box?.value.trim() ? box.value : '';
    send({ type: 'quote-page', roomId, tabId, text, id: newMessageId() });
    if (box && text) {
      box.value = '';
      box.dispatchEvent(new Event('input', { bubbles: true })); // the composer's own state follows
    }
  };
  // The selection must survive the click: a button takes no selection from the page (it is
  // another document), and mousedown is not allowed to move the focus out of the page's frame.
  return (
    <button type="button" class="pl-quote-button pl-link-button" data-testid="quote-selection"
      title="Send the text selected on the page as a quote" onMouseDown={(e) => e.preventDefault()} onClick={quote}>
      Quote selection
    </button>
  );
}
