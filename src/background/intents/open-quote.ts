import browser from 'webextension-polyfill';
import { textFragmentUrl } from '../../shared/text-fragment.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';

export const QUOTE_GONE = 'That quote is no longer here.';
export const CANNOT_OPEN_QUOTE = "Parley cannot open this quote's page.";

/**
 * A click on a line's quote: a new tab on the quoted page, at the passage (a text fragment:
 * docs/protocol.md "Opening a quote"). The quote is read from this device's copy of the line, not
 * from the view, and only an http(s) address is opened (the sealed body's schema allows no other,
 * checked again here because this is where a tab opens). Chromium scrolls a tab the extension
 * creates to a text fragment and highlights it (tests/browser/quote-page.test.ts), so nothing is
 * injected into that page. When it opens nothing, the view is told why in words.
 */
export async function openQuote(bg: Background, msg: Extract<ViewToBackground, { type: 'open-quote' }>, view: ViewPort): Promise<void> {
  const line = typeof msg.roomId === 'string' && typeof msg.id === 'string' ? await bg.db.get('messages', [msg.roomId, msg.id]) : undefined;
  const quote = line && !line.deleted ? line.quote : undefined;
  if (!quote) {
    bg.post(view, { type: 'error', code: 'NO_PAGE', message: QUOTE_GONE });
    return;
  }
  let url: URL | null = null;
  try {
    if (/^https?:\/\//i.test(quote.url)) url = new URL(textFragmentUrl(quote));
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    bg.post(view, { type: 'error', code: 'NO_PAGE', message: CANNOT_OPEN_QUOTE });
    return;
  }
  try {
    await browser.tabs.create({ url: url.href });
  } catch {
    bg.post(view, { type: 'error', code: 'NO_PAGE', message: CANNOT_OPEN_QUOTE });
  }
}
