// The signed bytes with and without the new fields (docs/protocol.md "Inside body" and "What a
// sealed body holds"): the expected byte strings are written here from the doc's wording.
import { describe, expect, it } from 'vitest';
import { deriveRoomKeys, isOneEmoji, openMessage, sealMessage, type ChatPlaintext } from '../../src/shared/crypto.ts';
import { fingerprint, newSigningKeys, publicKeyText, signedBytes, verifyBytes } from '../../src/shared/identity.ts';
import { checkIncoming, signOutgoing, type SigningIdentity } from '../../src/shared/identity-rules.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';

const enc = new TextEncoder();
const memory = { claim: async (_r: string, _n: string, k: string) => k };
async function identity(): Promise<SigningIdentity> {
  const keys = await newSigningKeys();
  const publicKey = await publicKeyText(keys.publicKey);
  return { privateKey: keys.privateKey, publicKey, fingerprint: (await fingerprint(publicKey))! };
}
const ROOM = 'R'.repeat(43);
const TARGET = newMessageId();

describe('signed bytes', () => {
  it('a message without the new fields is signed over the v1 bytes, as before', async () => {
    const ana = await identity();
    const id = newMessageId();
    const { plaintext } = await signOutgoing(ana, memory, ROOM, id, { text: 'hi', nick: 'Ana', sentAt: 5 });
    const v1 = enc.encode(`parley/v1 signed message\n${JSON.stringify([ROOM, id, ana.publicKey, 'Ana', 'hi', 5])}`);
    expect(await verifyBytes(ana.publicKey, plaintext.sig!, v1)).toBe(true);
    expect(plaintext).not.toHaveProperty('reply');
    expect(plaintext).not.toHaveProperty('ev');
    // An old peer's body (no new fields) checks as verified, so stored history keeps its names.
    expect(await checkIncoming((await identity()).publicKey, memory, ROOM, id, plaintext)).toMatchObject({ verified: true });
  });

  it('a reply and an event are signed over the v2 bytes', async () => {
    const ana = await identity();
    const id = newMessageId();
    const reply = await signOutgoing(ana, memory, ROOM, id, { text: 'yes', nick: 'Ana', sentAt: 6, reply: TARGET });
    const v2reply = enc.encode(`parley/v2 signed message\n${JSON.stringify([ROOM, id, ana.publicKey, 'Ana', 'yes', 6, TARGET, null])}`);
    expect(await verifyBytes(ana.publicKey, reply.plaintext.sig!, v2reply)).toBe(true);
    const react = await signOutgoing(ana, memory, ROOM, id, { text: '', nick: 'Ana', sentAt: 7, ev: { kind: 'react', target: TARGET, emoji: '👍' } });
    const v2react = enc.encode(`parley/v2 signed message\n${JSON.stringify([ROOM, id, ana.publicKey, 'Ana', '', 7, null, ['react', TARGET, '👍']])}`);
    expect(await verifyBytes(ana.publicKey, react.plaintext.sig!, v2react)).toBe(true);
    const del = await signOutgoing(ana, memory, ROOM, id, { text: '', nick: 'Ana', sentAt: 8, ev: { kind: 'delete', target: TARGET } });
    const v2del = enc.encode(`parley/v2 signed message\n${JSON.stringify([ROOM, id, ana.publicKey, 'Ana', '', 8, null, ['delete', TARGET, null]])}`);
    expect(await verifyBytes(ana.publicKey, del.plaintext.sig!, v2del)).toBe(true);
    expect(signedBytes({ roomId: ROOM, messageId: id, key: ana.publicKey, nick: 'Ana', text: '', sentAt: 8, ev: ['delete', TARGET, null] })).toEqual(v2del);
  });

  it('removing, adding or changing a new field breaks the signature', async () => {
    const ana = await identity();
    const me = (await identity()).publicKey;
    const id = newMessageId();
    const { plaintext } = await signOutgoing(ana, memory, ROOM, id, { text: 'yes', nick: 'Ana', sentAt: 6, reply: TARGET });
    const { reply: _r, ...stripped } = plaintext;
    expect(await checkIncoming(me, memory, ROOM, id, stripped)).toEqual({ verified: false });
    expect(await checkIncoming(me, memory, ROOM, id, { ...plaintext, reply: newMessageId() })).toEqual({ verified: false });
    const edit = await signOutgoing(ana, memory, ROOM, id, { text: 'new', nick: 'Ana', sentAt: 6, ev: { kind: 'edit', target: TARGET } });
    expect(await checkIncoming(me, memory, ROOM, id, edit.plaintext)).toMatchObject({ verified: true });
    expect(await checkIncoming(me, memory, ROOM, id, { ...edit.plaintext, ev: { kind: 'edit', target: newMessageId() } })).toEqual({ verified: false });
    const plain = await signOutgoing(ana, memory, ROOM, id, { text: 'new', nick: 'Ana', sentAt: 6 });
    expect(await checkIncoming(me, memory, ROOM, id, { ...plain.plaintext, ev: { kind: 'edit', target: TARGET } })).toEqual({ verified: false });
  });
});

