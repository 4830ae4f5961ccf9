import type { Handler } from '../context.ts';
import type { Peer } from '../peer.ts';
import { TokenBucket } from '../token-bucket.ts';

/** Each connection's EPHEMERAL budget, apart from chat's; it goes with the peer. */
const budgets = new WeakMap<Peer, TokenBucket>();

/**
 * A sealed typing or presence update for the room's other live members: stamped with the sender's
 * id, never stored, sequenced or acked. Over its own budget it is dropped at once, not held: a late
 * "typing" is worthless, and holding it would slow the chat frames queued behind it.
 */
export const ephemeral: Handler<'EPHEMERAL'> = async (ctx, peer, frame) => {
  const { room, body } = frame;
  if (!peer.rooms.has(room)) {
    peer.error('NOT_IN_ROOM', { ref: frame.type, room });
    return;
  }
  const now = performance.now();
  let budget = budgets.get(peer);
  if (budget === undefined) budgets.set(peer, (budget = new TokenBucket(ctx.config.ephemeralPerSec, ctx.config.ephemeralBurst, now)));
  if (!budget.take(now)) {
    peer.error('EPHEMERAL_RATE_LIMITED', { ref: frame.type, room });
    return;
  }
  await ctx.broker.broadcastEphemeral(room, peer, { type: 'EPHEMERAL', room, from: peer.id, body });
};
