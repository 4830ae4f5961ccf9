import { BASE32_ALPHABET, MESSAGE_ID_LENGTH } from './constants.ts';
import { encodeTimeBase32, randomBase32 } from './base32.ts';

export type MessageId = string & { readonly __brand: 'MessageId' };

const MESSAGE_ID_RE = new RegExp(`^[0-9A-HJKMNP-TV-Z]{${MESSAGE_ID_LENGTH}}$`);

let lastTime = -1;
let lastRandom = '';

/**
 * ULID-shaped: 48 bits of milliseconds then 80 random bits, so ids sort by creation time
 * and two senders never collide in practice. Within one millisecond (or if the clock steps
 * back) the random part counts up instead, so this sender's ids still sort in the order made:
 * the outbox is sent in id order.
 */
export function newMessageId(now = Date.now()): MessageId {
  if (now <= lastTime) {
    lastRandom = incrementBase32(lastRandom);
  } else {
    lastTime = now;
    lastRandom = randomBase32(16);
  }
  return (encodeTimeBase32(lastTime, 10) + lastRandom) as MessageId;
}

function incrementBase32(symbols: string): string {
  const digits = [...symbols].map((c) => BASE32_ALPHABET.indexOf(c));
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      break;
    }
    digits[i] = 0; // 80 bits overflowing inside one millisecond does not happen; wrap regardless.
  }
  return digits.map((d) => BASE32_ALPHABET[d]).join('');
}

export function isMessageId(value: string): value is MessageId {
  return MESSAGE_ID_RE.test(value);
}
