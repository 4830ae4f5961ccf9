import { MAX_PAGE_TITLE_CHARS, UNSAFE_NAME_CHARS } from '../shared/constants.ts';
import { headChars, wellFormed } from '../shared/cut-text.ts';
import { normalisePageUrl } from '../shared/page-url.ts';
import type { PageRef } from '../shared/view-messages.ts';

const UNSAFE = new RegExp(UNSAFE_NAME_CHARS.source, 'g');

/**
 * The page a view asks to send a thread line about, as it is sealed: the address normalised (so
 * every member's thread for the page is one), the title without control characters, cut to the
 * limit. A view's page that is not a web page sends no page (the line goes to the room).
 */
export function sealedPage(page: unknown): PageRef | undefined {
  if (typeof page !== 'object' || page === null) return undefined;
  const { url, title } = page as { url?: unknown; title?: unknown };
  const normal = normalisePageUrl(typeof url === 'string' ? url : '');
  if (!normal.ok) return undefined;
  const shown = typeof title === 'string' ? headChars(wellFormed(title.replace(UNSAFE, '').trim()), MAX_PAGE_TITLE_CHARS) : '';
  return { url: normal.value, title: shown };
}
