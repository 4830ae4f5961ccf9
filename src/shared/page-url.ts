import { MAX_PAGE_URL_CHARS } from './constants.ts';
import { err, ok, type Result } from './result.ts';

// docs/protocol.md "Normalising a page's address": one page, one address, whichever link brought
// its visitors, so they meet in one page room and one thread.

export type PageUrlErrorCode = 'NOT_A_PAGE' | 'TOO_LONG';
export interface PageUrlError {
  code: PageUrlErrorCode;
  message: string;
}

/** Parameters that say who sent a visitor, not which page it is (compared lower-cased). */
export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'mc_cid', 'mc_eid', 'igshid',
  '_ga', '_gl', 'ref', 'ref_src', 'ref_url', 'yclid', 'twclid', 'ttclid', 'li_fat_id', '_hsenc',
  '_hsmi', 'mkt_tok', 'oly_anon_id', 'oly_enc_id', 'vero_id', 's_cid', 'si',
]);

export function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMS.has(lower);
}

export function normalisePageUrl(input: string): Result<string, PageUrlError> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return err({ code: 'NOT_A_PAGE', message: 'Parley can only make a room for a web page (http or https).' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return err({ code: 'NOT_A_PAGE', message: 'Parley can only make a room for a web page (http or https).' });
  }
  // The parser already lowercased scheme and host, made an IDN host punycode and dropped a default port.
  url.username = '';
  url.password = '';
  url.hash = '';
  if (url.pathname !== '/') url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  const kept = [...url.searchParams].filter(([name]) => !isTrackingParam(name));
  // Array.prototype.sort is stable: parameters of one name keep their order.
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(kept).toString();
  url.search = query === '' ? '' : `?${query}`;
  const out = url.href;
  if (out.length > MAX_PAGE_URL_CHARS) {
    return err({ code: 'TOO_LONG', message: `This page's address is longer than ${MAX_PAGE_URL_CHARS} characters: Parley cannot make a room for it.` });
  }
  return ok(out);
}
