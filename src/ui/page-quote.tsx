import type { PageQuote } from '../shared/view-messages.ts';
import './page-quote.css';

/** The page's host for the eye ("news.example"); the whole address is in the button's title. */
export function pageHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * A passage quoted from a page: the words as a block quote (text nodes only: the page chose them),
 * its site, and a button that opens the page at the passage (the background's open-quote).
 */
export function PageQuoteBlock({ id, quote, onOpen }: { id: string; quote: PageQuote; onOpen?: ((id: string) => void) | undefined }) {
  const host = pageHost(quote.url);
  return (
    <figure class="pl-page-quote" data-testid="page-quote">
      <blockquote class="pl-page-quote-text" dir="auto" cite={quote.url} data-testid="page-quote-text">{quote.text}</blockquote>
      <figcaption class="pl-page-quote-from">
        {onOpen ? (
          // The visible words are the whole name (axe: label-content-name-mismatch); the address is the title.
          <button class="pl-link-button" data-testid="open-quote" title={quote.url} onClick={() => onOpen(id)}>
            Open at this passage on <bdi data-testid="page-quote-host">{host}</bdi>
          </button>
        ) : <bdi data-testid="page-quote-host">{host}</bdi>}
      </figcaption>
    </figure>
  );
}
