import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openSqliteHistory } from '../../relay/sqlite-history.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomId } from './client.ts';

// A relay upgraded in place opens the file its previous version wrote (schema 1, no totals).
const SCHEMA_1 = `
  CREATE TABLE rooms (key INTEGER PRIMARY KEY, room TEXT NOT NULL UNIQUE, head INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL, active_at INTEGER NOT NULL);
  CREATE TABLE messages (room_key INTEGER NOT NULL REFERENCES rooms (key), seq INTEGER NOT NULL, id TEXT NOT NULL,
    sender TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (room_key, seq), UNIQUE (room_key, id));
  CREATE INDEX messages_by_time ON messages (at);
  PRAGMA user_version = 1;
`;

describe('history store upgrade', () => {
  it('counts a schema-1 file once on opening, then keeps the totals and applies the byte caps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-upgrade-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'relay.sqlite');
    const [one, two] = [newRoomId(), newRoomId()];
    const old = new Database(path);
    old.exec(SCHEMA_1);
    old.prepare('INSERT INTO rooms (key, room, head, created_at, active_at) VALUES (1, ?, 3, 0, 0), (2, ?, 1, 0, 0)').run(one, two);
    const insert = old.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)');
    // Stored size is the body's length + 64 (docs/protocol.md, "Storage quotas").
    for (const seq of [1, 2, 3]) insert.run(1, seq, newMessageId(), 'p0000000000000000', 'A'.repeat(936), seq);
    insert.run(2, 1, newMessageId(), 'p0000000000000000', 'B'.repeat(36), 4);
    old.close();

    const limits = { maxCount: 100, maxAgeMs: 1e12, roomMaxBytes: 2_000, storeMaxBytes: 1 << 30 };
    const history = openSqliteHistory(path, limits);
    // Room one held 3 000 bytes, over its 2 000-byte cap: its oldest message went at startup.
    expect(history.stats()).toEqual({ rooms: 2, messages: 3, bytes: 2 * 1_000 + 100 });
    expect(history.readAfter(one, 0, 10).map((m) => m.seq)).toEqual([2, 3]);
    history.append(two, { id: newMessageId(), from: 'p0000000000000000', body: 'C'.repeat(36) }, 5);
    expect(history.stats()).toEqual({ rooms: 2, messages: 4, bytes: 2_200 });
    history.close();
  });
  it('opens a schema-2 file (totals kept by an insert trigger) and counts each later append once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-upgrade-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'relay.sqlite');
    const room = newRoomId();
    const id = newMessageId();
    const limits = { maxCount: 100, maxAgeMs: 1e12, roomMaxBytes: 1 << 20, storeMaxBytes: 1 << 30 };
    const first = openSqliteHistory(path, limits);
    first.append(room, { id, from: 'p0000000000000000', body: 'A'.repeat(36) }, 1);
    first.close();
    // What version 2 left in the file: its insert trigger and its version number.
    const old = new Database(path);
    old.exec(`
      CREATE TRIGGER IF NOT EXISTS message_added AFTER INSERT ON messages BEGIN
        UPDATE rooms SET bytes = bytes + length(NEW.body) + 64, messages = messages + 1 WHERE key = NEW.room_key;
        UPDATE totals SET bytes = bytes + length(NEW.body) + 64, messages = messages + 1;
      END;
      PRAGMA user_version = 2;
    `);
    old.close();

    const history = openSqliteHistory(path, limits);
    // Stored size is the body's length + 64 (docs/protocol.md, "Storage quotas").
    expect(history.stats()).toEqual({ rooms: 1, messages: 1, bytes: 100 });
    // Dedup survives the upgrade: the same id is the original message, stored once.
    expect(history.append(room, { id, from: 'p0000000000000000', body: 'C'.repeat(36) }, 2)).toMatchObject({ duplicate: true, message: { seq: 1 } });
    history.append(room, { id: newMessageId(), from: 'p0000000000000000', body: 'B'.repeat(36) }, 2);
    expect(history.stats()).toEqual({ rooms: 1, messages: 2, bytes: 200 });
    history.close();
  });
});
