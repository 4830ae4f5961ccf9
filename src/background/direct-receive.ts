import { openMessage } from '../shared/crypto.ts';
import { MAX_BODY_CHARS, DEFAULT_MAX_FRAME_KB } from '../shared/constants.ts';
import { isMessageId } from '../shared/message-id.ts';
import { checkIncoming } from '../shared/identity-rules.ts';
import type { Background } from './context.ts';
import { PENDING_ORDER, type MessageRecord } from './db.ts';
import { putChatLine, toChatItem } from './messages.ts';
import { roomKeys } from './room-keys.ts';
import { ownIdentity } from './identity.ts';
import { memorySenders } from './memory.ts';
import { replyRef } from './message-events.ts';
import { threadFields } from './page-threads.ts';
import { notifyLive } from './notifications.ts';
import { bodyDigest } from './direct-digest.ts';
import { keepReceivedOnly, waitingDirect } from './retention.ts';
import { directOnlyGot } from './direct-only.ts';
import { lineRemoved } from './memory.ts';
import { typingEndsWithMessage } from './presence.ts';
import type { RelayLink } from './relay-link.ts';
import { nextLocalOrder } from './direct-only.ts';

const BODY = /^[A-Za-z0-9_-]+$/;

/**
 * One data channel message of `room`'s connection (direct-path.ts rule 7; docs/protocol.md "The
 * direct path"): `{t: "msg", room, id, body}`, the same sealed body the relay gets (with
 * `only: true`, sent only directly: direct-only.ts rule 5). Opened as a
 * relayed CHATMSG, shown and stored without a seq; the relay's copy, whenever it comes, only adds
 * the seq. Anything else is dropped without a word. Events (`ev`) are left to the relay's copy:
 * they settle a seq, which only the relay gives. Returns the id of a direct-only line this device
 * now holds, for the caller to confirm to its sender (`{t: "got", room, id}`); else null.
 */
export async function receiveDirect(bg: Background, room: string, data: string, from?: { link: RelayLink; peer: string }): Promise<string | null> {
  if (data.length > DEFAULT_MAX_FRAME_KB * 1024) return null;
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const { t, room: r, id, body, only } = m as Record<string, unknown>;
  if (r !== room || typeof id !== 'string' || !isMessageId(id)) return null;
  // A member confirms one of our direct-only lines (direct-only.ts rule 7).
  if (t === 'got') {
    if (from) await directOnlyGot(bg, room, id, from.peer);
    return null;
  }
  if (t !== 'msg') return null;
  if (typeof body !== 'string' || body.length === 0 || body.length > MAX_BODY_CHARS || !BODY.test(body)) return null;
  const keys = await roomKeys(bg, room);
  if (!keys || !bg.mem.rooms.has(room)) return null;
  // Had already (the relay's copy came first, or a Try again): a direct-only one is confirmed again.
  if (await bg.db.getKey('messages', [room, id])) return only === true ? id : null;
  const opened = await openMessage(keys, room, id, body);
  // A body that does not open waits for the relay's copy, which shows the notice with its seq.
  if (!opened.ok || opened.value.ev) return null;
  const { text, nick, sentAt, reply, page, quote } = opened.value;
  const sender = await checkIncoming((await ownIdentity(bg.db)).publicKey, memorySenders(bg), room, id, opened.value);
  const replyTo = reply !== undefined ? { replyTo: replyRef(reply, await bg.db.get('messages', [room, reply])) } : {};
  // Sent only directly (direct-only.ts rule 5): no relay seq will come, so a local order, and it
  // does not wait among the lines the relay will number.
  const directOnly = only === true;
  const order = directOnly ? (await nextLocalOrder(bg, room)) - (bg.mem.rooms.get(room)?.seqBase ?? 0) : PENDING_ORDER;
  const line: MessageRecord = {
    roomId: room, id, seq: null, order, mine: false, status: 'received', kind: 'message', nick, text, sentAt, sender,
    ...replyTo, ...(await threadFields(bg, room, page)), ...(quote ? { quote } : {}),
    directDigest: await bodyDigest(body), ...(directOnly ? { directOnly: true as const, receivedOnly: room } : {}),
  };
  if (directOnly) {
    // Stored first: no relay copy will bring it back should the worker stop before the write.
    await keepReceivedOnly(bg, room, bg.mem.settings.keepPerRoom - 1);
    if (!(await putChatLine(bg, line, null))) return null;
  } else {
    // Shown first, as a live relayed line is (messages.ts showThenStore): the view is waiting, and
    // a worker stopped before the write loses it here only until the relay's copy comes.
    bg.postToWatchers(room, { type: 'room-item', roomId: room, item: toChatItem(line) });
    try {
      await makeRoomForWaiting(bg, room);
      await putChatLine(bg, line, null, true);
    } catch (e) {
      // Shown but not stored: a view must not keep a line this device does not have.
      bg.postToWatchers(room, { type: 'room-item-removed', roomId: room, id });
      throw e;
    }
  }
  // presence.ts rule 4: a member's message ends their typing, whichever path brought it first.
  if (from) typingEndsWithMessage(bg, from.link, room, from.peer);
  await notifyLive(bg, line);
  return directOnly ? id : null;
}

/** At most this many lines per room that came over a channel wait for the relay's seq (docs/protocol.md "The direct path"). */
export const MAX_DIRECT_WAITING = 50;

/**
 * Before one more waiting line: the oldest beyond MAX_DIRECT_WAITING - 1 go (the lowest ids, in
 * the index's order). A line deleted here comes back, numbered, with the relay's copy if its sender
 * sent one; so a member filling a room over its channel only delays its own lines and others'.
 */
async function makeRoomForWaiting(bg: Background, room: string): Promise<void> {
  const tx = bg.db.transaction('messages', 'readwrite');
  const pending = await tx.store.index('byOrder').getAll(IDBKeyRange.bound([room, PENDING_ORDER, ''], [room, PENDING_ORDER, '\uffff']));
  const waiting = pending.filter(waitingDirect);
  const gone = waiting.slice(0, Math.max(0, waiting.length - (MAX_DIRECT_WAITING - 1)));
  for (const m of gone) await tx.store.delete([room, m.id]);
  await tx.done;
  for (const m of gone) {
    lineRemoved(bg, room, m.id);
    bg.postToWatchers(room, { type: 'room-item-removed', roomId: room, id: m.id });
  }
}
