import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { RoomIdText } from '../src/shared/protocol.ts';
import type { RelayConfig } from './config.ts';
import {
  MESSAGE_OVERHEAD_BYTES,
  storedSize,
  type AppendResult,
  type HistoryStore,
  type NewMessage,
  type RetentionLimits,
  type StoredMessage,
  type StoreStats,
} from './history-store.ts';

// One implementation for both durable files and ':memory:': tests then exercise the very SQL that
// production runs (dedup by a unique index, head kept apart from the trimmed messages).

// 2: running totals (bytes and messages per room, and in all) kept by triggers.
const SCHEMA_VERSION = 2;

/** Must match storedSize(): the quotas count what the triggers add up. */
const SIZE_SQL = `(length(body) + ${MESSAGE_OVERHEAD_BYTES})`;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS rooms (
    key        INTEGER PRIMARY KEY,
    room       TEXT NOT NULL UNIQUE,
    -- Kept here, not derived from messages, so trimming can never hand out an old seq again.
    head       INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    active_at  INTEGER NOT NULL,
    -- Running totals of the room's retained messages, so a quota check never sums a room.
    bytes      INTEGER NOT NULL DEFAULT 0,
    messages   INTEGER NOT NULL DEFAULT 0
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
  -- MAX_STORED_ROOMS forgets the least recently active room, empty ones first, without a scan.
  CREATE INDEX IF NOT EXISTS rooms_by_activity ON rooms (messages, active_at);
  -- Expired rows are few between sweeps, so a global index on time finds them in any room cheaply.
  CREATE INDEX IF NOT EXISTS messages_by_time ON messages (at);
  -- One row: totals for /metrics and the store cap, read in O(1) instead of counting every message.
  CREATE TABLE IF NOT EXISTS totals (
    id       INTEGER PRIMARY KEY CHECK (id = 0),
    rooms    INTEGER NOT NULL,
    messages INTEGER NOT NULL,
    bytes    INTEGER NOT NULL
  );
  INSERT OR IGNORE INTO totals (id, rooms, messages, bytes) VALUES (0, 0, 0, 0);
  -- Triggers rather than bookkeeping in each statement: every insert and delete (append, trims,
  -- sweeps, future code) keeps the totals right inside its own transaction.
  CREATE TRIGGER IF NOT EXISTS message_added AFTER INSERT ON messages BEGIN
    UPDATE rooms SET bytes = bytes + ${SIZE_SQL.replaceAll('body', 'NEW.body')}, messages = messages + 1 WHERE key = NEW.room_key;
    UPDATE totals SET bytes = bytes + ${SIZE_SQL.replaceAll('body', 'NEW.body')}, messages = messages + 1;
  END;
  CREATE TRIGGER IF NOT EXISTS message_removed AFTER DELETE ON messages BEGIN
    UPDATE rooms SET bytes = bytes - ${SIZE_SQL.replaceAll('body', 'OLD.body')}, messages = messages - 1 WHERE key = OLD.room_key;
    UPDATE totals SET bytes = bytes - ${SIZE_SQL.replaceAll('body', 'OLD.body')}, messages = messages - 1;
  END;
  CREATE TRIGGER IF NOT EXISTS room_added AFTER INSERT ON rooms BEGIN
    UPDATE totals SET rooms = rooms + 1;
  END;
  CREATE TRIGGER IF NOT EXISTS room_removed AFTER DELETE ON rooms BEGIN
    UPDATE totals SET rooms = rooms - 1;
  END;
`;

/** Version 1 had no totals: add the columns, then count once (the only full scan, at upgrade). */
const UPGRADE_FROM_1 = `
  ALTER TABLE rooms ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE rooms ADD COLUMN messages INTEGER NOT NULL DEFAULT 0;
`;
const RECOUNT = `
  UPDATE rooms SET
    bytes = (SELECT coalesce(sum(${SIZE_SQL}), 0) FROM messages WHERE room_key = rooms.key),
    messages = (SELECT count(*) FROM messages WHERE room_key = rooms.key);
  UPDATE totals SET
    rooms = (SELECT count(*) FROM rooms),
    messages = (SELECT coalesce(sum(messages), 0) FROM rooms),
    bytes = (SELECT coalesce(sum(bytes), 0) FROM rooms);
`;

interface RoomRow { key: number; head: number; epoch: number }
interface MessageRow { seq: number; id: string; sender: string; body: string; at: number }

/** The store's limits from the relay's config. */
export const retentionLimits = (config: RelayConfig): RetentionLimits => ({
  maxCount: config.historyMaxCount,
  maxAgeMs: config.historyMaxAgeMs,
  roomMaxBytes: config.roomMaxStoredKb * 1024,
  storeMaxBytes: config.storeMaxKb * 1024,
  maxStoredRooms: config.maxStoredRooms,
});

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
    db.transaction(() => {
      if (version === 1) db.exec(UPGRADE_FROM_1);
      db.exec(SCHEMA);
      if (version !== SCHEMA_VERSION) db.exec(RECOUNT);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
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
  readonly #roomBytes;
  readonly #trimRoomOldest;
  readonly #roomsOverBytes;
  readonly #trimStoreOldest;
  readonly #append;
  readonly #openRoom;
  readonly #oldestEmptyRooms;
  readonly #oldestRooms;
  readonly #deleteRoomMessages;

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
    this.#stats = db.prepare<[], StoreStats>('SELECT rooms, messages, bytes FROM totals WHERE id = 0');
    this.#roomBytes = db.prepare<[number], { bytes: number }>('SELECT bytes FROM rooms WHERE key = ?');
    this.#trimRoomOldest = db.prepare<[number, number]>(
      'DELETE FROM messages WHERE room_key = ? AND seq = (SELECT min(seq) FROM messages WHERE room_key = ?)',
    );
    this.#roomsOverBytes = db.prepare<[number], { key: number }>('SELECT key FROM rooms WHERE bytes > ?');
    // The time index reaches the oldest message of the whole store directly.
    this.#trimStoreOldest = db.prepare<[]>(
      'DELETE FROM messages WHERE rowid = (SELECT rowid FROM messages INDEXED BY messages_by_time ORDER BY at LIMIT 1)',
    );

    this.#oldestEmptyRooms = db.prepare<[number, number], { key: number; room: string }>(
      'SELECT key, room FROM rooms WHERE messages = 0 ORDER BY active_at, key LIMIT ? OFFSET ?',
    );
    this.#oldestRooms = db.prepare<[number, number], { key: number; room: string }>(
      'SELECT key, room FROM rooms WHERE messages > 0 ORDER BY active_at, key LIMIT ? OFFSET ?',
    );
    this.#deleteRoomMessages = db.prepare<[number]>('DELETE FROM messages WHERE room_key = ?');

    this.#openRoom = db.transaction((room: RoomIdText, now: number, isLive: (room: RoomIdText) => boolean = () => false): { row: RoomRow; created: boolean } => {
      const inserted = this.#insertRoom.get(room, now, now);
      if (inserted !== undefined) {
        if (this.stats().rooms > (this.limits.maxStoredRooms ?? Infinity)) this.#forgetOneRoom(inserted.key, isLive);
        return { row: inserted, created: true };
      }
      const row = this.#roomByName.get(room);
      if (row === undefined) throw new Error('room vanished inside a transaction');
      this.#touchRoom.run(now, row.key);
      return { row, created: false };
    });

    this.#append = db.transaction((
      room: RoomIdText,
      message: NewMessage,
      now: number,
      admit: (bytes: number) => boolean,
    ): AppendResult | undefined => {
      const existing = this.#roomByName.get(room);
      const original = existing && this.#messageById.get(existing.key, message.id);
      if (original !== undefined) {
        this.#touchRoom.run(now, existing!.key);
        return { message: fromRow(room, original), duplicate: true };
      }
      // Asked before anything changes, so a refusal leaves the store exactly as it was.
      if (!admit(storedSize(message.body))) return undefined;
      const { row } = this.#openRoom(room, now);
      const bumped = this.#bumpHead.get(now, row.key);
      if (bumped === undefined) throw new Error('room vanished inside a transaction');
      const seq = bumped.head;
      this.#insertMessage.run(row.key, seq, message.id, message.from, message.body, now);
      if (seq > this.limits.maxCount) this.#trimRoomCount.run(row.key, seq - this.limits.maxCount);
      this.#trimRoomAge.run(now - this.limits.maxAgeMs, row.key);
      this.#trimRoomBytes(row.key);
      this.#trimStoreBytes();
      return { message: { room, seq, id: message.id, from: message.from, body: message.body, at: now }, duplicate: false };
    });

    // A lowered HISTORY_MAX_COUNT applies from startup; afterwards every append keeps the room in bounds.
    this.#trimAllCount.run(limits.maxCount);
    // Likewise lowered byte caps; afterwards every append checks its room and the store.
    db.transaction(() => {
      for (const { key } of this.#roomsOverBytes.all(limits.roomMaxBytes)) this.#trimRoomBytes(key);
      this.#trimStoreBytes();
    })();
  }

  /** Oldest first until the room fits; usually one delete, since one message at a time arrives. */
  #trimRoomBytes(key: number): void {
    while ((this.#roomBytes.get(key)?.bytes ?? 0) > this.limits.roomMaxBytes) {
      if (this.#trimRoomOldest.run(key, key).changes === 0) return;
    }
  }

  /**
   * Over MAX_STORED_ROOMS: forgets the least recently active room without members, an empty one
   * if there is one, else one with history (its messages go with it, like the store cap's trims).
   * Rooms with members are never forgotten; if every other room has members, nothing is.
   */
  #forgetOneRoom(created: number, isLive: (room: RoomIdText) => boolean): void {
    const PAGE = 64;
    for (const query of [this.#oldestEmptyRooms, this.#oldestRooms]) {
      for (let offset = 0; ; offset += PAGE) {
        const page = query.all(PAGE, offset);
        const victim = page.find(({ key, room }) => key !== created && !isLive(room));
        if (victim !== undefined) {
          this.#deleteRoomMessages.run(victim.key);
          this.#deleteRoom.run(victim.key);
          return;
        }
        if (page.length < PAGE) break;
      }
    }
  }

  #trimStoreBytes(): void {
    while (this.stats().bytes > this.limits.storeMaxBytes) {
      if (this.#trimStoreOldest.run().changes === 0) return;
    }
  }

  openRoom(room: RoomIdText, now: number, isLive?: (room: RoomIdText) => boolean): boolean {
    return this.#openRoom(room, now, isLive).created;
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

  append(room: RoomIdText, message: NewMessage, now: number, admit: (bytes: number) => boolean = () => true): AppendResult | undefined {
    return this.#append(room, message, now, admit);
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

  stats(): StoreStats {
    return this.#stats.get() ?? { rooms: 0, messages: 0, bytes: 0 };
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
