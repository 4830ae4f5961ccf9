import { sealMessage, type ChatPlaintext } from '../../shared/crypto.ts';
import { signOutgoing } from '../../shared/identity-rules.ts';
import { isMessageId, newMessageId } from '../../shared/message-id.ts';
import type { Background, ViewPort } from '../context.ts';
import { ownIdentity } from '../identity.ts';
import { memorySenders } from '../memory.ts';
import { queueOwnEvent } from '../message-event-store.ts';
import { flushRoomOutbox } from '../outbox.ts';
import { roomKeys } from '../room-keys.ts';
import { DIRECT_ONLY_LINE_TEXT } from '../direct-only.ts';

/**
 * Signs, seals, applies and queues one of our events on line `target` (message-events.ts), then
 * lets the outbox send it like a message. What the rules would not apply is not sent either.
 */
export async function sendOwnEvent(
  bg: Background, view: ViewPort, roomId: string, target: unknown,
  ev: Omit<NonNullable<ChatPlaintext['ev']>, 'target'>, text: string,
): Promise<void> {
  const keys = await roomKeys(bg, roomId);
  if (!keys || !bg.mem.rooms.has(roomId)) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  if (typeof target !== 'string' || !isMessageId(target)) {
    bg.post(view, { type: 'error', code: 'BAD_REQUEST', message: 'That message cannot be changed.' });
    return;
  }
  // A line sent only directly has no seq for an event to settle, and the relay must not learn of
  // it from one (direct-only.ts rule 6).
  if ((await bg.db.get('messages', [roomId, target]))?.directOnly) {
    bg.post(view, { type: 'error', code: 'DIRECT_ONLY_LINE', message: DIRECT_ONLY_LINE_TEXT });
    return;
  }
  const me = await ownIdentity(bg.db);
  const id = newMessageId();
  const nick = bg.mem.settings.nickname;
  const sentAt = Date.now();
  const full = { ...ev, target };
  const { plaintext, sender } = await signOutgoing(me, memorySenders(bg), roomId, id, { text, nick, sentAt, ev: full });
  const sealed = await sealMessage(keys, id, plaintext);
  if (!sealed.ok) {
    bg.post(view, { type: 'error', code: 'BAD_MESSAGE', message: sealed.error.message });
    return;
  }
  const queued = await queueOwnEvent(bg, roomId, { id, ...full, text, nick, sentAt, sender }, sealed.value, me.publicKey);
  if (queued) await flushRoomOutbox(bg, roomId);
}
