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
  type PendingAppend,
  type RetentionLimits,
  type StoredMessage,
  type StoreStats,
} from './history-store.ts';
import { walFilePath, WalCheckpointer } from './wal-checkpointer.ts';

// One implementation for both durable files and ':memory:': tests then exercise the very SQL that
// production runs (dedup by a unique index, head kept apart from the trimmed messages).

// 2: running totals (bytes and messages per room, and in all) kept by triggers.
// 3: appends add to the totals once per room and once per commit, not by a trigger per message;
//    the dedup index leads with the id (see messagesTable).
const SCHEMA_VERSION = 3;

/** Must match storedSize(): the delete trigger takes off what the append added with storedSize(). */
const SIZE_SQL = `(length(body) + ${MESSAGE_OVERHEAD_BYTES})`;

/**
 * The dedup index is (id, room_key), not (room_key, id): message ids are time-ordered, so the new
 * ids of every room land on the index's last page, one page written per commit rather than one per
 * room in the commit. The pair is unique either way; only the order of the index differs.
 */
function messagesTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
    room_key INTEGER NOT NULL REFERENCES rooms (key),
    seq      INTEGER NOT NULL,
    id       TEXT NOT NULL,
    sender   TEXT NOT NULL,
    body     TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (room_key, seq),
    UNIQUE (id, room_key)
  );`;
}

/**
 * Versions 1 and 2 had the dedup index the other way round, which only a new table can change.
 * Dropping the old table drops its triggers and indexes (no delete trigger fires); SCHEMA then
 * makes them again for the new one.
 */
const REBUILD_MESSAGES = `
  ${messagesTable('messages_v3')}
  INSERT INTO messages_v3 (room_key, seq, id, sender, body, at) SELECT room_key, seq, id, sender, body, at FROM messages;
  DROP TABLE messages;
  ALTER TABLE messages_v3 RENAME TO messages;
