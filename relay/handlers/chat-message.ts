import { ERROR_CODES } from '../../src/shared/protocol.ts';
import type { Handler } from '../context.ts';

/**
 * Stores and fans out one sealed message; the broker acks only after the commit (docs/protocol.md).
 * The relay stamps from/seq/at itself; the codec has already
 * dropped any such fields the sender put in. A resent id is acked with its original seq and goes
 * nowhere, which makes the sender's outbox retries safe. A new message is charged to the sender's
 * address (DAILY_QUOTA beyond it); the store trims the room and itself to their byte caps.
 */
export const chatMessage: Handler<'CHATMSG'> = async (ctx, peer, frame) => {
  const { room, id, body } = frame;
  if (!peer.rooms.has(room)) {
    peer.error('NOT_IN_ROOM', { ref: frame.type, room });
    return;
  }
  const admit = (bytes: number) => ctx.quotas.tryStoreBytes(peer, bytes);
  const result = await ctx.broker.publish(room, peer, { id, from: peer.id, body }, admit);
  if (result === undefined) {
    // With the id, so the sender knows which queued message to hold back and retry later.
    ctx.metrics.countError('DAILY_QUOTA');
    peer.send({ type: 'ERROR', code: 'DAILY_QUOTA', message: ERROR_CODES.DAILY_QUOTA.text, ref: frame.type, room, id });
    return;
  }
  const { message, duplicate } = result;
  // Committed and already fanned out by the broker; a duplicate went to nobody.
  peer.send({ type: 'ACK', room, id, seq: message.seq, at: message.at });
  if (!duplicate) ctx.metrics.messagesStored++;
};
