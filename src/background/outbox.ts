import { encodeFrame } from '../shared/codec.ts';
import { OUTBOX_WINDOW } from '../shared/constants.ts';
import type { ChatSendFrame } from '../shared/protocol.ts';
import type { Background } from './context.ts';
import type { MessageRecord, OutboxRecord, RefusedWhy } from './db.ts';
import { askAgainForUnansweredRooms } from './join.ts';
import type { RelayLink } from './relay-link.ts';
import { linkOfRoom } from './relay-links.ts';
import { removeChatLine, toChatItem } from './messages.ts';
import { NOT_SENT_WORDS, REFUSED_WORDS } from './relay-words.ts';
import { noteSent } from './unanswered.ts';
import { allQueued, outboxOf, queued as keepQueued, unqueued } from './memory.ts';

/**
 * Sends a room's unacked messages on its relay's link, oldest first, keeping at most OUTBOX_WINDOW
 * on the wire; each ACK makes room for the next. Safe to call any number of times: the relay acks a known id again
 * with its original seq instead of delivering it twice. Sends nothing while the outbox is held.
 */
export async function flushOutbox(bg: Background, link: RelayLink, roomId: string): Promise<void> {
  if (!link.socket.isOpen || !link.synced.has(roomId)) return;
  if ((await outboxHoldUntil(bg, link)) > Date.now()) return;
  // From memory (memory.ts), which every outbox write keeps true: no read before the send.
  const queued = outboxOf(bg, roomId);
  let onWire = link.inFlight.get(roomId);
  if (!onWire) link.inFlight.set(roomId, (onWire = new Set()));
  for (const item of queued) {
    // A refused message stays out of the window, so the messages behind it go out.
    if (onWire.has(item.id) || item.refused) continue;
    if (onWire.size >= OUTBOX_WINDOW) return;
    const frame: ChatSendFrame = { type: 'CHATMSG', room: roomId, id: item.id, body: item.body };
    if (!link.socket.send(frame)) return;
    onWire.add(item.id);
    noteSent(link, roomId, item.id, encodeFrame(frame).length);
    if (item.notBefore !== undefined) await tryingAgain(bg, item);
  }
}

/** A room's outbox on whatever link its relay has now (none open: nothing to send on). */
export async function flushRoomOutbox(bg: Background, roomId: string): Promise<void> {
  const link = await linkOfRoom(bg, roomId);
  if (link) await flushOutbox(bg, link, roomId);
}

/** Flushes every synced room on `link`: what a hold that has run out (the wake alarm) calls. */
export async function flushLinkOutboxes(bg: Background, link: RelayLink): Promise<void> {
  for (const roomId of link.synced) await flushOutbox(bg, link, roomId);
}

/** Flushes every synced room on every link. */
export async function flushAllOutboxes(bg: Background): Promise<void> {
  for (const link of bg.links.all()) await flushLinkOutboxes(bg, link);
}

const RETRY_MS = 1_000;

/**
 * After RATE_LIMITED (or INTERNAL), which may not say what it dropped: sends every synced room's
 * unacked messages again (what had arrived is acked again, not delivered twice), and asks again
 * for every room whose join was not answered.
 */
export async function retryAfterRefusal(bg: Background, link: RelayLink): Promise<void> {
  link.inFlight.clear();
  await flushLinkOutboxes(bg, link);
  await askAgainForUnansweredRooms(bg, link);
}

/** One pending retry of the outbox of every room on `link`, however many refusals asked for it. */
export function scheduleOutboxRetry(bg: Background, link: RelayLink): void {
  if (link.retryTimer !== undefined) return;
  link.retryTimer = setTimeout(() => {
    link.retryTimer = undefined;
    bg.retryOutboxes(link);
  }, RETRY_MS);
}

// ---- DAILY_QUOTA: the relay stores no more from our address today -------------------------------
// The quota is per address, so every room's messages on that relay would be refused alike: the
// outbox of every room on that relay waits (rooms on other relays go on), and the wait doubles
// with each refusal (1, 2, 4 … 60 min) so an unattended browser asks the relay a few dozen times a
// day, not every second. The wait lives in the outbox records
// (`notBefore`), so a killed service worker keeps it; the once-a-minute alarm ends it.

