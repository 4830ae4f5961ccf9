import type { ChatItem } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import { PENDING_ORDER, type MessageRecord } from './db.ts';

// Writes to a room's chat. Every write is keyed by (room, message id), so a frame that arrives
// twice (a resend, a replay) updates the same line instead of adding one.

export function toChatItem({ roomId: _room, ...item }: MessageRecord): ChatItem {
  return item;
}

function isWatched(bg: Background, roomId: string): boolean {
  for (const view of bg.views) if (view.watching === roomId) return true;
  return false;
}

/**
 * Stores a line and tells the views; returns false when it was already there. `line.order` is
 * relative to the room's current numbering (a seq, or a gap's half-step); pending lines keep
 * PENDING_ORDER so they sort last.
 */
export async function putChatLine(bg: Background, line: MessageRecord, seq: number | null): Promise<boolean> {
  const tx = bg.db.transaction(['messages', 'rooms'], 'readwrite');
  const messages = tx.objectStore('messages');
  const rooms = tx.objectStore('rooms');
  const room = await rooms.get(line.roomId);
  const base = room?.seqBase ?? 0;
  const existing = await messages.get([line.roomId, line.id]);
  let stored: MessageRecord;
  let added = false;
  if (existing) {
    // Already shown: only the relay's numbering can still change (a pending one of ours, acked).
    if (existing.seq !== null || seq === null) {
      // Still seen at this seq: a relay that renumbered the room (new epoch) replays a message we
      // already had under a new number, and a lastSeq left below it makes every SYNCED ask again.
      if (room && seq !== null && seq > room.lastSeq) {
        room.lastSeq = seq;
        await rooms.put(room);
      }
      await tx.done;
      return false;
    }
    stored = { ...existing, seq, order: base + seq, status: existing.mine ? 'sent' : existing.status };
  } else {
    stored = { ...line, order: line.order === PENDING_ORDER ? PENDING_ORDER : base + line.order };
    added = true;
  }
  await messages.put(stored);
  if (room) {
    if (seq !== null && seq > room.lastSeq) room.lastSeq = seq;
    if (added && !line.mine && line.kind === 'message' && !isWatched(bg, line.roomId)) room.unread += 1;
    await rooms.put(room);
  }
  await tx.done;
  bg.postToWatchers(line.roomId, { type: 'room-item', roomId: line.roomId, item: toChatItem(stored) });
  bg.refresh();
  return added;
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
  bg.postToWatchers(roomId, { type: 'room-item-removed', roomId, id });
  bg.refresh();
}

export async function markAcked(bg: Background, roomId: string, id: string, seq: number): Promise<void> {
  const tx = bg.db.transaction(['messages', 'rooms', 'outbox'], 'readwrite');
  const message = await tx.objectStore('messages').get([roomId, id]);
  await tx.objectStore('outbox').delete([roomId, id]);
  const room = await tx.objectStore('rooms').get(roomId);
  if (room && seq > room.lastSeq) {
    room.lastSeq = seq;
    await tx.objectStore('rooms').put(room);
  }
  let updated: MessageRecord | null = null;
  if (message && message.seq === null) {
    const { notSent: _sent, ...line } = message;
    updated = { ...line, seq, order: (room?.seqBase ?? 0) + seq, status: 'sent' };
    await tx.objectStore('messages').put(updated);
  }
  await tx.done;
  if (updated) bg.postToWatchers(roomId, { type: 'room-item', roomId, item: toChatItem(updated) });
  bg.refresh();
}

/**
 * The sender's own message and its outbox entry are written in one transaction: a worker killed
 * in between would otherwise leave a message that is sent but never shown, or shown but never sent.
 */
export async function queueOwnMessage(bg: Background, line: MessageRecord, body: string): Promise<void> {
  const tx = bg.db.transaction(['messages', 'outbox'], 'readwrite');
  await tx.objectStore('outbox').put({ roomId: line.roomId, id: line.id, body, queuedAt: line.sentAt });
  await tx.objectStore('messages').put(line);
  await tx.done;
  bg.postToWatchers(line.roomId, { type: 'room-item', roomId: line.roomId, item: toChatItem(line) });
  bg.refresh();
}
