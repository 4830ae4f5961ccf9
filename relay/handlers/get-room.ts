import type { Handler } from '../context.ts';
import { joinRoom } from '../join-room.ts';

/** Create the room if the relay does not know it, then join. */
export const getRoom: Handler<'GETROOM'> = (ctx, peer, frame) => joinRoom(ctx, peer, frame);
