import { BASE32_ALPHABET, ROOM_CODE_GROUP, ROOM_CODE_LENGTH, ROOM_CODE_RANDOM_CHARS } from './constants.ts';
import { base32CheckSymbol, randomBase32 } from './base32.ts';
import { err, ok, type Result } from './result.ts';

/** A room code in canonical form: 24 base32 symbols, no separators, check symbol last. */
export type RoomCode = string & { readonly __brand: 'RoomCode' };

export type RoomCodeErrorCode = 'EMPTY' | 'BAD_CHARACTER' | 'WRONG_LENGTH' | 'TYPO';
export interface RoomCodeError {
  code: RoomCodeErrorCode;
  message: string;
}

export function newRoomCode(): RoomCode {
  const body = randomBase32(ROOM_CODE_RANDOM_CHARS);
  return (body + base32CheckSymbol(body)) as RoomCode;
}

/** For reading aloud and copying: groups of four joined by dashes. */
export function formatRoomCode(code: RoomCode): string {
  const groups: string[] = [];
  for (let i = 0; i < code.length; i += ROOM_CODE_GROUP) groups.push(code.slice(i, i + ROOM_CODE_GROUP));
  return groups.join('-');
}

/**
 * Accepts what people paste or type: upper or lower case, spaces and dashes anywhere, and Crockford's
 * look-alikes (O for 0, I and L for 1). Everything else is a typed error, caught before any
 * network traffic.
 */
export function parseRoomCode(input: string): Result<RoomCode, RoomCodeError> {
  if (typeof input !== 'string') return err({ code: 'EMPTY', message: 'Enter a room code.' });
  const cleaned = input
    .trim()
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (cleaned.length === 0) return err({ code: 'EMPTY', message: 'Enter a room code.' });
  for (const ch of cleaned) {
    if (!BASE32_ALPHABET.includes(ch)) {
      const shown = JSON.stringify(ch);
      return err({ code: 'BAD_CHARACTER', message: `Room codes never contain ${shown}. Check the code you were given.` });
    }
  }
  if (cleaned.length !== ROOM_CODE_LENGTH) {
    return err({
      code: 'WRONG_LENGTH',
      message: `A room code has ${ROOM_CODE_LENGTH} characters; this one has ${cleaned.length}.`,
    });
  }
  const body = cleaned.slice(0, -1);
  if (base32CheckSymbol(body) !== cleaned.at(-1)) {
    return err({ code: 'TYPO', message: 'That code has a typo: one character is wrong or two are swapped.' });
  }
  return ok(cleaned as RoomCode);
}