const FIRST_HOLD_MS = 60_000;
const LONGEST_HOLD_MS = 60 * 60_000;

/** The wait after the `refusals`-th refusal of one message. */
export function holdDelayMs(refusals: number): number {
  return Math.min(LONGEST_HOLD_MS, FIRST_HOLD_MS * 2 ** Math.max(0, refusals - 1));
}

/** The ids of the stored rooms on `link`'s relay. */
function roomsOn(bg: Background, link: RelayLink): Set<string> {
  return new Set([...bg.mem.rooms.values()].filter((r) => r.relayUrl === link.url).map((r) => r.roomId));
}

/** Until when `link`'s outbox is held (0: not held). Read from the records once per link. */
export async function outboxHoldUntil(bg: Background, link: RelayLink): Promise<number> {
  if (link.outboxHold === undefined) {
    const rooms = roomsOn(bg, link);
    let until = 0;
    for (const item of allQueued(bg)) if (rooms.has(item.roomId)) until = Math.max(until, item.notBefore ?? 0);
    link.outboxHold ??= { until };
  }
  return link.outboxHold.until;
}

/**
 * `link`'s relay refused message `id` for its daily quota: hold the outbox of the rooms on that
 * relay, and show each of their queued messages as not sent yet, with why and when the next try is.
 */
