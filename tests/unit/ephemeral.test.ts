import { describe, expect, it } from 'vitest';
import { deriveRoomKeys, sealMessage } from '../../src/shared/crypto.ts';
import { EPHEMERAL_FRESH_MS, openEphemeral, sealEphemeral, signedHere, verifiedHere, type Here } from '../../src/shared/ephemeral.ts';
import { fingerprint, newSigningKeys, publicKeyText } from '../../src/shared/identity.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';

// Expected answers from docs/protocol.md, "What is sealed in an ephemeral body".

const NOW = 1_800_000_000_000;
const PEER = 'p0123456789ABCDEF';
const OTHER_PEER = 'pFEDCBA9876543210';

async function identity() {
  const keys = await newSigningKeys();
  return { privateKey: keys.privateKey, publicKey: await publicKeyText(keys.publicKey) };
}

describe('sealed ephemeral bodies', () => {
  it('open in the room they were sealed for, as they were sealed', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const body = await sealEphemeral(keys, { v: 1, k: 'got', peer: PEER, at: NOW, seq: 42 });
    expect(await openEphemeral(keys, body, NOW)).toEqual({ v: 1, k: 'got', peer: PEER, at: NOW, seq: 42 });
  });

  it('a chat body never opens as an ephemeral one, nor the reverse (own additional data)', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const sealed = await sealMessage(keys, newMessageId(), { v: 1, text: 'hi', nick: 'Ana', sentAt: NOW });
    if (!sealed.ok) throw new Error('seal failed');
    expect(await openEphemeral(keys, sealed.value, NOW)).toBeNull();
  });

  it('does not open in another room', async () => {
    const a = await deriveRoomKeys(newRoomCode());
    const b = await deriveRoomKeys(newRoomCode());
    expect(await openEphemeral(b, await sealEphemeral(a, { v: 1, k: 'typing', peer: PEER, at: NOW }), NOW)).toBeNull();
  });

  it('is dropped when more than 30 s away from the receiver clock, either way', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const body = await sealEphemeral(keys, { v: 1, k: 'typing', peer: PEER, at: NOW });
    expect(EPHEMERAL_FRESH_MS).toBe(30_000);
    expect(await openEphemeral(keys, body, NOW + 30_000)).not.toBeNull();
    expect(await openEphemeral(keys, body, NOW + 30_001)).toBeNull();
    expect(await openEphemeral(keys, body, NOW - 30_001)).toBeNull();
  });

  it('drops malformed bodies: an unknown kind, a control character in a nickname, no or a bad peer id, garbage', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const bad = [
      { v: 1, k: 'shout', peer: PEER, at: NOW },
      { v: 1, k: 'here', peer: PEER, at: NOW, nick: 'A\u202Ena', ask: false },
      { v: 1, k: 'here', peer: PEER, at: NOW, nick: 'x'.repeat(41), ask: false },
      { v: 2, k: 'typing', peer: PEER, at: NOW },
      { v: 1, k: 'got', peer: PEER, at: NOW, seq: -1 },
      { v: 1, k: 'typing', at: NOW },
      { v: 1, k: 'got', peer: 'someone', at: NOW, seq: 1 },
    ];
    for (const body of bad) expect(await openEphemeral(keys, await sealEphemeral(keys, body as never), NOW)).toBeNull();
    expect(await openEphemeral(keys, 'not-a-body', NOW)).toBeNull();
  });

  it('a signed here is verified for the peer that sent it, and shows its fingerprint', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const me = await identity();
    const here = await signedHere(me, keys.roomId, PEER, 'Ana', true, NOW);
    const opened = (await openEphemeral(keys, await sealEphemeral(keys, here), NOW)) as Here;
    expect(await verifiedHere(keys.roomId, PEER, opened)).toEqual({ key: me.publicKey, fingerprint: await fingerprint(me.publicKey) });
  });

  it('a forged, replayed or unsigned here is not verified', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const ana = await identity();
    const mallory = await identity();
    const here = await signedHere(ana, keys.roomId, PEER, 'Ana', false, NOW);
    // Replayed under another peer id (a relay or a member re-sending it as someone else).
    expect(await verifiedHere(keys.roomId, OTHER_PEER, here)).toBeNull();
    // Another nickname under Ana's signature.
    expect(await verifiedHere(keys.roomId, PEER, { ...here, nick: 'Bob' })).toBeNull();
    // Ana's key claimed with Mallory's signature.
    const forged = await signedHere(mallory, keys.roomId, PEER, 'Ana', false, NOW);
    expect(await verifiedHere(keys.roomId, PEER, { ...forged, key: ana.publicKey })).toBeNull();
    // Another room.
    expect(await verifiedHere((await deriveRoomKeys(newRoomCode())).roomId, PEER, here)).toBeNull();
    // Unsigned.
    expect(await verifiedHere(keys.roomId, PEER, { v: 1, k: 'here', peer: PEER, at: NOW, nick: 'Ana', ask: false })).toBeNull();
  });
});
