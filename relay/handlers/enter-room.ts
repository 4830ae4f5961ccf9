import type { Handler } from '../context.ts';
import { joinRoom } from '../join-room.ts';

/** Join only a room the relay knows; WRONGROOM otherwise, so a mistyped code never creates a room. */
export const enterRoom: Handler<'ENTERROOM'> = async (ctx, peer, frame) => {
  await joinRoom(ctx, peer, frame);
};
