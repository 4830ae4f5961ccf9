import { describe, expect, it } from 'vitest';
import { textFragmentUrl } from '../../src/shared/text-fragment.ts';
import { cleanPageText, quoteFromSelection } from '../../src/background/quote-selection.ts';
import { sealedPage } from '../../src/background/page-ref.ts';

// Expected answers come from docs/protocol.md "A quoted passage" (and the text fragment draft it
// cites), not from the code: 300 characters, 4 edge words, 64 context characters, 1000 per quote.

const q = (text: string, prefix = '', suffix = '', url = 'https://example.org/a') => ({ text, url, prefix, suffix });

describe('text fragment URL (docs/protocol.md "Opening a quote")', () => {
  it('is the doc\'s example: separators of the directive percent-encoded, the old fragment dropped', () => {
    expect(textFragmentUrl(q('fox-like, & quick', 'The', 'jumps over', 'https://example.org/a#top')))
      .toBe('https://example.org/a#:~:text=The-,fox%2Dlike%2C%20%26%20quick,-jumps%20over');
  });

  it('leaves out an empty prefix or suffix with its dash', () => {
    expect(textFragmentUrl(q('brown fox'))).toBe('https://example.org/a#:~:text=brown%20fox');
    expect(textFragmentUrl(q('brown fox', 'quick'))).toBe('https://example.org/a#:~:text=quick-,brown%20fox');
    expect(textFragmentUrl(q('brown fox', '', 'jumps'))).toBe('https://example.org/a#:~:text=brown%20fox,-jumps');
  });

  it('collapses white space in every part', () => {
    expect(textFragmentUrl(q('  brown \t fox  ', ' the  quick ', ' jumps\t over '))).toBe('https://example.org/a#:~:text=the%20quick-,brown%20fox,-jumps%20over');
  });

  it('keeps at most the last 4 words of the prefix and the first 4 of the suffix, within their paragraph', () => {
    expect(textFragmentUrl(q('x', 'one two three four five six', 'a b c d e f')))
      .toBe('https://example.org/a#:~:text=three%20four%20five%20six-,x,-a%20b%20c%20d');
    expect(textFragmentUrl(q('x', 'Other paragraph.\nSame para', 'after it\nnext paragraph')))
      .toBe('https://example.org/a#:~:text=Same%20para-,x,-after%20it');
    expect(textFragmentUrl(q('x', 'Other paragraph.\n', '\nnext paragraph'))).toBe('https://example.org/a#:~:text=x');
  });

  it('gives a one-line passage of 300 characters whole, and one of 301 as a range of 4 words each side', () => {
    const words = (n: number, w = 'word') => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');
    const text = `${words(50)}`.slice(0, 299).replace(/ \S*$/, '').padEnd(299, 'z') + 'y'; // one line, 300 characters
    expect(text.length).toBe(300);
    expect(textFragmentUrl(q(text))).toBe(`https://example.org/a#:~:text=${encodeURIComponent(text)}`);
    const longer = `${text}x`;
    const ws = longer.split(' ');
    expect(textFragmentUrl(q(longer))).toBe(`https://example.org/a#:~:text=${encodeURIComponent(ws.slice(0, 4).join(' '))},${encodeURIComponent(ws.slice(-4).join(' '))}`);
  });

  it('gives a long one-line passage of at most 8 words whole', () => {
    const text = Array.from({ length: 8 }, () => 'x'.repeat(50)).join(' ');
    expect(textFragmentUrl(q(text))).toBe(`https://example.org/a#:~:text=${encodeURIComponent(text)}`);
  });

  it('makes a passage over several paragraphs a range: first 4 words of the first line, last 4 of the last', () => {
    expect(textFragmentUrl(q('Short first.\nA middle paragraph here.\nand the very last line ends here')))
      .toBe('https://example.org/a#:~:text=Short%20first.,last%20line%20ends%20here');
    expect(textFragmentUrl(q('one two three four five\n\nsix seven eight nine-ten')))
      .toBe('https://example.org/a#:~:text=one%20two%20three%20four,six%20seven%20eight%20nine%2Dten');
  });
});

