import type { SenderMemory } from '../shared/identity-rules.ts';
import type { Settings } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import type { KeptSite } from './kept-site-list.ts';
import { settleSeqs, type SeqRanges } from './settled-seqs.ts';
import { DEFAULT_SETTINGS, loadKnownRelays, loadSettings, rememberRelay as rememberRelayIn, type Db, type MessageRecord, type OutboxRecord, type RoomRecord, type SenderRecord } from './db.ts';

// What the hot paths read, held in memory so a message typed or received costs one IndexedDB
// transaction (docs/typed-to-shown.md). IndexedDB stays the truth: this is rebuilt from it on every
// worker start (loadMemory), and each write changes memory only after its transaction committed,
// so memory never holds what a killed worker would not find again (a room's lastSeq, the replay
// cursor, above all). The one exception is a sender claim, which is remembered first and written
// with the next line (takeClaims): a claim lost to a killed worker is made again by the replay.

export interface Memory {
  rooms: Map<string, RoomRecord>;
  settings: Settings;
  knownRelays: string[];
  /** First key per (room, compared nickname): see senderKey. */
  senders: Map<string, string>;
  /** Claims made in memory and not yet written (written with the next line: takeClaims). */
  claims: SenderRecord[];
  /** Per room, its outbox records by id. */
  outbox: Map<string, Map<string, OutboxRecord>>;
  /** Per room, its last line in display order, once read (publishState); absent: read again. */
  lastLines: Map<string, MessageRecord | null>;
  /**
   * Per room, seqs stored above its lastSeq, below a seq that is not (settled-seqs.ts). Not in
   * IndexedDB: after a restart the rejoin from lastSeq replays them, found stored, not shown again.
   */
  ahead: Map<string, SeqRanges>;
  /** Sites Parley is kept on (kept-sites.ts), loaded at worker start with the rest. */
  keptSites?: KeptSite[];
}

export async function loadMemory(db: Db): Promise<Memory> {
  const [rooms, settings, knownRelays, senders, outbox] = await Promise.all([
    db.getAll('rooms'), loadSettings(db), loadKnownRelays(db), db.getAll('senders'), db.getAll('outbox'),
  ]);
  const memory: Memory = {
    rooms: new Map(rooms.map((r) => [r.roomId, r])), settings, knownRelays,
    senders: new Map(senders.map((s) => [senderKey(s.roomId, s.nick), s.key])), claims: [],
    outbox: new Map(), lastLines: new Map(), ahead: new Map(),
  };
  for (const item of outbox) queuedIn(memory, item.roomId).set(item.id, item);
  return memory;
}

const senderKey = (roomId: string, nick: string): string => `${roomId}\u0000${nick}`;

/** The first key per nickname, from memory; a new claim is written with the next line (takeClaims). */
export function memorySenders(bg: Background): SenderMemory {
  return {
    async claim(roomId, nick, key) {
      const first = bg.mem.senders.get(senderKey(roomId, nick));
      if (first !== undefined) return first;
      bg.mem.senders.set(senderKey(roomId, nick), key);
      bg.mem.claims.push({ roomId, nick, key, firstSeen: Date.now() });
      return key;
    },
  };
}

/** The claims not yet written, for the transaction about to write a line; `undo` if it failed. */
export function takeClaims(bg: Background): { claims: SenderRecord[]; undo(): void } {
  const claims = bg.mem.claims;
  bg.mem.claims = [];
  return {
    claims,
    undo() {
      // A failed write: forget them, so memory says no more than the database would after a restart.
      for (const c of claims) bg.mem.senders.delete(senderKey(c.roomId, c.nick));
    },
  };
}

function queuedIn(memory: Memory, roomId: string): Map<string, OutboxRecord> {
  let room = memory.outbox.get(roomId);
  if (!room) memory.outbox.set(roomId, (room = new Map()));
  return room;
}

