// Signing, verifying, fingerprints and safety codes (src/shared/identity.ts) and the sender rules
// (src/shared/identity-rules.ts). Expected values come from outside the code under test: RFC 8032
// test vectors, node:crypto's own SHA-256, and a bit-by-bit base32 written here from the rule
// "first N×5 bits, most significant first, Crockford alphabet".
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveRoomKeys, openMessage, sealMessage } from '../../src/shared/crypto.ts';
import {
  fingerprint, newSigningKeys, publicKeyText, safetyCode, signFields, verifyBytes, verifyFields, type SignedFields,
} from '../../src/shared/identity.ts';
import {
  checkIncoming, nicknameKey, senderLabel, signOutgoing, type SenderMemory, type SigningIdentity,
} from '../../src/shared/identity-rules.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';

const hex = (h: string) => Buffer.from(h, 'hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

// RFC 8032 section 7.1, tests 1 and 2.
const RFC_PK_1 = b64(hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'));
const RFC_SIG_1 = b64(hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'));
const RFC_PK_2 = b64(hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'));
const RFC_SIG_2 = b64(hex('92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'));

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The rule, written independently: bits as a string of 0s and 1s, cut into fives. */
function crockfordBits(bytes: Uint8Array, symbols: number): string {
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < symbols; i++) out += CROCKFORD[parseInt(bits.slice(i * 5, i * 5 + 5), 2)];
  return out.match(/.{4}/g)!.join('-');
}
const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

async function identity(): Promise<SigningIdentity> {
  const keys = await newSigningKeys();
  const publicKey = await publicKeyText(keys.publicKey);
  return { privateKey: keys.privateKey, publicKey, fingerprint: (await fingerprint(publicKey))! };
}

function memory(): SenderMemory & { firsts: Map<string, string> } {
  const firsts = new Map<string, string>();
  return {
    firsts,
    async claim(roomId, nick, key) {
      const k = `${roomId}|${nick}`;
      if (!firsts.has(k)) firsts.set(k, key);
      return firsts.get(k)!;
    },
  };
}

describe('signatures', () => {
  it('verify the RFC 8032 vectors and refuse them with one bit changed', async () => {
    expect(await verifyBytes(RFC_PK_1, RFC_SIG_1, new Uint8Array())).toBe(true);
    expect(await verifyBytes(RFC_PK_2, RFC_SIG_2, new Uint8Array([0x72]))).toBe(true);
    expect(await verifyBytes(RFC_PK_2, RFC_SIG_2, new Uint8Array([0x73]))).toBe(false);
    expect(await verifyBytes(RFC_PK_1, RFC_SIG_2, new Uint8Array([0x72]))).toBe(false);
  });

  it('refuse malformed keys and signatures without throwing', async () => {
    for (const [key, sig] of [['', RFC_SIG_1], ['!'.repeat(43), RFC_SIG_1], [RFC_PK_1, ''], [RFC_PK_1, RFC_SIG_1.slice(1)], [RFC_PK_1.slice(2), RFC_SIG_1]]) {
      expect(await verifyBytes(key!, sig!, new Uint8Array())).toBe(false);
    }
  });

  it('keep the private key inside WebCrypto', async () => {
    const keys = await newSigningKeys();
    expect(keys.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', keys.privateKey)).rejects.toThrow();
  });

  it('cover the room, the id, the key, the nickname, the text and the clock: changing any one fails', async () => {
    const me = await identity();
    const fields: SignedFields = { roomId: 'r'.repeat(43), messageId: newMessageId(), key: me.publicKey, nick: 'Ana', text: 'meet at 6', sentAt: 1_700_000_000_000 };
    const sig = await signFields(me.privateKey, fields);
    expect(await verifyFields(sig, fields)).toBe(true);
    const other = await identity();
    const changes: Partial<SignedFields>[] = [
      { roomId: 's'.repeat(43) }, { messageId: newMessageId() }, { key: other.publicKey }, { nick: 'Bob' },
      { text: 'meet at 7' }, { sentAt: 1_700_000_000_001 },
      // Moving text between fields must not keep the signature valid either.
      { nick: 'Anameet at 6', text: '' },
    ];
    for (const change of changes) expect(await verifyFields(sig, { ...fields, ...change })).toBe(false);
  });
});

describe('fingerprints and safety codes', () => {
  it('a fingerprint is the first 40 bits of SHA-256 of the raw key, in two groups of four', async () => {
    // SHA-256(RFC test 1 key) = 21fe31dfa1...: 00100 00111 11111 00011 00011 10111 11101 00001.
    expect(await fingerprint(RFC_PK_1)).toBe('47Z3-3QX1');
    expect(await fingerprint(RFC_PK_2)).toBe(crockfordBits(sha256(hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c')), 8));
    const me = await identity();
    expect(me.fingerprint).toBe(crockfordBits(sha256(Buffer.from(me.publicKey, 'base64url')), 8));
    expect(await fingerprint('not a key')).toBeNull();
  });

  it('a safety code is the same from both sides: SHA-256 over a label and both keys, smaller first, 100 bits', async () => {
    const label = Buffer.from('parley/v1 safety code');
    // RFC key 2 (3d...) sorts before RFC key 1 (d7...).
    const expected = crockfordBits(sha256(label, hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'), hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')), 20);
    expect(expected).toBe('J4B0-YTV5-7M1X-3EKB-CYCM');
    expect(await safetyCode(RFC_PK_1, RFC_PK_2)).toBe(expected);
    expect(await safetyCode(RFC_PK_2, RFC_PK_1)).toBe(expected);
    const third = await identity();
    expect(await safetyCode(RFC_PK_1, third.publicKey)).not.toBe(expected);
  });
});

describe('the sender rules', () => {
  const room = 'R'.repeat(43);

  async function signed(from: SigningIdentity, nick: string, text = 'hi', roomId = room, id = newMessageId()) {
    const { plaintext } = await signOutgoing(from, memory(), roomId, id, { text, nick, sentAt: 5 });
    return { id, plaintext };
  }

  it('a message signed by its key is verified, with that key\'s fingerprint and the shared safety code', async () => {
    const [ana, bob] = [await identity(), await identity()];
    const { id, plaintext } = await signed(ana, 'Ana');
    const check = await checkIncoming(bob.publicKey, memory(), room, id, plaintext);
    expect(check).toEqual({ verified: true, key: ana.publicKey, fingerprint: ana.fingerprint, safetyCode: await safetyCode(ana.publicKey, bob.publicKey), otherKey: false });
    expect(senderLabel({ mine: false, nick: 'Ana', sender: check })).toEqual({ name: 'Ana', flag: null, fingerprint: ana.fingerprint });
  });

  it('a message with no signature, or a copied key it cannot sign for, is unverified and not shown under its nickname', async () => {
    const [ana, mallory, bob] = [await identity(), await identity(), await identity()];
    const id = newMessageId();
    const copied = await signOutgoing(mallory, memory(), room, id, { text: 'send money', nick: 'Ana', sentAt: 5 });
    const posing = { ...copied.plaintext, key: ana.publicKey };
    const checks = [
      await checkIncoming(bob.publicKey, memory(), room, id, posing),
      await checkIncoming(bob.publicKey, memory(), room, id, { v: 1, text: 'hi', nick: 'Ana', sentAt: 5 }),
    ];
    for (const check of checks) {
      expect(check).toEqual({ verified: false });
      expect(senderLabel({ mine: false, nick: 'Ana', sender: check }).name).toBe('Unverified sender');
    }
    // Lines stored before signing existed carry no check at all: also not shown as their claim.
    expect(senderLabel({ mine: false, nick: 'Ana' }).name).toBe('Unverified sender');
  });

  it('a signature cannot be reused under another message id or in another room', async () => {
    const [ana, bob] = [await identity(), await identity()];
    const { plaintext } = await signed(ana, 'Ana');
    expect(await checkIncoming(bob.publicKey, memory(), room, newMessageId(), plaintext)).toEqual({ verified: false });
    const { id, plaintext: p2 } = await signed(ana, 'Ana');
    expect(await checkIncoming(bob.publicKey, memory(), 'S'.repeat(43), id, p2)).toEqual({ verified: false });
  });

  it('flags a nickname first seen under another key, in the same room only, however it is cased or spaced', async () => {
    const [ana, mallory, bob] = [await identity(), await identity(), await identity()];
    const seen = memory();
    const first = await signed(ana, 'Ana');
    expect(await checkIncoming(bob.publicKey, seen, room, first.id, first.plaintext)).toMatchObject({ verified: true, otherKey: false });
    for (const nick of ['Ana', ' ana ', 'ＡＮＡ']) {
      const fake = await signed(mallory, nick);
      const check = await checkIncoming(bob.publicKey, seen, room, fake.id, fake.plaintext);
      expect(check).toMatchObject({ verified: true, key: mallory.publicKey, otherKey: true });
      expect(senderLabel({ mine: false, nick, sender: check })).toEqual({ name: nick, flag: '(another key than before)', fingerprint: mallory.fingerprint });
    }
    // The real Ana stays unflagged, and the same name in another room is another room's business.
    const again = await signed(ana, 'Ana');
    expect(await checkIncoming(bob.publicKey, seen, room, again.id, again.plaintext)).toMatchObject({ otherKey: false });
    const elsewhere = await signed(mallory, 'Ana', 'hi', 'S'.repeat(43));
    expect(await checkIncoming(bob.publicKey, seen, 'S'.repeat(43), elsewhere.id, elsewhere.plaintext)).toMatchObject({ otherKey: false });
    // No nickname claims no name.
    for (const who of [ana, mallory]) {
      const anon = await signed(who, '');
      expect(await checkIncoming(bob.publicKey, seen, room, anon.id, anon.plaintext)).toMatchObject({ verified: true, otherKey: false });
    }
  });

  it('keeps the first key it saw: if an impostor spoke first, the real owner of the name is the one flagged', async () => {
    const [ana, mallory, bob] = [await identity(), await identity(), await identity()];
    const seen = memory();
    const fake = await signed(mallory, 'Ana');
    expect(await checkIncoming(bob.publicKey, seen, room, fake.id, fake.plaintext)).toMatchObject({ otherKey: false });
    const real = await signed(ana, 'Ana');
    const check = await checkIncoming(bob.publicKey, seen, room, real.id, real.plaintext);
    // Flagged, but with her own fingerprint and safety code: comparing the code settles it.
    expect(check).toMatchObject({ verified: true, otherKey: true, fingerprint: ana.fingerprint, safetyCode: await safetyCode(ana.publicKey, bob.publicKey) });
  });

  it('our own nickname is remembered when we send, so someone else using it later is flagged', async () => {
    const [me, mallory] = [await identity(), await identity()];
    const seen = memory();
    const mine = await signOutgoing(me, seen, room, newMessageId(), { text: 'hi', nick: 'Ana', sentAt: 5 });
    expect(mine.sender).toEqual({ verified: true, key: me.publicKey, fingerprint: me.fingerprint, safetyCode: null, otherKey: false });
    expect(senderLabel({ mine: true, nick: 'Ana', sender: mine.sender })).toEqual({ name: 'You', flag: null, fingerprint: me.fingerprint });
    const fake = await signed(mallory, 'ana');
    expect(await checkIncoming(me.publicKey, seen, room, fake.id, fake.plaintext)).toMatchObject({ otherKey: true });
  });

  it('the signature travels inside the seal and comes out of it unchanged', async () => {
    const keys = await deriveRoomKeys(newRoomCode());
    const ana = await identity();
    const id = newMessageId();
    const { plaintext } = await signOutgoing(ana, memory(), keys.roomId, id, { text: 'sealed and signed', nick: 'Ana', sentAt: 5 });
    const body = await sealMessage(keys, id, plaintext);
    if (!body.ok) throw new Error('seal');
    const opened = await openMessage(keys, keys.roomId, id, body.value);
    expect(opened).toEqual({ ok: true, value: plaintext });
    if (!opened.ok) return;
    expect(await checkIncoming((await identity()).publicKey, memory(), keys.roomId, id, opened.value)).toMatchObject({ verified: true });
  });

  it('compares nicknames after NFKC, case folding and collapsed spaces', () => {
    expect(nicknameKey('  Ana   Maria ')).toBe('ana maria');
    expect(nicknameKey('ＡＮＡ')).toBe('ana');
    // Names that look the same are the same name: invisible characters do not make another one.
    for (const hidden of ['\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\u00AD', '\u2060', '\u034F', '\uFEFF']) {
      expect(nicknameKey(`Ali${hidden}ce`)).toBe('alice');
    }
    expect(nicknameKey('Strauß')).toBe(nicknameKey('STRAUSS'));
    expect(nicknameKey('Аna')).not.toBe('ana'); // Cyrillic А: another name (the fingerprint tells them apart)
  });
});
