import { MESSAGE_ID_LENGTH } from './constants.ts';
import { encodeTimeBase32, randomBase32 } from './base32.ts';

export type MessageId = string & { readonly __brand: 'MessageId' };

const MESSAGE_ID_RE = new RegExp(`^[0-9A-HJKMNP-TV-Z]{${MESSAGE_ID_LENGTH}}$`);

/**
 * ULID-shaped: 48 bits of milliseconds then 80 random bits, so ids sort by creation time
 * and two senders never collide in practice.
 */
export function newMessageId(now = Date.now()): MessageId {
  return (encodeTimeBase32(now, 10) + randomBase32(16)) as MessageId;
}

export function isMessageId(value: string): value is MessageId {
  return MESSAGE_ID_RE.test(value);
}
