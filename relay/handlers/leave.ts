import type { Handler } from '../context.ts';
import { leaveRoom } from '../leave-room.ts';

export const leave: Handler<'LEAVE'> = (ctx, peer, frame) => {
  if (!peer.rooms.has(frame.room)) {
    peer.error('NOT_IN_ROOM', { ref: frame.type, room: frame.room });
    return;
  }
  leaveRoom(ctx, peer, frame.room);
};
