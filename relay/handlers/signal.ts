import type { Handler } from '../context.ts';

/** WebRTC offer/answer/candidate for one named peer; not stored, since it is useless once stale. */
export const signal: Handler<'SIGNAL'> = async (ctx, peer, frame) => {
  const { room, to, kind, body } = frame;
  if (!peer.rooms.has(room)) {
    peer.error('NOT_IN_ROOM', { ref: frame.type, room });
    return;
  }
  if (!(await ctx.broker.sendTo(room, to, { type: 'SIGNAL', room, from: peer.id, kind, body }))) {
    peer.error('NO_SUCH_PEER', { ref: frame.type, room });
  }
};
