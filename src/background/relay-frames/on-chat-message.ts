import { openMessage } from '../../shared/crypto.ts';
import type { ChatDeliverFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { putChatLine, showThenStore, showThenStoreMany, unopenedNoticeId } from '../messages.ts';
import type { MessageRecord } from '../db.ts';
import { isOnLink } from '../relay-links.ts';
import { ownIdentity } from '../identity.ts';
import { askAgain } from '../join.ts';
import { memorySenders } from '../memory.ts';
import { checkIncoming } from '../../shared/identity-rules.ts';
import { roomKeys } from '../room-keys.ts';
import { storeIncomingEvent } from '../message-event-store.ts';
import { replyRef } from '../message-events.ts';
import { typingEndsWithMessage } from '../presence.ts';
import { scheduleReceipt } from '../receipts.ts';
import { notifyLive } from '../notifications.ts';
import { threadFields } from '../page-threads.ts';
import { bodyDigest } from '../direct-digest.ts';
import { lineRemoved } from '../memory.ts';

export async function onChatMessage(bg: Background, link: RelayLink, frame: ChatDeliverFrame): Promise<void> {
  let stored: MessageRecord | null;
  try {
    stored = await storeChatMessage(bg, frame);
  } catch (e) {
    // Not stored, so the room's lastSeq stays below it: the relay has it, ask for it again.
    askAgain(bg, link, frame.room);
    throw e;
  }
  await afterStored(bg, link, frame.room, stored ? [{ frame, line: stored }] : [], true);
}

/**
 * Live (not a replay): each sender's typing ends, a batched receipt says we stored them, and a
 * notification may say so. `handled`: a frame was handled even if no line was stored (an event, a copy).
 */
async function afterStored(bg: Background, link: RelayLink, room: string, stored: { frame: ChatDeliverFrame; line: MessageRecord }[], handled: boolean): Promise<void> {
  if (!link.synced.has(room)) return;
  for (const { frame } of stored) typingEndsWithMessage(bg, link, room, frame.from);
  if (handled || stored.length > 0) scheduleReceipt(bg, link, room);
  for (const { line } of stored) await notifyLive(bg, line);
}

/** The new message line it stored, if it stored one. */
async function storeChatMessage(bg: Background, frame: ChatDeliverFrame): Promise<MessageRecord | null> {
  const keys = await roomKeys(bg, frame.room);
  if (!keys) return null; // A room we left; the relay will stop sending once LEAVE lands.
  // The one read on this path, made while the body is opened.
  const opening = openMessage(keys, frame.room, frame.id, frame.body);
  let existing = await bg.db.get('messages', [frame.room, frame.id]);
  const opened = await opening;
  let differed = false;
  if (existing && existing.seq === null && existing.directDigest !== undefined && existing.directDigest !== await bodyDigest(frame.body)) {
    // One id, two bodies: its sender gave us one over the data channel and the relay another. The
    // relay's wins (every other member and every later joiner has it); the line says so
    // (direct-path.ts rule 7).
    await bg.db.delete('messages', [frame.room, frame.id]);
    lineRemoved(bg, frame.room, frame.id);
    bg.postToWatchers(frame.room, { type: 'room-item-removed', roomId: frame.room, id: frame.id });
    existing = undefined;
    differed = true;
  }
  if (existing) {
    // Our own message replayed (its ACK was lost), or a duplicate: only its number may be new.
    await putChatLine(bg, existing, frame.seq);
    return null;
  }
  const base = { roomId: frame.room, id: frame.id, seq: frame.seq, order: frame.seq, mine: false, status: 'received' as const };
  if (opened.ok) {
    const { text, nick, sentAt, ev, reply, page, quote } = opened.value;
    const ownKey = (await ownIdentity(bg.db)).publicKey;
    const sender = await checkIncoming(ownKey, memorySenders(bg), frame.room, frame.id, opened.value);
    if (ev) {
      // Not a line: applied to its target by the rules in message-events.ts, its seq settled.
      await storeIncomingEvent(bg, frame.room, frame.seq, { id: frame.id, ...ev, text, nick, sentAt, sender }, ownKey);
      return null;
    }
    // The quote as the answered line stands now (one more read, only for answers).
    const replyTo = reply !== undefined ? { replyTo: replyRef(reply, await bg.db.get('messages', [frame.room, reply])) } : {};
    // Shown at once, then stored; a bad copy that came first no longer stands for this message.
    const line = { ...base, kind: 'message' as const, nick, text, sentAt, sender, ...replyTo, ...(await threadFields(bg, frame.room, page)), ...(quote ? { quote } : {}), ...(differed ? { directDiffered: true } : {}) };
    await showThenStore(bg, line, frame.seq, unopenedNoticeId(frame.id));
    return line;
  } else {
    // Shown, not hidden, so a member can tell something was tampered with; worded calmly because
    // the usual cause is a peer on an older version.
    // Under its own id, never the message's: the genuine copy may still come and must not be
    // dropped as a duplicate of this notice.
    await putChatLine(bg, { ...base, id: unopenedNoticeId(frame.id), kind: 'notice', nick: '', text: 'A message could not be opened and was skipped.', sentAt: frame.at }, frame.seq);
    return null;
  }
}

/**
 * Several CHATMSG frames of one room that arrived back to back (a replay): opened together, and
 * the new ones that opened stored in one transaction (showThenStoreMany) instead of one each,
 * which is where a replay's time went (two IndexedDB transactions per frame: 96% of it for 3,000
 * frames). Frames already stored or that do not open take the one-frame path, after.
 */
export async function onChatMessages(bg: Background, link: RelayLink, frames: readonly ChatDeliverFrame[]): Promise<void> {
  const room = frames[0]?.room;
  if (room === undefined || frames.some((f) => f.room !== room) || !(await isOnLink(bg, link, room))) return;
  if (frames.length === 1) return onChatMessage(bg, link, frames[0]!);
  let batch: { rest: ChatDeliverFrame[]; stored: { frame: ChatDeliverFrame; line: MessageRecord }[] };
  try {
    batch = await storeNewMessages(bg, room, frames);
  } catch (e) {
    askAgain(bg, link, room);
    throw e;
  }
  await afterStored(bg, link, room, batch.stored, false);
  for (const frame of batch.rest) await onChatMessage(bg, link, frame);
}

/**
 * Stores the frames that are new plain messages that open; returns them and the others, in order.
 * Events and answers take the one-frame path: they read their target, which may be in this batch.
 */
async function storeNewMessages(bg: Background, room: string, frames: readonly ChatDeliverFrame[]): Promise<{ rest: ChatDeliverFrame[]; stored: { frame: ChatDeliverFrame; line: MessageRecord }[] }> {
  const keys = await roomKeys(bg, room);
  if (!keys) return { rest: [], stored: [] };
  const openings = Promise.all(frames.map((f) => openMessage(keys, room, f.id, f.body)));
  const tx = bg.db.transaction('messages');
  const known = await Promise.all(frames.map((f) => tx.store.getKey([room, f.id])));
  const opened = await openings;
  const own = (await ownIdentity(bg.db)).publicKey;
  const lines: MessageRecord[] = [];
  const stored: { frame: ChatDeliverFrame; line: MessageRecord }[] = [];
  const rest: ChatDeliverFrame[] = [];
  const ids = new Set<string>();
  for (const [i, frame] of frames.entries()) {
    const plain = opened[i]!;
    if (known[i] !== undefined || !plain.ok || ids.has(frame.id) || plain.value.ev !== undefined || plain.value.reply !== undefined) {
      rest.push(frame);
      continue;
    }
    ids.add(frame.id);
    const { text, nick, sentAt, quote } = plain.value;
    const sender = await checkIncoming(own, memorySenders(bg), room, frame.id, plain.value);
    const line: MessageRecord = { roomId: room, id: frame.id, seq: frame.seq, order: frame.seq, mine: false, status: 'received', kind: 'message', nick, text, sentAt, sender, ...(await threadFields(bg, room, plain.value.page)), ...(quote ? { quote } : {}) };
    lines.push(line);
    stored.push({ frame, line });
  }
  await showThenStoreMany(bg, lines, lines.map((l) => unopenedNoticeId(l.id)));
  return { rest, stored };
}
