import type { Background, ViewPort } from './context.ts';
import { PENDING_ORDER, type MessageRecord } from './db.ts';
import { putChatLine, removeChatLine, toChatItem } from './messages.ts';
import { sendDirectOnly } from './direct-path.ts';
import { lineStored } from './memory.ts';

// "Don't store my messages on the relay" (Settings.directOnly; docs/protocol.md "Messages sent
// only directly"). The rules:
//  1. Only with "Direct connections" on (checkSettings drops the setting otherwise).
//  2. A message we send is sealed and signed as any other, but never queued in the outbox: it goes
//     as {t:"msg", room, id, body, only:true} on every open data channel of its room and nowhere
//     else, not after a restart either. Our line says on how many channels it went.
//  3. With no channel of the room open, nothing is sent: the line stays, marked not sent with the
//     reason, and its sealed body is kept on this device for Try again (or Delete). What was typed
//     is never lost.
//  4. Such a line never gets a seq, so it takes a local order (localOrder below): just after the
//     room's last line that is not pending, below the relay's next seq; and after the relay's
//     head on this connection (ROOM), so lines still being replayed, older, sort before it.
//  5. A line that came with `only` (direct-receive.ts) takes a local order too, is shown at once and
//     is not a line waiting for the relay's seq: MAX_DIRECT_WAITING and retention's waitingDirect
//     do not count it, retention counts it like any kept line. Should the relay's copy of its id
//     come after all, it is handled as any relayed copy (messages.ts putChatLine: it is numbered
//     and no longer direct-only; a different body replaces it, on-chat-message.ts).
//  6. Reactions, edits and deletes are relay events (they settle a seq): none is sent on a
//     direct-only line (own-event.ts), so none leaks it to the relay.
//  7. A member who holds one of our direct-only lines (new to it or not) confirms it on its channel,
//     {t:"got", room, id}; the line then says by how many members it was received (each member
//     once) and its sealed body is no longer kept. Until then the body stays on this device: a
//     line no member confirmed within DIRECT_CONFIRM_MS (a channel that closed as it went, a
//     member that dropped it over its budget) is marked not sent, with Try again and Delete.
//     Try again puts the line at the bottom again, where its receivers will show it.

/** Rule 7: a direct-only line of ours no member confirmed by then is shown not sent. */
export const DIRECT_CONFIRM_MS = 10_000;
/** Rule 7: members counted per line, at most (a room holds far fewer). */
const MAX_CONFIRMED_BY = 256;

/** The local orders of direct-only lines in a row step by this (docs/protocol.md). */
export const LOCAL_ORDER_STEP = 1 / 1024;

/**
 * Rule 4 (docs/protocol.md "Messages sent only directly"): after `highest`, the greatest order of
 * the room's lines below PENDING_ORDER (-Infinity: none), and `numbered`, seqBase + lastSeq. With
 * m the greater: m + LOCAL_ORDER_STEP while that stays below floor(m) + 1 (the relay's next seq
 * sorts after it); past that, halfway to floor(m) + 1 while that is still above m; then m itself
 * (lines with one order sort by id, and ids grow with time).
 */
export function localOrder(highest: number, numbered: number): number {
  const m = Math.max(highest, numbered);
  const next = Math.floor(m) + 1;
  if (m + LOCAL_ORDER_STEP < next) return m + LOCAL_ORDER_STEP;
  const half = m + (next - m) / 2;
  return half > m && half < next ? half : m;
}

/** Rule 4 for `roomId` now: its absolute order (seqBase included). */
export async function nextLocalOrder(bg: Background, roomId: string): Promise<number> {
  const room = bg.mem.rooms.get(roomId);
  const range = IDBKeyRange.bound([roomId, -Infinity, ''], [roomId, PENDING_ORDER, ''], false, true);
  const cursor = await bg.db.transaction('messages').store.index('byOrder').openCursor(range, 'prev');
  // While the relay replays what we missed, lastSeq is behind: its head says where the replay ends.
  const head = room ? bg.links.get(room.relayUrl)?.heads.get(roomId) ?? 0 : 0;
  return localOrder(cursor?.value.order ?? -Infinity, (room?.seqBase ?? 0) + Math.max(room?.lastSeq ?? 0, head));
}

/** Rule 3's reason, in words. */
export const NO_DIRECT_MEMBER_TEXT = 'no member is connected to you directly, and "Don\'t store my messages on the relay" is on, so it was sent to nobody.';

/** Rule 3 when a member is connected but we already sent them all their channel takes for now (direct-path.ts rule 6). */
export const OVER_BUDGET_TEXT = 'it was sent too fast for the direct connection, and "Don\'t store my messages on the relay" is on, so it was sent to nobody. Try again in a moment.';

/** Why a line reached nobody: no open channel, or only ones over their budget. */
const reachedNobody = (overBudget: number): string => (overBudget > 0 ? OVER_BUDGET_TEXT : NO_DIRECT_MEMBER_TEXT);

/** Rule 7's reason, in words. */
export const NOT_CONFIRMED_TEXT = 'no member confirmed getting it (a direct connection may have closed as it went), and it is not on the relay.';

/** Rule 6, in words. */
export const DIRECT_ONLY_LINE_TEXT = 'This message was sent only directly and is not on the relay, so it cannot take reactions, edits or deletes.';

/** Whether our messages in any room go only directly (rule 1). */
export const directOnlyOn = (bg: Background): boolean => bg.mem.settings.directOnly === true && bg.mem.settings.directConnections === true;

