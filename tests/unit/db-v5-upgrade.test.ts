import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { openParleyDb, roomMessages, type MessageRecord } from '../../src/background/db.ts';
import { loadMemory } from '../../src/background/memory.ts';
import { trimRoom } from '../../src/background/retention.ts';
import { MIN_KEEP_PER_ROOM } from '../../src/shared/constants.ts';
import { testBackground } from './background-fixture.ts';

// review13c: an install at IndexedDB v4 (issue 13's direct path already on, "Don't store my
// messages on the relay" included) upgrades to v5 (db.ts: the sparse index byReceivedOnly).
// docs/protocol.md "Messages sent only directly": other members' direct-only lines "are kept
// apart ... retention neither counts them against the room's other lines nor deletes one of those
// to keep them". Lines a v4 install received that way have no `receivedOnly`, so after the upgrade
// they are not in the index and retention counts them as history.

const ROOM = 'r'.repeat(43);
const RELAY = 'ws://127.0.0.1:1';

/** The v4 schema, as db.ts made it before v5 (steps v1-v4). */
async function makeV4(name: string, lines: MessageRecord[]): Promise<void> {
  const db = await openDB(name, 4, {
    upgrade(d) {
      d.createObjectStore('rooms', { keyPath: 'roomId' });
      const messages = d.createObjectStore('messages', { keyPath: ['roomId', 'id'] });
      messages.createIndex('byOrder', ['roomId', 'order', 'id']);
      const outbox = d.createObjectStore('outbox', { keyPath: ['roomId', 'id'] });
      outbox.createIndex('byRoom', 'roomId');
      d.createObjectStore('settings');
      d.createObjectStore('identity');
      d.createObjectStore('senders', { keyPath: ['roomId', 'nick'] });
      messages.createIndex('byThread', ['thread', 'order', 'id']);
    },
  });
  await db.put('rooms', { roomId: ROOM, code: 'x', name: 'r', joinedAt: 0, lastSeq: MIN_KEEP_PER_ROOM, unread: 0, relayUrl: RELAY });
  for (const line of lines) await db.put('messages', line);
  db.close();
}

const numbered = (seq: number): MessageRecord => ({
  roomId: ROOM, id: `m${String(seq).padStart(5, '0')}`, seq, order: seq, mine: false, status: 'received', kind: 'message', nick: 'n', text: `line ${seq}`, sentAt: seq,
});
// How v4 stored another member's direct-only line: a local order after the numbered ones, no seq.
const receivedOnlyV4 = (k: number): MessageRecord => ({
  roomId: ROOM, id: `d${k}`, seq: null, order: MIN_KEEP_PER_ROOM + (k + 1) / 1024, mine: false, status: 'received', kind: 'message', nick: 'n', text: `only ${k}`, sentAt: 1000 + k,
  directOnly: true, directDigest: 'x',
});

describe('IndexedDB v4 -> v5', () => {
  it('keeps every line and the thread index', async () => {
    const name = `v4-${Math.random()}`;
    await makeV4(name, [numbered(1), { ...numbered(2), thread: 't1' }]);
    const db = await openParleyDb(name);
    expect((await roomMessages(db, ROOM)).map((m) => m.id)).toEqual(['m00001', 'm00002']);
    expect((await db.getAllFromIndex('messages', 'byThread')).map((m) => m.id)).toEqual(['m00002']);
    expect(await db.count('messages', undefined)).toBe(2);
    db.close();
  });

  it('a v4 direct-only line from another member does not push the numbered history out', async () => {
    const name = `v4-${Math.random()}`;
    const history = Array.from({ length: MIN_KEEP_PER_ROOM }, (_, i) => numbered(i + 1));
    await makeV4(name, [...history, receivedOnlyV4(0), receivedOnlyV4(1), receivedOnlyV4(2)]);
    const db = await openParleyDb(name);
    const { bg } = testBackground(db);
    bg.mem = await loadMemory(db);
    bg.mem.settings = { ...bg.mem.settings, keepPerRoom: MIN_KEEP_PER_ROOM };
    await trimRoom(bg, ROOM);
    const ids = new Set((await roomMessages(db, ROOM)).map((m) => m.id));
    expect(history.filter((m) => !ids.has(m.id)).map((m) => m.id)).toEqual([]);
    db.close();
  });
});
