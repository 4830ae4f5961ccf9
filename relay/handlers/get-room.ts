import type { Handler } from '../context.ts';
import { joinRoom } from '../join-room.ts';

/**
 * Create the room if the relay does not know it, then join. Creating counts against the address's
 * rooms-per-hour quota; joining a room the relay knows never does.
 */
export const getRoom: Handler<'GETROOM'> = async (ctx, peer, frame) => {
  const { room } = frame;
  const creates = !peer.rooms.has(room) && !(await ctx.broker.roomExists(room));
  if (creates && !ctx.quotas.canCreateRoom(peer)) {
    peer.error('TOO_MANY_NEW_ROOMS', { ref: frame.type, room });
    return;
  }
  // joinRoom may still refuse (TOO_MANY_ROOMS, ROOM_FULL): only a room it created is charged.
  const answer = await joinRoom(ctx, peer, frame);
  if (answer?.created === true) ctx.quotas.roomCreated(peer);
};