/**
 * Rules 2-4: `line` (ours, sealed as `body`, not stored yet) is sent on every open channel of its
 * room and stored with a local order, as sent or as not sent. Returns false, sending nothing, for
 * an id already stored (a view saying it again). Sent before it is stored: a worker killed in
 * between leaves the view's copy unconfirmed, it says it again, and receivers dedup by id.
 */
export async function sendOwnDirectOnly(bg: Background, line: MessageRecord, body: string): Promise<boolean> {
  if ((await bg.db.getKey('messages', [line.roomId, line.id])) !== undefined) return false;
  const base = bg.mem.rooms.get(line.roomId)?.seqBase ?? 0;
  const order = (await nextLocalOrder(bg, line.roomId)) - base;
  const { to, overBudget } = sendDirectOnly(bg, line.roomId, line.id, body);
  const sent: MessageRecord = to > 0
    ? { ...line, seq: null, order, mine: true, directOnly: true, directTo: to, directBody: body, status: 'sent', awaitingGot: line.roomId }
    : { ...line, seq: null, order, mine: true, directOnly: true, directBody: body, status: 'sending', notSent: { reason: reachedNobody(overBudget), retryAt: null } };
  const stored = await putChatLine(bg, sent, null);
  if (stored && to > 0) awaitConfirmation(bg, line.roomId, line.id);
  return stored;
}

/** Rule 7: unconfirmed after DIRECT_CONFIRM_MS, the line says so and offers Try again. */
function awaitConfirmation(bg: Background, roomId: string, id: string): void {
  setTimeout(() => bg.run(async (b) => {
    const line = await b.db.get('messages', [roomId, id]);
    if (!line?.mine || !line.directOnly || line.directBody === undefined || line.notSent || line.directGotBy?.length) return;
    await notConfirmed(b, line);
  }), DIRECT_CONFIRM_MS);
}

/** Rule 7: nobody confirmed `line` (in time, or before the worker stopped): not sent, with Try again. */
async function notConfirmed(bg: Background, line: MessageRecord): Promise<void> {
  const { awaitingGot: _awaiting, ...rest } = line;
  const held: MessageRecord = { ...rest, status: 'sending', notSent: { reason: NOT_CONFIRMED_TEXT, retryAt: null } };
  await bg.db.put('messages', held);
  lineStored(bg, held);
  bg.postToWatchers(line.roomId, { type: 'room-item', roomId: line.roomId, item: toChatItem(held) });
}

/**
 * Rule 7 at the worker's start: a line still waiting for a confirmation went out on channels that
 * stopped with the worker (its offscreen document closed with it), and its timer went too.
 */
export async function unconfirmedAtStart(bg: Background): Promise<void> {
  for (const line of await bg.db.getAllFromIndex('messages', 'byAwaitingGot')) await notConfirmed(bg, line);
}

/** Rule 7: member `peer` confirms our direct-only line `id`. */
export async function directOnlyGot(bg: Background, roomId: string, id: string, peer: string): Promise<void> {
  const line = await bg.db.get('messages', [roomId, id]);
  if (!line?.mine || !line.directOnly) return;
  const by = line.directGotBy ?? [];
  if (by.includes(peer) || by.length >= MAX_CONFIRMED_BY) return;
  const { directBody: _body, notSent: _not, awaitingGot: _awaiting, ...rest } = line;
  const got: MessageRecord = { ...rest, status: 'delivered', directGotBy: [...by, peer] };
  await bg.db.put('messages', got);
  lineStored(bg, got);
  bg.postToWatchers(roomId, { type: 'room-item', roomId, item: toChatItem(got) });
}

/** Rule 3's Try again on one of our direct-only lines; false: not such a line. */
export async function retryDirectOnly(bg: Background, roomId: string, id: string, view?: ViewPort): Promise<boolean> {
  const line = await bg.db.get('messages', [roomId, id]);
  if (!line?.directOnly || !line.mine) return false;
  if (line.directBody === undefined || !line.notSent) return true; // confirmed already, or on its way
  const outcome = await sendHeld(bg, line);
  if (outcome !== 'sent' && view) bg.post(view, { type: 'error', code: 'NO_DIRECT_MEMBER', message: `Still not sent: ${reachedNobody(outcome === 'over-budget' ? 1 : 0)}` });
  return true;
}

/** Sends a held line on the room's open channels; on at least one, the line says so. */
async function sendHeld(bg: Background, line: MessageRecord): Promise<'sent' | 'nobody' | 'over-budget'> {
  if (line.directBody === undefined) return 'nobody';
  const { to, overBudget } = sendDirectOnly(bg, line.roomId, line.id, line.directBody);
  if (to === 0) return overBudget > 0 ? 'over-budget' : 'nobody';
  const { notSent: _not, ...rest } = line;
  // At the bottom again, where its receivers show it (rule 7).
  const sent: MessageRecord = { ...rest, order: await nextLocalOrder(bg, line.roomId), status: 'sent', directTo: to, awaitingGot: line.roomId };
  await bg.db.put('messages', sent);
  lineStored(bg, sent);
  bg.postToWatchers(line.roomId, { type: 'room-item', roomId: line.roomId, item: toChatItem(sent) });
  bg.refresh();
  awaitConfirmation(bg, line.roomId, line.id);
  return 'sent';
}

/** Rule 3's Delete on one of our direct-only lines not sent; false: not such a line. */
export async function deleteHeldDirectOnly(bg: Background, roomId: string, id: string): Promise<boolean> {
  const line = await bg.db.get('messages', [roomId, id]);
  if (!line?.directOnly || !line.mine) return false;
  if (line.notSent) await removeChatLine(bg, roomId, id);
  return true;
}
