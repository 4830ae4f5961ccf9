import { BASE32_ALPHABET } from './constants.ts';

/** Random Crockford base32 symbols; 256 is a multiple of 32, so `& 31` keeps them uniform. */
export function randomBase32(count: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(count));
  let out = '';
  for (const b of bytes) out += BASE32_ALPHABET[b & 31];
  return out;
}

/** Luhn mod N over base32: catches every single-symbol typo and most swaps of neighbours. */
export function base32CheckSymbol(symbols: string): string {
  const n = 32;
  let factor = 2;
  let sum = 0;
  for (let i = symbols.length - 1; i >= 0; i--) {
    let addend = factor * BASE32_ALPHABET.indexOf(symbols[i]!);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  return BASE32_ALPHABET[(n - (sum % n)) % n]!;
}

export function encodeTimeBase32(ms: number, symbols: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < symbols; i++) {
    out = BASE32_ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}
