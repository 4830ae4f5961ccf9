import type { IDBPTransaction } from 'idb';
import type { ChatItem } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import { PENDING_ORDER, type MessageRecord, type OutboxRecord, type ParleyDB, type RoomRecord } from './db.ts';
import { noteStored } from './storage-full.ts';
import { lineKept } from './retention.ts';
import { lineRemoved, lineStored, queued, roomStored, settling, settlingMany, takeClaims, unqueued } from './memory.ts';

// Writes to a room's chat. Every write is keyed by (room, message id), so a frame that arrives
// twice (a resend, a replay) updates the same line instead of adding one.

export function toChatItem({ roomId: _room, editId: _edit, marks: _marks, thread: _thread, directDigest: _digest, directBody: _body, receivedOnly: _received, directGotBy: gotBy, awaitingGot: _awaiting, ...item }: MessageRecord): ChatItem {
  return gotBy ? { ...item, directGot: gotBy.length } : item;
}

function isWatched(bg: Background, roomId: string): boolean {
  for (const view of bg.views) if (view.watching === roomId) return true;
  return false;
}

/**
 * Stores a line and tells the views (unless `shownAlready`, for a new line the caller showed); returns false when it was already there. `line.order` is
 * relative to the room's current numbering (a seq, or a gap's half-step); pending lines keep
 * PENDING_ORDER so they sort last.
 */
export async function putChatLine(bg: Background, line: MessageRecord, seq: number | null, shownAlready = false): Promise<boolean> {
  const tx = bg.db.transaction(['messages', 'rooms', 'senders'], 'readwrite');
  const messages = tx.objectStore('messages');
  const room = bg.mem.rooms.get(line.roomId);
  const base = room?.seqBase ?? 0;
  const existing = await messages.get([line.roomId, line.id]);
  let stored: MessageRecord;
  if (existing) {
    // Already shown: only the relay's numbering can still change (a pending one of ours, acked).
    if (existing.seq !== null || seq === null) {
      // Still seen at this seq: a relay that renumbered the room (new epoch) replays a message we
      // already had under a new number, and a lastSeq left below it makes every SYNCED ask again.
      const settled = room && seq !== null ? settling(bg, room, seq, seq) : null;
      const next = room && settled && settled.lastSeq !== room.lastSeq ? { ...room, lastSeq: settled.lastSeq } : null;
      if (next) await tx.objectStore('rooms').put(next);
      await tx.done;
      settled?.done();
      if (next) roomStored(bg, next);
      return false;
    }
    // The relay numbered it, so it is stored there after all: no longer a direct-only line (direct-only.ts).
    const { directOnly: _only, directTo: _to, receivedOnly: _received, ...numbered } = existing;
    stored = { ...numbered, seq, order: base + seq, status: existing.mine ? 'sent' : existing.status };
  } else {
    stored = { ...line, order: line.order === PENDING_ORDER ? PENDING_ORDER : base + line.order };
  }
  await writeLine(bg, tx, stored, !existing, seq, null);
  if (!(shownAlready && !existing)) bg.postToWatchers(line.roomId, { type: 'room-item', roomId: line.roomId, item: toChatItem(stored) });
  bg.refresh();
  return !existing;
}

/**
 * A line known not to be stored yet (a message just opened and verified: the caller looked): shown
 * first, then stored with its room and any sender claim in one transaction, which replaces the
 * line `replaces` if there is one. Shown before it is stored because the watching view is
 * waiting for it; a worker killed before the write loses it here but not at the relay, which
 * replays it, as the room's lastSeq advances only with the write. A write that fails takes the
 * line back from the views (the caller asks the relay for it again) and throws.
 */
export async function showThenStore(bg: Background, line: MessageRecord, seq: number, replaces: string | null): Promise<void> {
  const stored = { ...line, order: (bg.mem.rooms.get(line.roomId)?.seqBase ?? 0) + line.order };
  bg.postToWatchers(line.roomId, { type: 'room-item', roomId: line.roomId, item: toChatItem(stored) });
  const tx = bg.db.transaction(['messages', 'rooms', 'senders'], 'readwrite');
  let removed: string | null;
  try {
    removed = await writeLine(bg, tx, stored, true, seq, replaces);
  } catch (e) {
    // Shown but not stored: a view must not keep a line this device does not have.
    bg.postToWatchers(line.roomId, { type: 'room-item-removed', roomId: line.roomId, id: line.id });
    throw e;
  }
  if (removed) bg.postToWatchers(line.roomId, { type: 'room-item-removed', roomId: line.roomId, id: removed });
  bg.refresh();
}

