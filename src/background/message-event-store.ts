import type { IDBPTransaction } from 'idb';
import type { Background } from './context.ts';
import type { MessageRecord, OutboxRecord, ParleyDB, RoomRecord } from './db.ts';
import { applyEvent, withoutQuoteOf, type MessageEvent } from './message-events.ts';
import { toChatItem } from './messages.ts';
import { lineStored, queued, roomStored, settling, takeClaims } from './memory.ts';

// Where message events (message-events.ts) meet IndexedDB: the changed line, the lines quoting a
// deleted one, the room's settled seq and any sender claim are written in one transaction, and
// memory and the views learn of them only after it committed.

type EventTx = IDBPTransaction<ParleyDB, ('messages' | 'rooms' | 'senders' | 'outbox')[], 'readwrite'>;

/** Applies `event` inside `tx`: the lines it changed, written (not yet committed). */
async function applyIn(bg: Background, tx: EventTx, roomId: string, event: MessageEvent, ownKey: string): Promise<MessageRecord[]> {
  const messages = tx.objectStore('messages');
  const target = await messages.get([roomId, event.target]);
  const next = applyEvent(target, event, ownKey);
  if (!next) return [];
  const changed = [next];
  await messages.put(next);
  if (next.deleted) {
    // Rule 4: the deleted text must not stay on this device inside a quote either. Deletes are
    // rare and a room is bounded by local retention, so one pass over the room is affordable.
    const range = IDBKeyRange.bound([roomId, -Infinity, ''], [roomId, Infinity, '\uffff']);
    let cursor = await messages.index('byOrder').openCursor(range);
    while (cursor) {
      const blanked = withoutQuoteOf(cursor.value, event.target);
      if (blanked) {
        await cursor.update(blanked);
        changed.push(blanked);
      }
      cursor = await cursor.continue();
    }
  }
  return changed;
}

function shown(bg: Background, roomId: string, changed: MessageRecord[]): void {
  for (const line of changed) {
    lineStored(bg, line);
    bg.postToWatchers(roomId, { type: 'room-item', roomId, item: toChatItem(line) });
  }
  if (changed.length > 0) bg.refresh();
}

/** A received event (seq `seq`): applied if the rules say so, and its seq settled either way. */
export async function storeIncomingEvent(bg: Background, roomId: string, seq: number, event: MessageEvent, ownKey: string): Promise<void> {
  const tx = bg.db.transaction(['messages', 'rooms', 'senders', 'outbox'], 'readwrite');
  const pending = takeClaims(bg);
  const room = bg.mem.rooms.get(roomId);
  const settled = room ? settling(bg, room, seq, seq) : null;
  const next: RoomRecord | null = room && settled && settled.lastSeq !== room.lastSeq ? { ...room, lastSeq: settled.lastSeq } : null;
  let changed: MessageRecord[];
  try {
    changed = await applyIn(bg, tx, roomId, event, ownKey);
    const writes: Promise<unknown>[] = [];
    if (next) writes.push(tx.objectStore('rooms').put(next));
    for (const claim of pending.claims) writes.push(tx.objectStore('senders').put(claim));
    await Promise.all([...writes, tx.done]);
  } catch (e) {
    pending.undo();
    tx.done.catch(() => {}); // failed already: reported once, by the throw
    throw e;
  }
  settled?.done();
  if (next) roomStored(bg, next);
  shown(bg, roomId, changed);
}

/**
 * One of our own events: applied to our line and queued in the outbox in one transaction, so a
 * worker killed in between leaves neither a change never sent nor one sent and not shown.
 * Returns false, writing nothing, when the event would change nothing (a second tap, a gone line).
 */
export async function queueOwnEvent(bg: Background, roomId: string, event: MessageEvent, body: string, ownKey: string): Promise<boolean> {
  const tx = bg.db.transaction(['messages', 'rooms', 'senders', 'outbox'], 'readwrite');
  const record: OutboxRecord = { roomId, id: event.id, body, queuedAt: event.sentAt };
  const pending = takeClaims(bg);
  let changed: MessageRecord[];
  try {
    changed = await applyIn(bg, tx, roomId, event, ownKey);
    const writes: Promise<unknown>[] = changed.length > 0 ? [tx.objectStore('outbox').put(record)] : [];
    for (const claim of pending.claims) writes.push(tx.objectStore('senders').put(claim));
    await Promise.all([...writes, tx.done]);
  } catch (e) {
    pending.undo();
    tx.done.catch(() => {}); // failed already: reported once, by the throw
    throw e;
  }
  if (changed.length === 0) return false;
  queued(bg, record);
  shown(bg, roomId, changed);
  return true;
}