/** A room's outbox in sending order (by id: ids sort by creation, message-id.ts). */
export function outboxOf(bg: Background, roomId: string): OutboxRecord[] {
  return [...(bg.mem.outbox.get(roomId)?.values() ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Every outbox record, of every room. */
export function allQueued(bg: Background): OutboxRecord[] {
  return [...bg.mem.outbox.values()].flatMap((room) => [...room.values()]);
}

/** An outbox record was written (call after its transaction committed). */
export function queued(bg: Background, record: OutboxRecord): void {
  queuedIn(bg.mem, record.roomId).set(record.id, record);
}

/** An outbox record was deleted (call after its transaction committed). */
export function unqueued(bg: Background, roomId: string, id: string): void {
  bg.mem.outbox.get(roomId)?.delete(id);
}

/** A room record was written (call after its transaction committed). */
export function roomStored(bg: Background, record: RoomRecord): void {
  bg.mem.rooms.set(record.roomId, record);
}

/** A room and everything of it was deleted (call after its transaction committed). */
export function roomDeleted(bg: Background, roomId: string): void {
  bg.mem.rooms.delete(roomId);
  bg.mem.outbox.delete(roomId);
  bg.mem.lastLines.delete(roomId);
  bg.mem.ahead.delete(roomId);
}

/**
 * Seqs `from`..`to` of `room` are settled (stored, or gone: GAP) by the transaction about to commit:
 * the lastSeq to write with it, and `done()` to call once it committed.
 */
export function settling(bg: Background, room: RoomRecord, from: number, to: number): { lastSeq: number; done(): void } {
  const settled = settleSeqs(room.lastSeq, bg.mem.ahead.get(room.roomId) ?? [], from, to);
  return {
    lastSeq: settled.lastSeq,
    done() {
      if (settled.ahead.length > 0) bg.mem.ahead.set(room.roomId, settled.ahead);
      else bg.mem.ahead.delete(room.roomId);
    },
  };
}

/** `settling` for several seqs of one room settled by the same transaction (a batch of a replay). */
export function settlingMany(bg: Background, room: RoomRecord, seqs: readonly number[]): { lastSeq: number; done(): void } {
  let settled: { lastSeq: number; ahead: SeqRanges } = { lastSeq: room.lastSeq, ahead: bg.mem.ahead.get(room.roomId) ?? [] };
  for (const seq of seqs) settled = settleSeqs(settled.lastSeq, settled.ahead, seq, seq);
  return {
    lastSeq: settled.lastSeq,
    done() {
      if (settled.ahead.length > 0) bg.mem.ahead.set(room.roomId, settled.ahead);
      else bg.mem.ahead.delete(room.roomId);
    },
  };
}

/** Writes a room record, then remembers it. */
export async function putRoom(bg: Background, record: RoomRecord): Promise<void> {
  await bg.db.put('rooms', record);
  roomStored(bg, record);
}

const after = (a: MessageRecord, b: MessageRecord): boolean => a.order > b.order || (a.order === b.order && a.id >= b.id);

/**
 * Line `stored` was written: the room's last line follows it. A line that moved down (an acked
 * line leaving the pending end) and is not known to stay last (`staysLast`) makes the last line
 * read again when next needed.
 */
export function lineStored(bg: Background, stored: MessageRecord, staysLast = false): void {
  const { lastLines } = bg.mem;
  if (!lastLines.has(stored.roomId)) return;
  const last = lastLines.get(stored.roomId) ?? null;
  if (last === null || after(stored, last) || staysLast) lastLines.set(stored.roomId, stored);
  else if (last.id === stored.id) lastLines.delete(stored.roomId);
}

/** Line `id` was deleted: if it was the last, the last is read again when next needed. */
export function lineRemoved(bg: Background, roomId: string, id: string): void {
  if (bg.mem.lastLines.get(roomId)?.id === id) bg.mem.lastLines.delete(roomId);
}

/** Remembers that the user has used the relay at `url` (a room on it, or a join through it). */
export async function rememberRelay(bg: Background, url: string): Promise<void> {
  await rememberRelayIn(bg.db, url);
  if (!bg.mem.knownRelays.includes(url)) bg.mem.knownRelays = [...bg.mem.knownRelays, url];
}

/** Memory of an empty database (before loadMemory has run). */
export function emptyMemory(): Memory {
  return {
    rooms: new Map(), settings: { ...DEFAULT_SETTINGS }, knownRelays: [], senders: new Map(), claims: [],
    outbox: new Map(), lastLines: new Map(), ahead: new Map(),
  };
}
