import type { Background } from './context.ts';
import { lineRemoved } from './memory.ts';
import { PENDING_ORDER, type MessageRecord } from './db.ts';

/** A line that came over a data channel and has no seq from the relay yet (one sent only directly never will: not waiting). */
export const waitingDirect = (m: MessageRecord): boolean => m.seq === null && !m.mine && m.directDigest !== undefined && m.directOnly !== true;

// Local retention (Settings.keepPerRoom): each room keeps its newest lines on this device and
// deletes the oldest beyond that. Counting a room costs a walk of its index, so it is done once
// every TRIM_EVERY lines stored in the room (and for every room when the setting changes), not
// per write: a room may hold up to TRIM_EVERY lines more than the setting for a while.
// Deleting old lines never moves lastSeq, so the relay does not send them again.

export const TRIM_EVERY = 200;

const sinceTrim = new WeakMap<Background, Map<string, number>>();
const trimQueued = new WeakMap<Background, Set<string>>();

/** A line was stored in `roomId`: now and then, trim the room (in the serial queue). */
export function lineKept(bg: Background, roomId: string): void {
  let counts = sinceTrim.get(bg);
  if (!counts) sinceTrim.set(bg, (counts = new Map()));
  const n = (counts.get(roomId) ?? 0) + 1;
  if (n < TRIM_EVERY) return void counts.set(roomId, n);
  counts.delete(roomId);
  // One trim queued per room at a time: a replay of thousands of lines asks for one, after it.
  let queued = trimQueued.get(bg);
  if (!queued) trimQueued.set(bg, (queued = new Set()));
  if (queued.has(roomId)) return;
  queued.add(roomId);
  bg.run(async (b) => {
    queued.delete(roomId);
    await trimRoom(b, roomId);
  });
}

/** The range of `roomId`'s lines in an index keyed [room, order, id]. */
const roomRange = (roomId: string): IDBKeyRange => IDBKeyRange.bound([roomId, -Infinity, ''], [roomId, Infinity, '\uffff']);

/**
 * Other members' lines sent only directly (direct-only.ts rule 5) are kept apart: at most `keep`
 * per room, the oldest of them going first, and never counted against the numbered lines, so a
 * member flagging its lines `only` (its word: nobody can check it) pushes out only such lines,
 * never the room's history. Returns the ids deleted.
 */
export async function keepReceivedOnly(bg: Background, roomId: string, keep: number): Promise<string[]> {
  const tx = bg.db.transaction('messages', 'readwrite');
  const index = tx.store.index('byReceivedOnly');
  const extra = (await index.count(roomRange(roomId))) - Math.max(0, keep);
  const removed: string[] = [];
  let cursor = extra > 0 ? await index.openCursor(roomRange(roomId)) : null;
  while (cursor && removed.length < extra) {
    removed.push(cursor.value.id);
    await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
  for (const id of removed) {
    lineRemoved(bg, roomId, id);
    bg.postToWatchers(roomId, { type: 'room-item-removed', roomId, id });
  }
  return removed;
}

/** Deletes the oldest lines of `roomId` beyond Settings.keepPerRoom, in one transaction; returns how many. */
export async function trimRoom(bg: Background, roomId: string): Promise<number> {
  const keep = bg.mem.settings.keepPerRoom;
  const range = IDBKeyRange.bound([roomId, -Infinity, ''], [roomId, Infinity, '\uffff']);
  const tx = bg.db.transaction('messages', 'readwrite');
  const index = tx.store.index('byOrder');
  // Lines that came over a data channel and wait for the relay's seq are not counted, nor deleted
  // here (direct-path.ts rule 7 bounds them): a member's channel must not push numbered lines out.
  const pending = await index.getAll(IDBKeyRange.bound([roomId, PENDING_ORDER, ''], [roomId, PENDING_ORDER, '\uffff']));
  const receivedOnly = await tx.store.index('byReceivedOnly').count(roomRange(roomId));
  const extra = (await index.count(range)) - pending.filter(waitingDirect).length - receivedOnly - keep;
  const removed: string[] = [];
  if (extra > 0) {
    let cursor = await index.openCursor(range);
    while (cursor && removed.length < extra) {
      // A line of ours the relay has not stored yet is never dropped: it is still to be sent.
      // Other lines without a seq (GAP notices, notices) go like any old line.
      if (!(cursor.value.seq === null && cursor.value.status === 'sending') && !waitingDirect(cursor.value) && cursor.value.receivedOnly === undefined) {
        removed.push(cursor.value.id);
        await cursor.delete();
      }
      cursor = await cursor.continue();
    }
  }
  await tx.done;
  for (const id of removed) lineRemoved(bg, roomId, id);
  return removed.length + (await keepReceivedOnly(bg, roomId, keep)).length;
}

/** The setting changed: every room is trimmed to it. */
export async function trimAllRooms(bg: Background): Promise<void> {
  for (const roomId of [...bg.mem.rooms.keys()]) await trimRoom(bg, roomId);
}