export async function holdOutbox(bg: Background, link: RelayLink, roomId: string, id: string, now = Date.now()): Promise<void> {
  link.inFlight.get(roomId)?.delete(id);
  const refused = await bg.db.get('outbox', [roomId, id]);
  if (!refused) return; // acked meanwhile: nothing waits
  const refusals = (refused.refusals ?? 0) + 1;
  const until = Math.max(now + holdDelayMs(refusals), await outboxHoldUntil(bg, link));
  link.outboxHold = { until };
  const rooms = roomsOn(bg, link);
  const tx = bg.db.transaction(['outbox', 'messages'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const messages = tx.objectStore('messages');
  const changed = [];
  const records: OutboxRecord[] = [];
  for (const item of await outbox.getAll()) {
    if (item.refused || !rooms.has(item.roomId)) continue; // waits for the user, not for the quota; or another relay's
    const record = { ...item, notBefore: until, ...(item.id === id && item.roomId === roomId ? { refusals } : {}) };
    records.push(record);
    await outbox.put(record);
    const line = await messages.get([item.roomId, item.id]);
    if (!line || line.seq !== null) continue;
    const held = { ...line, notSent: { reason: NOT_SENT_WORDS.DAILY_QUOTA, retryAt: until } };
    await messages.put(held);
    changed.push(held);
  }
  await tx.done;
  for (const record of records) keepQueued(bg, record);
  for (const line of changed) bg.postToWatchers(line.roomId, { type: 'room-item', roomId: line.roomId, item: toChatItem(line) });
  bg.refresh();
}

/**
 * Someone asked (a view opened, Retry now, Send now): end the hold and try once more. A person
 * looking is worth one more try; a refusal starts a longer wait.
 */
export async function releaseOutboxHold(bg: Background, link: RelayLink, now = Date.now()): Promise<void> {
  if ((await outboxHoldUntil(bg, link)) <= now) return;
  link.outboxHold = { until: 0 };
  const rooms = roomsOn(bg, link);
  const tx = bg.db.transaction('outbox', 'readwrite');
  const records: OutboxRecord[] = [];
  for (const item of await tx.store.getAll()) {
    if (rooms.has(item.roomId) && (item.notBefore ?? 0) > now) {
      records.push({ ...item, notBefore: now });
      await tx.store.put(records[records.length - 1]!);
    }
  }
  await tx.done;
  for (const record of records) keepQueued(bg, record);
  await flushLinkOutboxes(bg, link);
}

/** A held message is on the wire again: its line says "sending…" until the relay answers. */
async function tryingAgain(bg: Background, item: OutboxRecord): Promise<void> {
  await changeQueued(bg, item.roomId, item.id, ({ notBefore: _done, ...rest }) => rest, withoutNotSent);
}

/**
 * Changes one queued message and its chat line in one transaction, then shows watching views the
 * line's new state. `queued` gives the record to store (null: leave both alone, nothing to do);
 * `shown` the line to store (null: the line stays). Returns whether the record was changed.
 */
async function changeQueued(
  bg: Background, roomId: string, id: string,
  queued: (record: OutboxRecord) => OutboxRecord | null,
  shown: (line: MessageRecord) => MessageRecord | null,
): Promise<boolean> {
  const tx = bg.db.transaction(['outbox', 'messages'], 'readwrite');
  const record = await tx.objectStore('outbox').get([roomId, id]);
  const next = record ? queued(record) : null;
  let updated: MessageRecord | null = null;
  if (next) {
    await tx.objectStore('outbox').put(next);
    const line = await tx.objectStore('messages').get([roomId, id]);
    updated = line ? shown(line) : null;
    if (updated) await tx.objectStore('messages').put(updated);
  }
  await tx.done;
  if (next) keepQueued(bg, next);
  if (updated) bg.postToWatchers(roomId, { type: 'room-item', roomId, item: toChatItem(updated) });
  return next !== null;
}

const withoutNotSent = (line: MessageRecord): MessageRecord | null => {
  if (!line.notSent) return null;
  const { notSent: _gone, ...sending } = line;
  return sending;
};

// ---- Refused for good: the relay will never accept this message as it is ----------------------
// (FRAME_TOO_LARGE, a 1009 close, BAD_FRAME.) Resending would only be refused again, or close the
// socket again, so it leaves the window and waits for the user: [Try again] (another relay, a
// newer one) or [Delete]. Its text stays on the line meanwhile.

/** Marks message `id` refused for `why`, and lets the messages behind it go out. */
export async function refuseMessage(bg: Background, link: RelayLink, roomId: string, id: string, why: RefusedWhy): Promise<void> {
  link.inFlight.get(roomId)?.delete(id);
  if (!(await bg.db.getKey('messages', [roomId, id]))) return refuseEvent(bg, link, roomId, id, why);
  const changed = await changeQueued(bg, roomId, id,
    ({ notBefore: _held, ...rest }) => ({ ...rest, refused: why }),
    (line) => (line.seq === null ? { ...line, notSent: { reason: REFUSED_WORDS[why], retryAt: null } } : null));
  if (!changed) return; // acked meanwhile
  bg.refresh();
  await flushOutbox(bg, link, roomId);
}

/**
 * An edit, reaction or removal (an event: no line of its own to show [Try again] on) refused as it
 * is: it would be refused again, so it leaves the outbox, and every open view says so in words.
 * It stays applied on this device only; nobody else sees it.
 */
async function refuseEvent(bg: Background, link: RelayLink, roomId: string, id: string, why: RefusedWhy): Promise<void> {
  const record = await bg.db.get('outbox', [roomId, id]);
  if (!record) return; // acked meanwhile
  await bg.db.delete('outbox', [roomId, id]);
  unqueued(bg, roomId, id);
  // Every view, not only those showing the room: there is no line to find it on later.
  const room = bg.mem.rooms.get(roomId)?.name ?? 'a room';
  const message = `Your edit, reaction or removal in “${room}” was not sent: ${REFUSED_WORDS[why]} Only you see it.`;
  for (const view of bg.views) bg.post(view, { type: 'error', code: 'EVENT_NOT_SENT', message });
  bg.refresh();
  await flushOutbox(bg, link, roomId);
}

/** [Try again] on a refused message: back in the outbox's window. */
export async function resendRefused(bg: Background, roomId: string, id: string): Promise<void> {
  const changed = await changeQueued(bg, roomId, id,
    ({ refused, ...queued }) => (refused ? queued : null),
    withoutNotSent);
  if (changed) await flushRoomOutbox(bg, roomId);
}

/** [Delete] on a refused message: gone from the outbox and the chat. Only refused ones: a message on the wire may be acked any moment. */
export async function deleteRefused(bg: Background, roomId: string, id: string): Promise<void> {
  const record = await bg.db.get('outbox', [roomId, id]);
  if (!record?.refused) return;
  await bg.db.delete('outbox', [roomId, id]);
  unqueued(bg, roomId, id);
  await removeChatLine(bg, roomId, id);
}
