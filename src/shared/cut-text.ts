// Cuts to a length in UTF-16 units (the unit every limit in docs/protocol.md counts) that never
// split a character outside the BMP: half of a surrogate pair is not text, and a text fragment or
// a URI component cannot be built from it (encodeURIComponent throws).

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** The start of `s`, at most `max` units, ending on a whole character. */
export function headChars(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = max > 0 && isHigh(s.charCodeAt(max - 1)) && isLow(s.charCodeAt(max)) ? max - 1 : max;
  return s.slice(0, end);
}

/** The end of `s`, at most `max` units, starting on a whole character. */
export function tailChars(s: string, max: number): string {
  if (s.length <= max) return s;
  const start = s.length - max;
  const from = isLow(s.charCodeAt(start)) && isHigh(s.charCodeAt(start - 1)) ? start + 1 : start;
  return s.slice(from);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `s` with every lone surrogate as U+FFFD (String.prototype.toWellFormed, for ES2022 targets). */
export const wellFormed = (s: string): string => s.replace(LONE_SURROGATE, '\uFFFD');
