import { BASE32_ALPHABET, PAGE_ROOM_KDF_ITERATIONS, ROOM_CODE_RANDOM_CHARS } from './constants.ts';
import { base32CheckSymbol } from './base32.ts';
import { toBase64Url } from './base64url.ts';
import type { RoomCode } from './room-code.ts';

// docs/protocol.md "A public page room" and "Private per-page threads". Both take an address
// already normalised (page-url.ts); a raw address would split one page into many rooms.

const enc = new TextEncoder();
const PAGE_ROOM_SALT = enc.encode('parley/v1 page room');
const THREAD_SALT = enc.encode('parley/v1 page thread');

/**
 * The public room of a page: an ordinary room code, so joining, keys and history are those of any
 * room. Slow on purpose (PBKDF2, PAGE_ROOM_KDF_ITERATIONS), so turning guessed addresses into room
 * ids costs a relay about half a second each. `iterations` is for tests only.
 */
export async function pageRoomCode(normalisedUrl: string, iterations = PAGE_ROOM_KDF_ITERATIONS): Promise<RoomCode> {
  const password = await crypto.subtle.importKey('raw', enc.encode(normalisedUrl), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: PAGE_ROOM_SALT, iterations },
    password,
    120,
  ));
  let body = '';
  for (let i = 0; i < ROOM_CODE_RANDOM_CHARS; i++) {
    // Symbol i is bits 5i..5i+4, most significant first; they may straddle two bytes.
    const at = i * 5;
    const pair = (bits[at >> 3]! << 8) | (bits[(at >> 3) + 1] ?? 0);
    body += BASE32_ALPHABET[(pair >> (11 - (at & 7))) & 31];
  }
  return (body + base32CheckSymbol(body)) as RoomCode;
}

/** The HMAC key of a room's per-page threads: from its code, so only its members can make it. */
export async function threadKey(code: RoomCode): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey('raw', enc.encode(code), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: THREAD_SALT, info: enc.encode('thread-key') },
    ikm,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign'],
  );
}

/** A page's thread id in one room: indexes its lines on this device, never sent. */
export async function pageThreadId(key: CryptoKey, normalisedUrl: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(normalisedUrl))));
}
