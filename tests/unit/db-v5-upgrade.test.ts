import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { openParleyDb, roomMessages, type MessageRecord } from '../../src/background/db.ts';
import { MIN_KEEP_PER_ROOM } from '../../src/shared/constants.ts';

// An install at IndexedDB v4 upgrades to v5 (db.ts: the sparse indexes of direct-only lines) and
// keeps everything. No v4 install holds a direct-only line: the `only` flag came with v5, so the
// new indexes start empty and nothing needs filling in.

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
});
