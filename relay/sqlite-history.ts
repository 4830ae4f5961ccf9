import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { RoomIdText } from '../src/shared/protocol.ts';
import type { AppendResult, HistoryStore, NewMessage, RetentionLimits, StoredMessage } from './history-store.ts';

// One implementation for both durable files and ':memory:': tests then exercise the very SQL that
// production runs (dedup by a unique index, head kept apart from the trimmed messages).

const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS rooms (
    key        INTEGER PRIMARY KEY,
    room       TEXT NOT NULL UNIQUE,
    -- Kept here, not derived from messages, so trimming can never hand out an old seq again.
    head       INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    active_at  INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS messages (
    room_key INTEGER NOT NULL REFERENCES rooms (key),
    seq      INTEGER NOT NULL,
    id       TEXT NOT NULL,
    sender   TEXT NOT NULL,
    body     TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (room_key, seq),
    UNIQUE (room_key, id)
  );
  -- Expired rows are few between sweeps, so a global index on time finds them in any room cheaply.
  CREATE INDEX IF NOT EXISTS messages_by_time ON messages (at);
`;

interface RoomRow { key: number; head: number; epoch: number }
interface MessageRow { seq: number; id: string; sender: string; body: string; at: number }

export function openSqliteHistory(path: string, limits: RetentionLimits): HistoryStore {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL survives a process crash; only an OS crash can lose the last transactions.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true });
    if (typeof version === 'number' && version > SCHEMA_VERSION) {
      throw new Error(`${path} has schema version ${version}; this relay understands ${SCHEMA_VERSION}.`);
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return new SqliteHistory(db, limits);
  } catch (error) {
    db.close();
    throw error;
  }
}

class SqliteHistory implements HistoryStore {
  readonly #roomByName;
  readonly #insertRoom;
  readonly #touchRoom;
  readonly #bumpHead;
  readonly #messageById;
  readonly #insertMessage;
  readonly #trimRoomCount;
  readonly #trimRoomAge;
  readonly #readAfter;
  readonly #trimAllAge;
  readonly #trimAllCount;
  readonly #idleRooms;
  readonly #deleteRoom;
  readonly #stats;
  readonly #append;
  readonly #openRoom;

  constructor(
    private readonly db: Database.Database,
    private readonly limits: RetentionLimits,
  ) {
    this.#roomByName = db.prepare<[string], RoomRow>('SELECT key, head, created_at AS epoch FROM rooms WHERE room = ?');
    this.#insertRoom = db.prepare<[string, number, number], RoomRow>(
      'INSERT INTO rooms (room, created_at, active_at) VALUES (?, ?, ?) ON CONFLICT (room) DO NOTHING RETURNING key, head, created_at AS epoch',
    );
    this.#touchRoom = db.prepare<[number, number]>('UPDATE rooms SET active_at = ? WHERE key = ?');
    this.#bumpHead = db.prepare<[number, number], { head: number }>(
      'UPDATE rooms SET head = head + 1, active_at = ? WHERE key = ? RETURNING head',
    );
    this.#messageById = db.prepare<[number, string], MessageRow>(
      'SELECT seq, id, sender, body, at FROM messages WHERE room_key = ? AND id = ?',
    );
    this.#insertMessage = db.prepare<[number, number, string, string, string, number]>(
      'INSERT INTO messages (room_key, seq, id, sender, body, at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#trimRoomCount = db.prepare<[number, number]>('DELETE FROM messages WHERE room_key = ? AND seq <= ?');
    // INDEXED BY: left to itself the planner walks the room's whole history by room_key; expired
    // rows are few, so the time index reaches them directly.
    this.#trimRoomAge = db.prepare<[number, number]>(
      'DELETE FROM messages INDEXED BY messages_by_time WHERE at < ? AND room_key = ?',
    );
    this.#readAfter = db.prepare<[string, number, number], MessageRow>(
      `SELECT seq, id, sender, body, at FROM messages
       WHERE room_key = (SELECT key FROM rooms WHERE room = ?) AND seq > ? ORDER BY seq LIMIT ?`,
    );
    this.#trimAllAge = db.prepare<[number]>('DELETE FROM messages WHERE at < ?');
    this.#trimAllCount = db.prepare<[number]>(
      'DELETE FROM messages WHERE seq <= (SELECT head FROM rooms WHERE key = messages.room_key) - ?',
    );
    this.#idleRooms = db.prepare<[number], { key: number; room: string }>(
      `SELECT key, room FROM rooms
       WHERE active_at < ? AND NOT EXISTS (SELECT 1 FROM messages WHERE room_key = rooms.key)`,
    );
    this.#deleteRoom = db.prepare<[number]>('DELETE FROM rooms WHERE key = ?');
    this.#stats = db.prepare<[], { rooms: number; messages: number }>(
      'SELECT (SELECT count(*) FROM rooms) AS rooms, (SELECT count(*) FROM messages) AS messages',
    );

    this.#openRoom = db.transaction((room: RoomIdText, now: number): { row: RoomRow; created: boolean } => {
      const inserted = this.#insertRoom.get(room, now, now);
      if (inserted !== undefined) return { row: inserted, created: true };
      const row = this.#roomByName.get(room);
      if (row === undefined) throw new Error('room vanished inside a transaction');
      this.#touchRoom.run(now, row.key);
      return { row, created: false };
    });

    this.#append = db.transaction((room: RoomIdText, message: NewMessage, now: number): AppendResult => {
      const { row } = this.#openRoom(room, now);
      const original = this.#messageById.get(row.key, message.id);
      if (original !== undefined) return { message: fromRow(room, original), duplicate: true };
      const bumped = this.#bumpHead.get(now, row.key);
      if (bumped === undefined) throw new Error('room vanished inside a transaction');
      const seq = bumped.head;
      this.#insertMessage.run(row.key, seq, message.id, message.from, message.body, now);
      if (seq > this.limits.maxCount) this.#trimRoomCount.run(row.key, seq - this.limits.maxCount);
      this.#trimRoomAge.run(now - this.limits.maxAgeMs, row.key);
      return { message: { room, seq, id: message.id, from: message.from, body: message.body, at: now }, duplicate: false };
    });

    // A lowered HISTORY_MAX_COUNT applies from startup; afterwards every append keeps the room in bounds.
    this.#trimAllCount.run(limits.maxCount);
  }

  openRoom(room: RoomIdText, now: number): boolean {
    return this.#openRoom(room, now).created;
  }

  hasRoom(room: RoomIdText): boolean {
    return this.#roomByName.get(room) !== undefined;
  }

  head(room: RoomIdText): number {
    return this.#roomByName.get(room)?.head ?? 0;
  }

  epoch(room: RoomIdText): number {
    return this.#roomByName.get(room)?.epoch ?? 0;
  }

  append(room: RoomIdText, message: NewMessage, now: number): AppendResult {
    return this.#append(room, message, now);
  }

  readAfter(room: RoomIdText, afterSeq: number, limit: number): StoredMessage[] {
    return this.#readAfter.all(room, afterSeq, limit).map((row) => fromRow(room, row));
  }

  prune(now: number, isLive: (room: RoomIdText) => boolean): { messages: number; rooms: number } {
    return this.db.transaction(() => {
      const cutoff = now - this.limits.maxAgeMs;
      const messages = this.#trimAllAge.run(cutoff).changes;
      let rooms = 0;
      // A live room keeps its row: its members hold seqs that a recreated room would reuse.
      for (const { key, room } of this.#idleRooms.all(cutoff)) {
        if (isLive(room)) continue;
        rooms += this.#deleteRoom.run(key).changes;
      }
      return { messages, rooms };
    })();
  }

  stats(): { rooms: number; messages: number } {
    return this.#stats.get() ?? { rooms: 0, messages: 0 };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

const fromRow = (room: RoomIdText, row: MessageRow): StoredMessage => ({
  room,
  seq: row.seq,
  id: row.id,
  from: row.sender,
  body: row.body,
  at: row.at,
});
