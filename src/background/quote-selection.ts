import { MAX_PAGE_URL_CHARS, MAX_QUOTE_CHARS, MAX_QUOTE_CONTEXT_CHARS } from '../shared/constants.ts';
import { headChars, tailChars, wellFormed } from '../shared/cut-text.ts';
import type { PageQuote } from '../shared/view-messages.ts';

// docs/protocol.md "A quoted passage", rules 2 to 5: what the background keeps of a page's
// answer to get-selection. The page's own script can change the selection and the address (pushState)
// under the content script, so every field is treated as hostile.

/** The quote to send, or why there is none, in words. */
export type SelectionResult =
  | { ok: true; quote: PageQuote }
  | { ok: false; code: 'NO_SELECTION' | 'NO_PAGE'; message: string };

export const NOTHING_SELECTED = 'Select some text on the page first';
export const CANNOT_QUOTE_PAGE = 'Parley cannot quote this page.';

const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
// A lone surrogate (half of a pair, which a page's script can make) becomes U+FFFD.
const noControls = (s: string) => wellFormed(s).replace(/\r\n?/g, '\n').replace(CONTROLS, '');

/** Control characters (tab and line breaks kept), space runs, spaces at line ends, blank-line runs. */
export function cleanPageText(s: string): string {
  return noControls(s)
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The start of `text`, at most `max` characters, cut after a whole word where there is one, else
 * between two whole characters (never inside a surrogate pair).
 */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max + 1);
  const at = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\n'));
  return (at > 0 ? text.slice(0, at) : headChars(text, max)).trimEnd();
}

/**
 * Where `raw` stops holding `cleaned`'s start `kept` (cleanPageText only drops or merges white
 * space, so the non-space characters of both are the same, in the same order).
 */
function rawEnd(raw: string, kept: string): number {
  let left = kept.replace(/\s/g, '').length;
  let i = 0;
  for (; i < raw.length && left > 0; i++) if (!/\s/.test(raw[i]!)) left--;
  return i;
}

/**
 * `answer`: what the content script sent; `pageUrl`: the address the browser recorded for the
 * host script's port (its origin is the only one accepted).
 */
export function quoteFromSelection(answer: { text: string; url: string; prefix: string; suffix: string }, pageUrl: string | undefined): SelectionResult {
  const url = sameOriginPage(answer.url, pageUrl);
  if (url === null) return { ok: false, code: 'NO_PAGE', message: CANNOT_QUOTE_PAGE };
  const whole = wholeWords(noControls(answer.prefix), noControls(answer.text), noControls(answer.suffix));
  const full = cleanPageText(whole.text);
  if (full.length === 0) return { ok: false, code: 'NO_SELECTION', message: NOTHING_SELECTED };
  const text = cutAtWord(full, MAX_QUOTE_CHARS);
  // Rule 3: the words cut off lead the suffix as the page has them (the raw rest and the raw
  // suffix, cleaned once: no space is added where the page has none).
  const after = text.length < full.length ? whole.text.slice(rawEnd(whole.text, text)) + whole.suffix : whole.suffix;
  const prefix = tailChars(cleanPageText(whole.prefix), MAX_QUOTE_CONTEXT_CHARS);
  const suffix = headChars(cleanPageText(after), MAX_QUOTE_CONTEXT_CHARS);
  return { ok: true, quote: { text, url, prefix, suffix } };
}

const words = new Intl.Segmenter(undefined, { granularity: 'word' });

/** Rule 2: a word cut by either edge of the selection is taken whole into the text. */
export function wholeWords(prefix: string, text: string, suffix: string): { prefix: string; text: string; suffix: string } {
  if (text.length === 0) return { prefix, text, suffix };
  const head = crossing(prefix + text, prefix.length);
  if (head) {
    text = prefix.slice(head.start) + text;
    prefix = prefix.slice(0, head.start);
  }
  const tail = crossing(text + suffix, text.length);
  if (tail) {
    const n = tail.end - text.length;
    text += suffix.slice(0, n);
    suffix = suffix.slice(n);
  }
  return { prefix, text, suffix };
}

/** The word segment of `s` that starts before `at` and ends after it, if any. */
function crossing(s: string, at: number): { start: number; end: number } | null {
  if (at <= 0 || at >= s.length) return null;
  const seg = words.segment(s).containing(at);
  if (!seg || !seg.isWordLike || seg.index >= at) return null;
  return { start: seg.index, end: seg.index + seg.segment.length };
}

/** The page's http(s) address without its fragment, if it is on `pageUrl`'s origin and short enough. */
function sameOriginPage(claimed: string, pageUrl: string | undefined): string | null {
  let url: URL, page: URL;
  try {
    url = new URL(claimed);
    page = new URL(pageUrl ?? '');
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.origin !== page.origin) return null;
  url.hash = '';
  const href = url.href;
  return href.length <= MAX_PAGE_URL_CHARS && !/\s/.test(href) ? href : null;
}
