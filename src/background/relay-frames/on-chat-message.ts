import { openMessage } from '../../shared/crypto.ts';
import type { ChatDeliverFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import type { MessageRecord } from '../db.ts';
import { putChatLine, showThenStore, unopenedNoticeId } from '../messages.ts';
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

export async function onChatMessage(bg: Background, link: RelayLink, frame: ChatDeliverFrame): Promise<void> {
  let stored: MessageRecord | null;
  try {
    stored = await storeChatMessage(bg, frame);
  } catch (e) {
    // Not stored, so the room's lastSeq stays below it: the relay has it, ask for it again.
    askAgain(bg, link, frame.room);
    throw e;
  }
  // Live (not a replay): their typing ends, and a batched receipt says we stored it.
  if (link.synced.has(frame.room)) {
    typingEndsWithMessage(bg, link, frame.room, frame.from);
    scheduleReceipt(bg, link, frame.room);
    if (stored) await notifyLive(bg, stored);
  }
}

/** The new message line it stored, if it stored one. */
async function storeChatMessage(bg: Background, frame: ChatDeliverFrame): Promise<MessageRecord | null> {
  const keys = await roomKeys(bg, frame.room);
  if (!keys) return null; // A room we left; the relay will stop sending once LEAVE lands.
  // The one read on this path, made while the body is opened.
  const opening = openMessage(keys, frame.room, frame.id, frame.body);
  const existing = await bg.db.get('messages', [frame.room, frame.id]);
  const opened = await opening;
  if (existing) {
    // Our own message replayed (its ACK was lost), or a duplicate: only its number may be new.
    await putChatLine(bg, existing, frame.seq);
    return null;
  }
  const base = { roomId: frame.room, id: frame.id, seq: frame.seq, order: frame.seq, mine: false, status: 'received' as const };
  if (opened.ok) {
    const { text, nick, sentAt, ev, reply } = opened.value;
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
    const line = { ...base, kind: 'message' as const, nick, text, sentAt, sender, ...replyTo };
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
