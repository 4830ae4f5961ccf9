import browser from 'webextension-polyfill';
import { textFragmentUrl } from '../../shared/text-fragment.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';

/**
 * A click on a line's quote: a new tab on the quoted page, at the passage (a text fragment:
 * docs/protocol.md "Opening a quote"). The quote is read from this device's copy of the line, not
 * from the view, and only an http(s) address is opened (the sealed body's schema allows no other,
 * checked again here because this is where a tab opens). Chromium scrolls a tab the extension
 * creates to a text fragment and highlights it (tests/browser/quote-page.test.ts), so nothing is
 * injected into that page.
 */
export async function openQuote(bg: Background, msg: Extract<ViewToBackground, { type: 'open-quote' }>, _view: ViewPort): Promise<void> {
  if (typeof msg.roomId !== 'string' || typeof msg.id !== 'string') return;
  const line = await bg.db.get('messages', [msg.roomId, msg.id]);
  const quote = line && !line.deleted ? line.quote : undefined;
  if (!quote || !/^https?:\/\//i.test(quote.url)) return;
  let url: URL;
  try {
    url = new URL(textFragmentUrl(quote));
  } catch {
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
  await browser.tabs.create({ url: url.href });
}
