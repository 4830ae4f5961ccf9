// The background's side of verified senders against an in-memory IndexedDB: the schema upgrade
// keeps an existing install's data, the identity is made once and survives a restart, and a
// message sent by one background is verified by another. Only the relay socket is a stand-in.
import { loadMemory } from '../../src/background/memory.ts';
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import type { Background, ViewPort } from '../../src/background/context.ts';
import { DEFAULT_SETTINGS, openParleyDb, roomMessages } from '../../src/background/db.ts';
import { ownIdentity } from '../../src/background/identity.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { deriveRoomKeys, type RoomKeys } from '../../src/shared/crypto.ts';
import { safetyCode } from '../../src/shared/identity.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { ClientToRelay } from '../../src/shared/protocol.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';
import { testBackground, type FakeSocket } from './background-fixture.ts';

let dbCount = 0;
const view = { port: null, kind: 'popup', watching: null, tabId: null } as unknown as ViewPort;

async function background(keys: RoomKeys, code: string, nickname: string) {
  const { bg } = testBackground(await openParleyDb(`identity-${++dbCount}`));
  bg.keys.set(keys.roomId, keys);
  const link = bg.links.open('ws://127.0.0.1:1');
  link.synced.add(keys.roomId);
  const { sent } = link.socket as unknown as FakeSocket;
  await bg.db.put('rooms', { roomId: keys.roomId, code, name: 'r', joinedAt: 0, lastSeq: 0, unread: 0, relayUrl: 'ws://127.0.0.1:1' });
  await bg.db.put('settings', { ...DEFAULT_SETTINGS, nickname, relayUrl: 'ws://127.0.0.1:1' }, 'settings');
  bg.mem = await loadMemory(bg.db); // as a worker start does, after the writes above
  /** Types a message and returns the frame that went to the relay, as the relay would deliver it. */
  const say = async (text: string, seq: number) => {
    await sendMessage(bg, { type: 'send-message', roomId: keys.roomId, text, id: newMessageId() }, view);
    const frame = sent.pop();
    if (frame?.type !== 'CHATMSG') throw new Error('nothing sent');
    return { ...frame, from: 'p0000000000000000', seq, at: 1 };
  };
  return { bg, link, say };
}

describe('verified senders in the background', () => {
  it('upgrades a version 1 database without losing its rooms, history or outbox', async () => {
    const name = `upgrade-${++dbCount}`;
    // Version 1 as it shipped: created by hand here, not by the code under test.
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('rooms', { keyPath: 'roomId' });
        db.createObjectStore('messages', { keyPath: ['roomId', 'id'] }).createIndex('byOrder', ['roomId', 'order', 'id']);
        db.createObjectStore('outbox', { keyPath: ['roomId', 'id'] }).createIndex('byRoom', 'roomId');
        db.createObjectStore('settings');
      },
    });
    await v1.put('rooms', { roomId: 'r1', code: 'C', name: 'Old room', joinedAt: 1, lastSeq: 4, unread: 2 });
    await v1.put('messages', { roomId: 'r1', id: 'm1', kind: 'message', seq: 4, order: 4, mine: false, nick: 'Ana', text: 'old', sentAt: 1, status: 'received' });
    await v1.put('outbox', { roomId: 'r1', id: 'm2', body: 'sealed', queuedAt: 2 });
    await v1.put('settings', { nickname: 'Bob', relayUrl: 'wss://relay.test' }, 'settings');
    v1.close();

    const db = await openParleyDb(name);
    expect(db.version).toBe(5);
    expect(await db.get('rooms', 'r1')).toMatchObject({ name: 'Old room', lastSeq: 4, unread: 2, relayUrl: 'wss://relay.test' });
    expect((await roomMessages(db, 'r1')).map((m) => m.text)).toEqual(['old']);
    expect(await db.count('outbox')).toBe(1);
    expect(await db.get('settings', 'settings')).toEqual({ nickname: 'Bob', relayUrl: 'wss://relay.test' });
    expect([...db.objectStoreNames].sort()).toEqual(['identity', 'messages', 'outbox', 'rooms', 'senders', 'settings']);
  });

  it('makes one identity per installation, keeps it across a restart, and never lets its private key out', async () => {
    const name = `restart-${++dbCount}`;
    const first = await ownIdentity(await openParleyDb(name));
    const again = await ownIdentity(await openParleyDb(name)); // a new worker, a new database handle
    expect(again.publicKey).toBe(first.publicKey);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.privateKey.extractable).toBe(false);
    const other = await ownIdentity(await openParleyDb(`restart-${++dbCount}`));
    expect(other.publicKey).not.toBe(first.publicKey);
  });

  it('a message sent by one installation is shown by another as its nickname with its fingerprint; the safety codes match', async () => {
    const code = newRoomCode();
    const keys = await deriveRoomKeys(code);
    const ana = await background(keys, code, 'Ana');
    const bob = await background(keys, code, 'Bob');
    await onChatMessage(bob.bg, bob.link, await ana.say('hello Bob', 1));
    await onChatMessage(ana.bg, ana.link, await bob.say('hello Ana', 2));

    const anaId = await ownIdentity(ana.bg.db);
    const bobId = await ownIdentity(bob.bg.db);
    const atBob = (await roomMessages(bob.bg.db, keys.roomId)).find((m) => m.text === 'hello Bob')!;
    const atAna = (await roomMessages(ana.bg.db, keys.roomId)).find((m) => m.text === 'hello Ana')!;
    const code2 = await safetyCode(anaId.publicKey, bobId.publicKey);
    expect(atBob).toMatchObject({ nick: 'Ana', sender: { verified: true, key: anaId.publicKey, fingerprint: anaId.fingerprint, safetyCode: code2, otherKey: false } });
    expect(atAna).toMatchObject({ nick: 'Bob', sender: { verified: true, key: bobId.publicKey, fingerprint: bobId.fingerprint, safetyCode: code2, otherKey: false } });
    // Each side's own line carries its own fingerprint, so the two can be compared too.
    const ownAtAna = (await roomMessages(ana.bg.db, keys.roomId)).find((m) => m.text === 'hello Bob')!;
    expect(ownAtAna).toMatchObject({ mine: true, sender: { verified: true, fingerprint: anaId.fingerprint } });
  });

  it('a second installation using the same nickname is flagged, and stays flagged after a restart', async () => {
    const code = newRoomCode();
    const keys = await deriveRoomKeys(code);
    const ana = await background(keys, code, 'Ana');
    const mallory = await background(keys, code, 'Ana');
    const bob = await background(keys, code, 'Bob');
    await onChatMessage(bob.bg, bob.link, await ana.say('the real Ana', 1));
    await onChatMessage(bob.bg, bob.link, await mallory.say('also Ana, honestly', 2));
    const name = bob.bg.db.name;
    bob.bg.db.close();
    bob.bg.db = await openParleyDb(name);
    bob.bg.mem = await loadMemory(bob.bg.db); // the restart: memory is rebuilt from the database
    await onChatMessage(bob.bg, bob.link, await mallory.say('still Ana', 3));
    await onChatMessage(bob.bg, bob.link, await ana.say('the real Ana again', 4));
    const lines = await roomMessages(bob.bg.db, keys.roomId);
    expect(lines.map((m) => [m.text, m.sender?.verified && m.sender.otherKey])).toEqual([
      ['the real Ana', false], ['also Ana, honestly', true], ['still Ana', true], ['the real Ana again', false],
    ]);
  });
});
