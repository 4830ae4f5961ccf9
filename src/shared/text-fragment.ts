import { TEXT_FRAGMENT_EDGE_WORDS, TEXT_FRAGMENT_EXACT_CHARS } from './constants.ts';
import { wellFormed } from './cut-text.ts';
import type { PageQuote } from './view-messages.ts';

// The rules are docs/protocol.md "A quoted passage": "Opening a quote: the text fragment".

/** A URI component with the directive's own separators escaped too ('-'; ',' and '&' already are). */
// toWellFormed: a quote from an older sender may hold half of a surrogate pair (see cut-text.ts).
const part = (s: string) => encodeURIComponent(wellFormed(s)).replace(/-/g, '%2D');
const words = (s: string) => s.split(/\s+/).filter((w) => w.length > 0);

/** The page address of `quote` with a text directive that finds and highlights its passage. */
export function textFragmentUrl(quote: Pick<PageQuote, 'text' | 'url' | 'prefix' | 'suffix'>): string {
  const base = quote.url.split('#', 1)[0]!;
  const text = quote.text.trim();
  const all = words(text);
  const n = TEXT_FRAGMENT_EDGE_WORDS;
  let target: string;
  if (!/[\r\n]/.test(text) && (text.length <= TEXT_FRAGMENT_EXACT_CHARS || all.length <= 2 * n)) {
    target = part(all.join(' '));
  } else {
    const lines = text.split(/[\r\n]+/).filter((l) => words(l).length > 0);
    const start = words(lines[0]!).slice(0, n).join(' ');
    const end = words(lines[lines.length - 1]!).slice(-n).join(' ');
    target = `${part(start)},${part(end)}`;
  }
  const before = words(quote.prefix.split(/[\r\n]/).pop() ?? '').slice(-n).join(' ');
  const after = words(quote.suffix.split(/[\r\n]/, 1)[0] ?? '').slice(0, n).join(' ');
  return `${base}#:~:text=${before ? `${part(before)}-,` : ''}${target}${after ? `,-${part(after)}` : ''}`;
}