describe('what opens', () => {
  const body = (p: Record<string, unknown>) => ({ v: 1, text: '', nick: 'Ana', sentAt: 1, ...p }) as ChatPlaintext;
  async function opens(p: ChatPlaintext): Promise<boolean> {
    const keys = await deriveRoomKeys(newRoomCode());
    const id = newMessageId();
    const sealed = await sealMessage(keys, id, p);
    return (await openMessage(keys, keys.roomId, id, sealed.ok ? sealed.value : '')).ok;
  }

  it('the combinations the doc allows open', async () => {
    expect(await opens(body({ text: 'hi', reply: TARGET }))).toBe(true);
    expect(await opens(body({ text: 'new text', ev: { kind: 'edit', target: TARGET } }))).toBe(true);
    expect(await opens(body({ ev: { kind: 'delete', target: TARGET } }))).toBe(true);
    expect(await opens(body({ ev: { kind: 'react', target: TARGET, emoji: '👍' } }))).toBe(true);
    expect(await opens(body({ ev: { kind: 'unreact', target: TARGET, emoji: '🇫🇷' } }))).toBe(true);
  });

  it('anything else does not', async () => {
    expect(await opens(body({ text: 'hi', reply: TARGET, ev: { kind: 'delete', target: TARGET } }))).toBe(false);
    expect(await opens(body({ ev: { kind: 'edit', target: TARGET } }))).toBe(false); // edit without text
    expect(await opens(body({ text: '   ', ev: { kind: 'edit', target: TARGET } }))).toBe(false);
    expect(await opens(body({ text: 'x', ev: { kind: 'delete', target: TARGET } }))).toBe(false);
    expect(await opens(body({ text: 'x', ev: { kind: 'react', target: TARGET, emoji: '👍' } }))).toBe(false);
    expect(await opens(body({ ev: { kind: 'react', target: TARGET } }))).toBe(false);
    expect(await opens(body({ ev: { kind: 'delete', target: TARGET, emoji: '👍' } }))).toBe(false);
    expect(await opens(body({ ev: { kind: 'pin', target: TARGET } }))).toBe(false);
    expect(await opens(body({ ev: { kind: 'delete', target: 'short' } }))).toBe(false);
    expect(await opens(body({ text: 'hi', reply: 'not an id' }))).toBe(false);
  });

  it('a reaction is one emoji of at most 16 UTF-16 units', () => {
    for (const ok of ['👍', '🎉', '❤️', '🇫🇷', '👩‍👩‍👧‍👦', '👍🏽']) expect(isOneEmoji(ok), ok).toBe(true);
    for (const bad of ['', 'a', '👍👍', 'ok', ':)', '👍a', '🏳️‍🌈'.repeat(2), '\u202e👍']) expect(isOneEmoji(bad), bad).toBe(false);
  });
});
