import { MAX_TEXT_CHARS } from '../../shared/constants.ts';
import { sealMessage } from '../../shared/crypto.ts';
import { isMessageId, newMessageId } from '../../shared/message-id.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { PENDING_ORDER, type MessageRecord } from '../db.ts';
import { ownIdentity } from '../identity.ts';
import { memorySenders } from '../memory.ts';
import { signOutgoing } from '../../shared/identity-rules.ts';
import { queueOwnMessage } from '../messages.ts';
import { flushRoomOutbox } from '../outbox.ts';
import { roomKeys } from '../room-keys.ts';
import { replyRef } from '../message-events.ts';
import { threadFields } from '../page-threads.ts';
import { sealedPage } from '../page-ref.ts';
import { sendDirect } from '../direct-path.ts';
import { directOnlyOn, sendOwnDirectOnly } from '../direct-only.ts';

/** Sealed and queued in the outbox first, so a message typed offline goes out when we return. */
export async function sendMessage(bg: Background, msg: Extract<ViewToBackground, { type: 'send-message' }>, view: ViewPort): Promise<void> {
  const text = typeof msg.text === 'string' ? msg.text : '';
  if (text.trim().length === 0) return;
  if (text.length > MAX_TEXT_CHARS) {
    bg.post(view, { type: 'error', code: 'BAD_MESSAGE', message: `Messages are limited to ${MAX_TEXT_CHARS.toLocaleString('en')} characters.` });
    return;
  }
  const keys = await roomKeys(bg, msg.roomId);
  if (!keys || !bg.mem.rooms.has(msg.roomId)) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  // The view's id makes this idempotent: a view that lost its port resends what it had not seen
  // stored, and a message that was stored after all is not queued twice.
  // (Checked in queueOwnMessage's one transaction.)
  const id = typeof msg.id === 'string' && isMessageId(msg.id) ? msg.id : newMessageId();
  const { nickname } = bg.mem.settings;
  const sentAt = Date.now();
  // An answer names the line it answers; the quote shown is that line as it stands now.
  const reply = typeof msg.replyTo === 'string' && isMessageId(msg.replyTo) ? msg.replyTo : undefined;
  const replyTo = reply !== undefined ? { replyTo: replyRef(reply, await bg.db.get('messages', [msg.roomId, reply])) } : {};
  // A line of this page's private thread: the page (normalised) travels sealed with it.
  const page = sealedPage(msg.page);
  const thread = await threadFields(bg, msg.roomId, page);
  const { plaintext, sender } = await signOutgoing(await ownIdentity(bg.db), memorySenders(bg), msg.roomId, id, { text, nick: nickname, sentAt, reply, ...(page ? { page } : {}) });
  const sealed = await sealMessage(keys, id, plaintext);
  if (!sealed.ok) {
    bg.post(view, { type: 'error', code: 'BAD_MESSAGE', message: sealed.error.message });
    return;
  }
  const line: MessageRecord = {
    roomId: msg.roomId, id, kind: 'message', seq: null, order: PENDING_ORDER, mine: true,
    nick: nickname, text, sentAt, status: 'sending', sender, ...replyTo, ...thread,
  };
  // "Don't store my messages on the relay": on the room's open channels only, never in the outbox.
  if (directOnlyOn(bg)) {
    await sendOwnDirectOnly(bg, line, sealed.value);
    return;
  }
  const isNew = await queueOwnMessage(bg, line, sealed.value);
  if (!isNew) return;
  // Members with an open data channel get it now; the relay still gets it, below (direct-path.ts rule 6).
  sendDirect(bg, msg.roomId, id, sealed.value);
  // Through the outbox's window like everything else, so a fast typist keeps the typed order.
  await flushRoomOutbox(bg, msg.roomId);
}