type LineTx = IDBPTransaction<ParleyDB, ('messages' | 'rooms' | 'senders')[], 'readwrite'>;

/**
 * Writes `stored`, its room (lastSeq, unread) and the sender claims made since the last write,
 * deletes line `replaces` if stored, commits, and only then updates memory. Returns the id
 * deleted, if any.
 */
async function writeLine(bg: Background, tx: LineTx, stored: MessageRecord, added: boolean, seq: number | null, replaces: string | null): Promise<string | null> {
  const pending = takeClaims(bg);
  const room = bg.mem.rooms.get(stored.roomId);
  let next: RoomRecord | null = null;
  const settled = room && seq !== null ? settling(bg, room, seq, seq) : null;
  if (room) {
    const unread = added && !stored.mine && stored.kind === 'message' && !isWatched(bg, stored.roomId) ? 1 : 0;
    next = { ...room, lastSeq: settled?.lastSeq ?? room.lastSeq, unread: room.unread + unread };
  }
  try {
    const messages = tx.objectStore('messages');
    const writes: Promise<unknown>[] = [messages.put(stored)];
    if (next) writes.push(tx.objectStore('rooms').put(next));
    for (const claim of pending.claims) writes.push(tx.objectStore('senders').put(claim));
    let removed: string | null = null;
    if (replaces !== null && (await messages.getKey([stored.roomId, replaces])) !== undefined) {
      writes.push(messages.delete([stored.roomId, replaces]));
      removed = replaces;
    }
    await Promise.all(writes);
    await tx.done;
    noteStored(bg);
    settled?.done();
    if (next) roomStored(bg, next);
    lineStored(bg, stored);
    if (removed) lineRemoved(bg, stored.roomId, removed);
    if (added) lineKept(bg, stored.roomId);
    return removed;
  } catch (e) {
    pending.undo();
    tx.done.catch(() => {}); // failed already: reported once, by the throw
    throw e;
  }
}

/**
 * showThenStore for several new lines of one room (a replay's frames, opened and checked): shown
 * at once as one room-items, then stored in ONE transaction with the room (lastSeq settled over
 * all their seqs, unread) and the sender claims, each replacing its line in `replaces` if stored.
 * The same rules as one line: memory changes after the commit, and a failed write takes every
 * line back from the views and throws (the caller asks the relay again; lastSeq did not move).
 */
export async function showThenStoreMany(bg: Background, lines: readonly MessageRecord[], replaces: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const roomId = lines[0]!.roomId;
  const base = bg.mem.rooms.get(roomId)?.seqBase ?? 0;
  const stored = lines.map((line) => ({ ...line, order: base + line.order }));
  bg.postToWatchers(roomId, { type: 'room-items', roomId, items: stored.map(toChatItem) });
  const tx = bg.db.transaction(['messages', 'rooms', 'senders'], 'readwrite');
  const pending = takeClaims(bg);
  const room = bg.mem.rooms.get(roomId);
  const settled = room ? settlingMany(bg, room, stored.flatMap((s) => (s.seq === null ? [] : [s.seq]))) : null;
  const watched = isWatched(bg, roomId);
  const unread = watched ? 0 : stored.filter((s) => !s.mine && s.kind === 'message').length;
  const next: RoomRecord | null = room ? { ...room, lastSeq: settled?.lastSeq ?? room.lastSeq, unread: room.unread + unread } : null;
  let removed: string[];
  try {
    const messages = tx.objectStore('messages');
    const writes: Promise<unknown>[] = stored.map((s) => messages.put(s));
    if (next) writes.push(tx.objectStore('rooms').put(next));
    for (const claim of pending.claims) writes.push(tx.objectStore('senders').put(claim));
    const found = await Promise.all(replaces.map((id) => messages.getKey([roomId, id])));
    removed = replaces.filter((_id, i) => found[i] !== undefined);
    for (const id of removed) writes.push(messages.delete([roomId, id]));
    await Promise.all(writes);
    await tx.done;
  } catch (e) {
    pending.undo();
    tx.done.catch(() => {}); // failed already: reported once, by the throw
    // Shown but not stored: a view must not keep lines this device does not have.
    for (const s of stored) bg.postToWatchers(roomId, { type: 'room-item-removed', roomId, id: s.id });
    throw e;
  }
  noteStored(bg);
  settled?.done();
  if (next) roomStored(bg, next);
  for (const s of stored) {
    lineStored(bg, s);
    lineKept(bg, roomId);
  }
  for (const id of removed) {
    lineRemoved(bg, roomId, id);
    bg.postToWatchers(roomId, { type: 'room-item-removed', roomId, id });
  }
  bg.refresh();
}