`;

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
  ${messagesTable('messages')}
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
  -- Triggers rather than bookkeeping in each statement: every delete (trims, sweeps, future code)
  -- keeps the totals right inside its own transaction. Inserts happen in one place, the append,
  -- which adds to the totals itself once per room and once per commit: two trigger UPDATEs per
  -- message were a third of an append's cost.
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

/** Version 3 counts inserts in the append itself. */
const DROP_INSERT_TRIGGER = 'DROP TRIGGER IF EXISTS message_added;';

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

interface MessageRow { seq: number; id: string; sender: string; body: string; at: number }

/** The store's limits from the relay's config. */
export const retentionLimits = (config: RelayConfig): RetentionLimits => ({
  maxCount: config.historyMaxCount,
  maxAgeMs: config.historyMaxAgeMs,
  roomMaxBytes: config.roomMaxStoredKb * 1024,
  storeMaxBytes: config.storeMaxKb * 1024,
  maxStoredRooms: config.maxStoredRooms,
  wal: { checkpointMs: config.walCheckpointMs, checkpointBytes: (config.walMaxKb * 1024) / 4, maxBytes: config.walMaxKb * 1024 },
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
      if (version === 1 || version === 2) db.exec(REBUILD_MESSAGES);
      db.exec(DROP_INSERT_TRIGGER);
      db.exec(SCHEMA);
      // Version 2's totals are right; only a file without them is counted.
      if (typeof version !== 'number' || version < 2) db.exec(RECOUNT);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
    const walPath = walFilePath(db, path);
    const wal = walPath === null || limits.wal === undefined ? undefined : new WalCheckpointer(db, walPath, limits.wal);
    return new SqliteHistory(db, limits, wal);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * What the store keeps of a room in memory. The relay process is the file's only writer, so these
 * are the truth for head and epoch; bytes and the oldest retained message may be stale only upwards
 * (a sweep or the store cap deleted something), which costs one needless trim check, never a missed
 * one. Forgotten on any failed batch, on prune and for forgotten rooms; bounded by the rooms stored.
 */
interface CachedRoom {
  readonly room: RoomIdText;
  readonly key: number;
  head: number;
  readonly epoch: number;
  activeAt: number;
  bytes: number;
  /** Seq and time of the oldest retained message; Infinity when the room has none. */
  oldestSeq: number;
  oldestAt: number;
  /** Appended in the running batch and not yet added to the room's row (see #flushAdded). */
  addedBytes: number;
  addedMessages: number;
}

class SqliteHistory implements HistoryStore {
  readonly #roomByName;
  readonly #insertRoom;
  readonly #touchRoom;
  readonly #saveHead;
  readonly #messageById;
  readonly #insertMessage;
  readonly #deleteMessage;
  readonly #trimRoomCount;
  readonly #trimRoomAge;
  readonly #readAfter;
  readonly #trimAllAge;
  readonly #trimAllCount;
  readonly #idleRooms;
  readonly #deleteRoom;
  readonly #stats;
  readonly #roomBytes;
  readonly #oldestMessage;
  readonly #trimRoomOldest;
  readonly #roomsOverBytes;
  readonly #trimStoreOldest;
  readonly #oldestEmptyRooms;
  readonly #oldestRooms;
  readonly #deleteRoomMessages;
  readonly #appendBatch;
  readonly #openRoomAtomically;
  readonly #cache = new Map<RoomIdText, CachedRoom>();
  /** Rooms whose head or activity changed in the running batch: written once each at its end. */
  readonly #dirty = new Set<CachedRoom>();
  /** The store's retained bytes, from the totals row; undefined until read, or after a deletion. */
  #storeBytes: number | undefined;
  #batching = false;
  /** Appended in the running batch and not yet added to the totals row; rooms' own in CachedRoom. */
  #addedBytes = 0;
  #addedMessages = 0;
  readonly #addTotals;

  constructor(
    private readonly db: Database.Database,
    private readonly limits: RetentionLimits,
    private readonly wal: WalCheckpointer | undefined,
  ) {
    this.#roomByName = db.prepare<[string], { key: number; head: number; epoch: number; activeAt: number; bytes: number }>(
      'SELECT key, head, created_at AS epoch, active_at AS activeAt, bytes FROM rooms WHERE room = ?',
    );
    this.#insertRoom = db.prepare<[string, number, number], { key: number; head: number; epoch: number }>(
      'INSERT INTO rooms (room, created_at, active_at) VALUES (?, ?, ?) ON CONFLICT (room) DO NOTHING RETURNING key, head, created_at AS epoch',
    );
    this.#touchRoom = db.prepare<[number, number]>('UPDATE rooms SET active_at = ? WHERE key = ?');
    this.#saveHead = db.prepare<[number, number, number, number, number]>(
      'UPDATE rooms SET head = ?, active_at = ?, bytes = bytes + ?, messages = messages + ? WHERE key = ?',
    );
    this.#addTotals = db.prepare<[number, number]>('UPDATE totals SET bytes = bytes + ?, messages = messages + ?');
    this.#messageById = db.prepare<[number, string], MessageRow>(
      'SELECT seq, id, sender, body, at FROM messages WHERE room_key = ? AND id = ?',
    );
    // The unique (room, id) index is the dedup check: a resent id inserts nothing.
    this.#insertMessage = db.prepare<[number, number, string, string, string, number]>(
      'INSERT INTO messages (room_key, seq, id, sender, body, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id, room_key) DO NOTHING',
    );
    this.#deleteMessage = db.prepare<[number, number]>('DELETE FROM messages WHERE room_key = ? AND seq = ?');
    this.#trimRoomCount = db.prepare<[number, number]>('DELETE FROM messages WHERE room_key = ? AND seq <= ?');
    // INDEXED BY: left to itself the planner walks the room's whole history by room_key; expired
    // rows are few, so the time index reaches them directly.
    this.#trimRoomAge = db.prepare<[number, number]>(
      'DELETE FROM messages INDEXED BY messages_by_time WHERE at < ? AND room_key = ?',
    );
    this.#readAfter = db.prepare<[number, number, number], MessageRow>(
      'SELECT seq, id, sender, body, at FROM messages WHERE room_key = ? AND seq > ? ORDER BY seq LIMIT ?',
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
    this.#oldestMessage = db.prepare<[number], { seq: number; at: number }>(
      'SELECT seq, at FROM messages WHERE room_key = ? ORDER BY seq LIMIT 1',
    );
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

    this.#openRoomAtomically = db.transaction((room: RoomIdText, now: number, isLive: (room: RoomIdText) => boolean) =>
      this.#openRoom(room, now, isLive));

    // One transaction for the whole batch, with no savepoint per message: a failure rolls back every
    // message of the batch, and each is then answered INTERNAL (never acked).
    this.#appendBatch = db.transaction((items: readonly PendingAppend[], now: number, isLive: (room: RoomIdText) => boolean) => {
      this.#batching = true;
      try {
        const results = items.map((item) => this.#appendOne(item, now, isLive));
        for (const cached of this.#dirty) {
          this.#saveHead.run(cached.head, cached.activeAt, cached.addedBytes, cached.addedMessages, cached.key);
          cached.addedBytes = 0;
          cached.addedMessages = 0;
        }
        this.#flushTotals();
        return results;
      } finally {
        this.#batching = false;
        this.#dirty.clear();
      }
    });

    // A lowered HISTORY_MAX_COUNT applies from startup; afterwards every append keeps the room in bounds.
    this.#trimAllCount.run(limits.maxCount);
    // Likewise lowered byte caps; afterwards every append checks its room and the store.
    db.transaction(() => {
      for (const { key } of this.#roomsOverBytes.all(limits.roomMaxBytes)) this.#trimRoomBytes(key);
      this.#trimStoreBytes();
    })();
  }

  /** The room from memory, else from the file (then remembered); undefined if the store has no such room. */
  #room(room: RoomIdText): CachedRoom | undefined {
    const cached = this.#cache.get(room);
    if (cached !== undefined) return cached;
    const row = this.#roomByName.get(room);
    if (row === undefined) return undefined;
    const loaded: CachedRoom = { room, key: row.key, head: row.head, epoch: row.epoch, activeAt: row.activeAt, bytes: row.bytes, oldestSeq: Infinity, oldestAt: Infinity, addedBytes: 0, addedMessages: 0 };
    this.#reloadOldest(loaded);
    this.#cache.set(room, loaded);
    return loaded;
  }

  #reloadOldest(cached: CachedRoom): void {
    const oldest = this.#oldestMessage.get(cached.key);
    cached.oldestSeq = oldest?.seq ?? Infinity;
    cached.oldestAt = oldest?.at ?? Infinity;
  }

  /** After deleting some of the room's messages: its byte total and oldest message from the file. */
  #reloadAfterTrim(cached: CachedRoom): void {
    this.#flushAdded();
    cached.bytes = this.#roomBytes.get(cached.key)?.bytes ?? 0;
    this.#reloadOldest(cached);
    this.#storeBytes = undefined;
  }

  #openRoom(room: RoomIdText, now: number, isLive: (room: RoomIdText) => boolean): { cached: CachedRoom; created: boolean } {
    const existing = this.#room(room);
    if (existing !== undefined) {
      existing.activeAt = now;
      if (this.#batching) this.#dirty.add(existing);
      else this.#touchRoom.run(now, existing.key);
      return { cached: existing, created: false };
    }
    const inserted = this.#insertRoom.get(room, now, now);
    if (inserted === undefined) throw new Error('room neither found nor inserted');
    const cached: CachedRoom = { room, key: inserted.key, head: inserted.head, epoch: inserted.epoch, activeAt: now, bytes: 0, oldestSeq: Infinity, oldestAt: Infinity, addedBytes: 0, addedMessages: 0 };
    this.#cache.set(room, cached);
    if (this.stats().rooms > (this.limits.maxStoredRooms ?? Infinity)) this.#forgetOneRoom(inserted.key, isLive);
    return { cached, created: true };
  }

  /** One message: usually one INSERT; head and activity are written once per room per batch. */
  #appendOne({ room, message, admit }: PendingAppend, now: number, isLive: (room: RoomIdText) => boolean): AppendResult | undefined {
    const size = storedSize(message.body);
    let cached = this.#room(room);
    let admitted = false;
    if (cached === undefined) {
      // A room the store lacks holds no duplicate; asked before creating it, so a refusal changes nothing.
      if (!admit(size)) return undefined;
      admitted = true;
      cached = this.#openRoom(room, now, (other) => this.#batchRoom(other) || isLive(other)).cached;
    }
    const seq = cached.head + 1;
    if (this.#insertMessage.run(cached.key, seq, message.id, message.from, message.body, now).changes === 0) {
      const original = this.#messageById.get(cached.key, message.id);
      if (original === undefined) throw new Error('duplicate id without its original');
      cached.activeAt = now;
      this.#dirty.add(cached);
      return { message: fromRow(room, original), duplicate: true };
    }
    // Asked once the insert has shown the id is new; a refusal takes the row out again, in the same transaction.
    if (!admitted && !admit(size)) {
      // The delete trigger subtracts what the insert never added: add it here, so the two cancel.
      this.#count(cached, size);
      this.#deleteMessage.run(cached.key, seq);
      return undefined;
    }
    this.#count(cached, size);
    cached.head = seq;
    cached.activeAt = now;
    cached.bytes += size;
    this.#dirty.add(cached);
    if (this.#storeBytes !== undefined) this.#storeBytes += size;
    if (cached.oldestSeq === Infinity) {
      cached.oldestSeq = seq;
      cached.oldestAt = now;
    }
    this.#applyRetention(cached, now);
    return { message: { room, seq, id: message.id, from: message.from, body: message.body, at: now }, duplicate: false };
  }

  /** HISTORY_MAX_COUNT, HISTORY_MAX_AGE_MS and both byte caps, each checked in memory first. */
  #applyRetention(cached: CachedRoom, now: number): void {
    const cutoff = now - this.limits.maxAgeMs;
    let trimmed = false;
    if (cached.oldestSeq <= cached.head - this.limits.maxCount) {
      this.#trimRoomCount.run(cached.key, cached.head - this.limits.maxCount);
      trimmed = true;
    }
    if (cached.oldestAt < cutoff) {
      this.#trimRoomAge.run(cutoff, cached.key);
      trimmed = true;
    }
    if (trimmed) this.#reloadAfterTrim(cached);
    if (cached.bytes > this.limits.roomMaxBytes) {
      this.#trimRoomBytes(cached.key);
      this.#reloadAfterTrim(cached);
    }
    this.#storeBytes ??= this.stats().bytes;
    if (this.#storeBytes > this.limits.storeMaxBytes) {
      this.#trimStoreBytes();
      // Other rooms lost messages too; their cached figures are now stale upwards only, which is safe.
      this.#reloadAfterTrim(cached);
    }
  }

  /** An appended row, added to the room's and the store's totals at the end of the batch. */
  #count(cached: CachedRoom, size: number): void {
    cached.addedBytes += size;
    cached.addedMessages++;
    this.#addedBytes += size;
    this.#addedMessages++;
    this.#dirty.add(cached);
  }

  /** Before the totals are read from the file within a batch: what was appended so far goes in. */
  #flushAdded(): void {
    if (this.#addedMessages === 0) return;
    for (const cached of this.#dirty) {
      if (cached.addedMessages === 0) continue;
      this.#saveHead.run(cached.head, cached.activeAt, cached.addedBytes, cached.addedMessages, cached.key);
      cached.addedBytes = 0;
      cached.addedMessages = 0;
    }
    this.#flushTotals();
  }

  #flushTotals(): void {
    if (this.#addedMessages === 0) return;
    this.#addTotals.run(this.#addedBytes, this.#addedMessages);
    this.#addedBytes = 0;
    this.#addedMessages = 0;
  }

  /** A room with an append in the running batch: its activity is not in the file yet. */
  #batchRoom(room: RoomIdText): boolean {
    const cached = this.#cache.get(room);
    return cached !== undefined && this.#dirty.has(cached);
  }

  /** Oldest first until the room fits; usually one delete, since one message at a time arrives. */
  #trimRoomBytes(key: number): void {
    this.#flushAdded();
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
    this.#flushAdded();
    const PAGE = 64;
    for (const query of [this.#oldestEmptyRooms, this.#oldestRooms]) {
      for (let offset = 0; ; offset += PAGE) {
        const page = query.all(PAGE, offset);
        const victim = page.find(({ key, room }) => key !== created && !isLive(room));
        if (victim !== undefined) {
          this.#deleteRoomMessages.run(victim.key);
          this.#deleteRoom.run(victim.key);
          this.#cache.delete(victim.room);
          this.#storeBytes = undefined;
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
    this.#storeBytes = undefined;
  }

  openRoom(room: RoomIdText, now: number, isLive: (room: RoomIdText) => boolean = () => false): boolean {
    try {
      if (this.db.inTransaction) return this.#openRoom(room, now, isLive).created;
      const { created } = this.#openRoomAtomically(room, now, isLive);
      this.wal?.committed();
      return created;
    } catch (error) {
      this.#forget();
      throw error;
    }
  }

  hasRoom(room: RoomIdText): boolean {
    return this.#room(room) !== undefined;
  }

  head(room: RoomIdText): number {
    return this.#room(room)?.head ?? 0;
  }

  epoch(room: RoomIdText): number {
    return this.#room(room)?.epoch ?? 0;
  }

  append(room: RoomIdText, message: NewMessage, now: number, admit: (bytes: number) => boolean = () => true): AppendResult | undefined {
    return this.appendBatch([{ room, message, admit }], now)[0];
  }

  appendBatch(items: readonly PendingAppend[], now: number, isLive: (room: RoomIdText) => boolean = () => false): (AppendResult | undefined)[] {
    try {
      const results = this.#appendBatch(items, now, isLive);
      this.wal?.committed();
      return results;
    } catch (error) {
      // Rolled back: the heads and totals remembered during the batch are no longer true.
      this.#forget();
      throw error;
    }
  }

  readAfter(room: RoomIdText, afterSeq: number, limit: number): StoredMessage[] {
    const cached = this.#room(room);
    if (cached === undefined) return [];
    return this.#readAfter.all(cached.key, afterSeq, limit).map((row) => fromRow(room, row));
  }

  prune(now: number, isLive: (room: RoomIdText) => boolean): { messages: number; rooms: number } {
    this.#forget();
    const pruned = this.db.transaction(() => {
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
    this.wal?.committed();
    return pruned;
  }

  stats(): StoreStats {
    this.#flushAdded();
    return this.#stats.get() ?? { rooms: 0, messages: 0, bytes: 0 };
  }

  close(): void {
    // The worker's connection first, so the relay's is the last: its close checkpoints and removes the WAL.
    this.wal?.stop();
    if (this.db.open) this.db.close();
  }

  #forget(): void {
    this.#cache.clear();
    this.#dirty.clear();
    this.#storeBytes = undefined;
    this.#addedBytes = 0;
    this.#addedMessages = 0;
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
