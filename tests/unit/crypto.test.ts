import { describe, expect, it } from 'vitest';
import { MAX_PAGE_URL_CHARS, MAX_QUOTE_CHARS, MAX_TEXT_CHARS, ROOM_ID_LENGTH } from '../../src/shared/constants.ts';
import { deriveRoomKeys, openMessage, sealMessage, type ChatPlaintext } from '../../src/shared/crypto.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';

const plain: ChatPlaintext = { v: 1, text: 'meet at 6 🌆', nick: 'Ana', sentAt: 1_700_000_000_000 };

async function sealed() {
  const code = newRoomCode();
  const keys = await deriveRoomKeys(code);
  const id = newMessageId();
  const body = await sealMessage(keys, id, plain);
  if (!body.ok) throw new Error('seal failed');
  return { code, keys, id, body: body.value };
}

describe('room keys and sealed messages', () => {
  it('derive the same room id and a working key from the same code, on any device', async () => {
    const { code, keys, id, body } = await sealed();
    const again = await deriveRoomKeys(code);
    expect(again.roomId).toBe(keys.roomId);
    expect(keys.roomId).toHaveLength(ROOM_ID_LENGTH);
    expect(keys.roomId).not.toContain(code);
    expect(await openMessage(again, keys.roomId, id, body)).toEqual({ ok: true, value: plain });
  });

  it('keep the key away from code that could export it', async () => {
    const { keys } = await sealed();
    expect(keys.key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', keys.key)).rejects.toThrow();
  });

  it('use a fresh IV, so the same text never seals the same way twice', async () => {
    const { keys, id } = await sealed();
    const a = await sealMessage(keys, id, plain);
    const b = await sealMessage(keys, id, plain);
    expect(a.ok && b.ok && a.value !== b.value).toBe(true);
  });

  it('refuse a body moved to another room, given another id, or altered', async () => {
    const { keys, id, body } = await sealed();
    const other = await deriveRoomKeys(newRoomCode());
    expect(await openMessage(keys, other.roomId, id, body)).toMatchObject({ ok: false, error: { code: 'OPEN_FAILED' } });
    expect(await openMessage(other, other.roomId, id, body)).toMatchObject({ ok: false, error: { code: 'OPEN_FAILED' } });
    expect(await openMessage(keys, keys.roomId, newMessageId(), body)).toMatchObject({ ok: false, error: { code: 'OPEN_FAILED' } });
    const flipped = body.slice(0, 30) + (body[30] === 'A' ? 'B' : 'A') + body.slice(31);
    expect(await openMessage(keys, keys.roomId, id, flipped)).toMatchObject({ ok: false, error: { code: 'OPEN_FAILED' } });
  });

  it('refuse a sealed nickname with direction overrides, as a modified peer could send', async () => {
    const { keys } = await sealed();
    const id = newMessageId();
    const body = await sealMessage(keys, id, { ...plain, nick: '\u202Eecila' });
    expect(body.ok).toBe(true);
    if (body.ok) expect(await openMessage(keys, keys.roomId, id, body.value)).toMatchObject({ ok: false, error: { code: 'MALFORMED' } });
  });

  it('answer garbage with a typed error, never an exception', async () => {
    const { keys, id } = await sealed();
    for (const junk of ['', 'a', '!!!!', 'A'.repeat(10), 'A'.repeat(100)]) {
      const opened = await openMessage(keys, keys.roomId, id, junk);
      expect(opened.ok).toBe(false);
    }
  });

  it('refuse to seal more than a message may hold', async () => {
    const { keys, id } = await sealed();
    const long = await sealMessage(keys, id, { ...plain, text: 'x'.repeat(MAX_TEXT_CHARS + 1) });
    expect(long).toMatchObject({ ok: false, error: { code: 'TOO_LONG' } });
    const max = await sealMessage(keys, id, { ...plain, text: '😀'.repeat(MAX_TEXT_CHARS / 2) });
    expect(max.ok).toBe(true);
  });

  it('seal a quote within the same bound as the text (protocol.md, Field formats), and say so in words beyond it', async () => {
    const { keys, id } = await sealed();
    const quote = { text: '€'.repeat(MAX_QUOTE_CHARS), url: `https://example.org/${'p'.repeat(MAX_PAGE_URL_CHARS - 20)}`, prefix: '', suffix: '' };
    const withQuote = await sealMessage(keys, id, { ...plain, text: 'a short comment', quote });
    expect(withQuote.ok).toBe(true);
    const tooMuch = await sealMessage(keys, id, { ...plain, text: '€'.repeat(MAX_TEXT_CHARS), quote });
    expect(tooMuch).toMatchObject({ ok: false, error: { code: 'TOO_LONG', message: expect.stringContaining('quote') } });
  });
});