/** The id of the notice that stands for a copy of message `id` that did not open. */
export function unopenedNoticeId(id: string): string {
  return `unopened-${id}`;
}

/** Removes a line (if stored) and tells the views it is gone. */
export async function removeChatLine(bg: Background, roomId: string, id: string): Promise<void> {
  const tx = bg.db.transaction('messages', 'readwrite');
  const existing = await tx.store.get([roomId, id]);
  if (existing) await tx.store.delete([roomId, id]);
  await tx.done;
  if (!existing) return;
  lineRemoved(bg, roomId, id);
  bg.postToWatchers(roomId, { type: 'room-item-removed', roomId, id });
  bg.refresh();
}

export async function markAcked(bg: Background, roomId: string, id: string, seq: number): Promise<void> {
  const tx = bg.db.transaction(['messages', 'rooms', 'outbox'], 'readwrite');
  const message = await tx.objectStore('messages').get([roomId, id]);
  const writes: Promise<unknown>[] = [tx.objectStore('outbox').delete([roomId, id])];
  const room = bg.mem.rooms.get(roomId);
  // Our ACK may overtake another member's message with a lower seq (settled-seqs.ts).
  const settled = room ? settling(bg, room, seq, seq) : null;
  const next = room && settled && settled.lastSeq !== room.lastSeq ? { ...room, lastSeq: settled.lastSeq } : null;
  if (next) writes.push(tx.objectStore('rooms').put(next));
  let updated: MessageRecord | null = null;
  if (message && message.seq === null) {
    const { notSent: _sent, ...line } = message;
    updated = { ...line, seq, order: (room?.seqBase ?? 0) + seq, status: 'sent' };
    writes.push(tx.objectStore('messages').put(updated));
  }
  await Promise.all([...writes, tx.done]);
  settled?.done();
  unqueued(bg, roomId, id);
  if (next) roomStored(bg, next);
  if (updated) {
    // Still the last line if nothing numbered came after it and nothing of ours waits behind it.
    const newest = next !== null && next.lastSeq === seq && !bg.mem.ahead.has(roomId);
    lineStored(bg, updated, newest && !bg.mem.outbox.get(roomId)?.size);
    bg.postToWatchers(roomId, { type: 'room-item', roomId, item: toChatItem(updated) });
  }
  bg.refresh();
}

/**
 * The sender's own message and its outbox entry are written in one transaction: a worker killed
 * in between would otherwise leave a message that is sent but never shown, or shown but never sent.
 * The same transaction checks that the id is new (a view resends what it did not see stored), and
 * stores the sender claim signing made. Returns false, writing nothing, for an id already stored.
 */
export async function queueOwnMessage(bg: Background, line: MessageRecord, body: string): Promise<boolean> {
  const tx = bg.db.transaction(['messages', 'outbox', 'senders'], 'readwrite');
  const record: OutboxRecord = { roomId: line.roomId, id: line.id, body, queuedAt: line.sentAt };
  const pending = takeClaims(bg);
  try {
    const known = (await tx.objectStore('messages').getKey([line.roomId, line.id])) !== undefined;
    const writes: Promise<unknown>[] = known ? [] : [tx.objectStore('outbox').put(record), tx.objectStore('messages').put(line)];
    for (const claim of pending.claims) writes.push(tx.objectStore('senders').put(claim));
    await Promise.all([...writes, tx.done]);
    if (known) return false;
  } catch (e) {
    pending.undo();
    tx.done.catch(() => {}); // failed already: reported once, by the throw
    throw e;
  }
  queued(bg, record);
  lineStored(bg, line);
  bg.postToWatchers(line.roomId, { type: 'room-item', roomId: line.roomId, item: toChatItem(line) });
  bg.refresh();
  return true;
}
