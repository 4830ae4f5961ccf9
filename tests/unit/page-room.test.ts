import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveRoomKeys } from '../../src/shared/crypto.ts';
import { BASE32_ALPHABET, PAGE_ROOM_KDF_ITERATIONS } from '../../src/shared/constants.ts';
import { normalisePageUrl } from '../../src/shared/page-url.ts';
import { pageRoomCode, pageThreadId, threadKey } from '../../src/shared/page-room.ts';
import { parseRoomCode, newRoomCode } from '../../src/shared/room-code.ts';

// docs/protocol.md "A public page room" / "Private per-page threads". Tests use few iterations
// except where the documented count itself is checked.
const FAST = 1000;
const normal = (u: string) => {
  const r = normalisePageUrl(u);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

/** The documented derivation, written independently: node's PBKDF2, bits read as one big number. */
function expectedBody(url: string, iterations: number): string {
  const bytes = pbkdf2Sync(Buffer.from(url, 'utf8'), Buffer.from('parley/v1 page room', 'utf8'), iterations, 15, 'sha256');
  let n = BigInt(`0x${bytes.toString('hex')}`) >> 5n; // 120 bits, the first 115 of them
  let out = '';
  for (let i = 0; i < 23; i++) {
    out = BASE32_ALPHABET[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

describe('a page room code', () => {
  it('is the documented PBKDF2 output as an ordinary, valid room code', async () => {
    const url = 'https://news.example/story/42';
    const code = await pageRoomCode(url, FAST);
    expect(code.slice(0, 23)).toBe(expectedBody(url, FAST));
    expect(parseRoomCode(code)).toEqual({ ok: true, value: code });
  });

  it('uses the documented iteration count by default', async () => {
    expect(PAGE_ROOM_KDF_ITERATIONS).toBe(1_000_000);
    const url = 'https://news.example/';
    expect((await pageRoomCode(url)).slice(0, 23)).toBe(expectedBody(url, PAGE_ROOM_KDF_ITERATIONS));
  });

  it('is the same for links of one page (tracking parameters, fragment), different for another page', async () => {
    const a = await pageRoomCode(normal('https://news.example/story/42?utm_source=x#frag'), FAST);
    const b = await pageRoomCode(normal('https://news.example/story/42'), FAST);
    const c = await pageRoomCode(normal('https://news.example/story/43'), FAST);
    const d = await pageRoomCode(normal('https://news.example/story/42?id=1'), FAST);
    expect(a).toBe(b);
    expect(new Set([b, c, d]).size).toBe(3);
    expect((await deriveRoomKeys(a)).roomId).toBe((await deriveRoomKeys(b)).roomId);
  });
});

describe('a per-page thread id', () => {
  it('is the same for one room and one page, different across rooms and pages', async () => {
    const room = newRoomCode();
    const other = newRoomCode();
    const url = normal('https://news.example/story/42');
    const k1 = await threadKey(room);
    expect(await pageThreadId(k1, url)).toBe(await pageThreadId(await threadKey(room), url));
    expect(await pageThreadId(k1, url)).not.toBe(await pageThreadId(await threadKey(other), url));
    expect(await pageThreadId(k1, url)).not.toBe(await pageThreadId(k1, normal('https://news.example/story/43')));
    expect(await pageThreadId(k1, url)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is the documented HMAC under the HKDF key of the room code', async () => {
    const room = newRoomCode();
    const url = 'https://news.example/story/42';
    const enc = new TextEncoder();
    const ikm = await crypto.subtle.importKey('raw', enc.encode(room), 'HKDF', false, ['deriveBits']);
    const raw = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: enc.encode('parley/v1 page thread'), info: enc.encode('thread-key') }, ikm, 256);
    const { createHmac } = await import('node:crypto');
    const mac = createHmac('sha256', Buffer.from(raw)).update(url).digest('base64url');
    expect(await pageThreadId(await threadKey(room), url)).toBe(mac);
  });
});