describe('what the background keeps of a page\'s selection (docs/protocol.md "A quoted passage" rules 2-5)', () => {
  const page = 'https://news.example/story?id=7';
  const answer = (over: Partial<{ text: string; url: string; prefix: string; suffix: string }>) => ({ text: 'A passage.', url: page, prefix: '', suffix: '', ...over });

  it('cleans control characters and white space', () => {
    expect(cleanPageText(' a\u0000b \t\u00a0 c \r\n\r\n\r\n\n d\u001b ')).toBe('ab c\n\nd');
  });

  it('refuses an empty selection in words', () => {
    expect(quoteFromSelection(answer({ text: ' \n\t ' }), page)).toEqual({ ok: false, code: 'NO_SELECTION', message: 'Select some text on the page first' });
  });

  it('keeps the address without its fragment, on the origin the browser recorded, http(s) only', () => {
    const ok = quoteFromSelection(answer({ url: `${page}#section-2` }), `${page}#x`);
    expect(ok).toEqual({ ok: true, quote: { text: 'A passage.', url: page, prefix: '', suffix: '' } });
    // pushState may move within the origin; it is still that page's origin.
    expect(quoteFromSelection(answer({ url: 'https://news.example/other' }), page).ok).toBe(true);
    for (const url of ['https://evil.example/', 'javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'not a url', `https://news.example/${'a'.repeat(2048)}`]) {
      expect(quoteFromSelection(answer({ url }), page)).toEqual({ ok: false, code: 'NO_PAGE', message: 'Parley cannot quote this page.' });
    }
    expect(quoteFromSelection(answer({}), 'chrome://settings/').ok).toBe(false);
  });

  it('widens a selection that starts or ends inside a word to the whole word', () => {
    const r = quoteFromSelection(answer({ prefix: 'On the last night the light', text: 'house keeper count', suffix: 'ed forty-two ships' }), page);
    expect(r).toEqual({ ok: true, quote: { text: 'lighthouse keeper counted', url: page, prefix: 'On the last night the', suffix: 'forty-two ships' } });
    // At a space, or at punctuation, nothing moves.
    const s = quoteFromSelection(answer({ prefix: 'the ', text: 'lighthouse', suffix: ', keeper' }), page);
    expect(s).toEqual({ ok: true, quote: { text: 'lighthouse', url: page, prefix: 'the', suffix: ', keeper' } });
  });

  it('cuts a passage over 1000 characters after the last whole word, and keeps 64 characters of context', () => {
    const text = `${'abcd '.repeat(199)}abcd ghij`; // 999 characters, a space, then a word past 1000
    const r = quoteFromSelection(answer({ text, prefix: `${'p'.repeat(100)} end `, suffix: ` start ${'s'.repeat(100)}` }), page);
    if (!r.ok) throw new Error('refused');
    expect(r.quote.text).toBe(`${'abcd '.repeat(199)}abcd`);
    expect(r.quote.prefix).toBe(`${'p'.repeat(100)} end`.slice(-64));
    // What was cut off leads the suffix: the words that follow the passage quoted.
    expect(r.quote.suffix).toBe(`ghij start ${'s'.repeat(100)}`.slice(0, 64));
    const oneWord = quoteFromSelection(answer({ text: 'x'.repeat(1500) }), page);
    expect(oneWord.ok && oneWord.quote.text.length).toBe(1000);
  });

  it('keeps markup as text (it is only ever shown as text)', () => {
    const r = quoteFromSelection(answer({ text: '<img src=x onerror=alert(1)>' }), page);
    expect(r.ok && r.quote.text).toBe('<img src=x onerror=alert(1)>');
  });
});

// review11a: cuts that fell inside a character outside the BMP (an emoji: two UTF-16 units) left
// half of it, and a text fragment with a lone surrogate cannot be built (encodeURIComponent throws).
// protocol.md "A quoted passage" rules 3 and 4 cut by whole characters (code points).
describe('cuts by whole characters, the cut-off words as the page has them (review11a)', () => {
  const page = 'https://example.org/a';
  // Not the code's helper: a string that encodeURIComponent takes holds no lone surrogate.
  const isWellFormed = (s: string | undefined) => {
    try {
      encodeURIComponent(s ?? '');
      return true;
    } catch {
      return false;
    }
  };
  const ok = (r: ReturnType<typeof quoteFromSelection>) => {
    if (!r.ok) throw new Error(r.message);
    return r.quote;
  };

  it('a passage cut at MAX_QUOTE_CHARS: the cut-off words lead the suffix as the page has them', () => {
    const quote = ok(quoteFromSelection({ text: `${'word '.repeat(199)}word end`, url: page, prefix: '', suffix: '. Next sentence' }, page));
    expect(quote.suffix).toBe('end. Next sentence');
    expect(textFragmentUrl(quote)).toMatch(/,-end\.%20Next%20sentence$/);
  });

  it('a quote whose prefix is cut inside an emoji still opens at its passage', () => {
    const quote = ok(quoteFromSelection({ text: 'the passage', url: page, prefix: `${'\u{1F600}'.repeat(40)}x `, suffix: '' }, page));
    expect(isWellFormed(quote.prefix)).toBe(true);
    expect(() => textFragmentUrl(quote)).not.toThrow();
  });

  it('a suffix cut inside an emoji keeps whole characters, at most 64 units', () => {
    const quote = ok(quoteFromSelection({ text: 'the passage', url: page, prefix: '', suffix: ` x${'\u{1F600}'.repeat(40)}` }, page));
    expect(isWellFormed(quote.suffix)).toBe(true);
    expect(quote.suffix.length).toBeLessThanOrEqual(64);
    expect(quote.suffix).toBe(`x${'\u{1F600}'.repeat(31)}`);
  });

  it('a passage with no space (hard cut) over MAX_QUOTE_CHARS is cut between characters, the rest leads the suffix', () => {
    const text = `x${'\u{20BB7}'.repeat(600)}`; // 𠮷: a CJK ideograph outside the BMP, no spaces
    const quote = ok(quoteFromSelection({ text, url: page, prefix: '', suffix: '' }, page));
    expect(isWellFormed(quote.text)).toBe(true);
    expect(quote.text).toBe(`x${'\u{20BB7}'.repeat(499)}`);
    expect(quote.suffix).toBe('\u{20BB7}'.repeat(32));
    expect(() => textFragmentUrl(quote)).not.toThrow();
  });

  it('a lone surrogate from the page becomes U+FFFD', () => {
    const quote = ok(quoteFromSelection({ text: 'a\uD83D b', url: page, prefix: '\uDE00', suffix: '' }, page));
    expect(quote.text).toBe('a\uFFFD b');
    expect(quote.prefix).toBe('\uFFFD');
  });

  it('a page title cut at MAX_PAGE_TITLE_CHARS (200) keeps whole characters', () => {
    const page = sealedPage({ url: 'https://example.org/a', title: `x${'\u{1F600}'.repeat(150)}` });
    expect(isWellFormed(page?.title)).toBe(true);
    expect(page?.title).toBe(`x${'\u{1F600}'.repeat(99)}`);
  });
});
