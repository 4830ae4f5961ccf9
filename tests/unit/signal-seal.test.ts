import { describe, expect, it } from 'vitest';
import { deriveRoomKeys, sealMessage } from '../../src/shared/crypto.ts';
import { sealEphemeral } from '../../src/shared/ephemeral.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';
import { openSignal, sealSignal, type SignalPlaintext } from '../../src/shared/signal-seal.ts';

// Expected answers from docs/protocol.md, "What is sealed in a signal body".

const NOW = 1_800_000_000_000;
const A = 'p0123456789ABCDEF';
const B = 'pFEDCBA9876543210';
const C = 'p0000000000000000';
const offer: SignalPlaintext = { v: 1, kind: 'offer', from: A, to: B, at: NOW, data: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
const asB = { kind: 'offer' as const, from: A, me: B };

describe('sealed signal bodies', () => {
  it('open for the member they name, from the member they name, as sealed', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    expect(await openSignal(keys, await sealSignal(keys, offer), asB, NOW)).toEqual(offer);
  });

  it('hold no SDP text the relay could read', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const body = await sealSignal(keys, offer);
    expect(body).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(body).not.toContain('v=0');
  });

  it('a chat or ephemeral body never opens as a signal (own additional data)', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const chat = await sealMessage(keys, newMessageId(), { v: 1, text: JSON.stringify(offer), nick: 'Ana', sentAt: NOW });
    if (!chat.ok) throw new Error('seal failed');
    expect(await openSignal(keys, chat.value, asB, NOW)).toBeNull();
    expect(await openSignal(keys, await sealEphemeral(keys, { v: 1, k: 'typing', peer: A, at: NOW }), asB, NOW)).toBeNull();
  });

  it('does not open in another room', async () => {
    const a = await deriveRoomKeys(newRoomCode());
    const b = await deriveRoomKeys(newRoomCode());
    expect(await openSignal(b, await sealSignal(a, offer), asB, NOW)).toBeNull();
  });

  it('is dropped when re-addressed: another sender stamped, another recipient, another kind', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const body = await sealSignal(keys, offer);
    expect(await openSignal(keys, body, { ...asB, from: C }, NOW)).toBeNull();
    expect(await openSignal(keys, body, { ...asB, me: C }, NOW)).toBeNull();
    expect(await openSignal(keys, body, { ...asB, kind: 'answer' }, NOW)).toBeNull();
  });

  it('is dropped when more than 30 s away from the receiver clock, either way', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const body = await sealSignal(keys, offer);
    expect(await openSignal(keys, body, asB, NOW + 30_000)).toEqual(offer);
    expect(await openSignal(keys, body, asB, NOW - 30_000)).toEqual(offer);
    expect(await openSignal(keys, body, asB, NOW + 30_001)).toBeNull();
    expect(await openSignal(keys, body, asB, NOW - 30_001)).toBeNull();
  });

  it('is dropped when not exactly the shape: data empty or over 16,384 characters, a key more', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const open = async (p: object) => openSignal(keys, await sealSignal(keys, p as SignalPlaintext), asB, NOW);
    expect(await open({ ...offer, data: 'x'.repeat(16_384) })).not.toBeNull();
    expect(await open({ ...offer, data: 'x'.repeat(16_385) })).toBeNull();
    expect(await open({ ...offer, data: '' })).toBeNull();
    expect(await open({ ...offer, extra: 1 })).toBeNull();
    expect(await open({ ...offer, v: 2 })).toBeNull();
  });

  it('never throws on garbage', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    expect(await openSignal(keys, '', asB, NOW)).toBeNull();
    expect(await openSignal(keys, '!!!', asB, NOW)).toBeNull();
    expect(await openSignal(keys, 'A'.repeat(60), asB, NOW)).toBeNull();
  });
});
