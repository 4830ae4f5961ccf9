import type { RoomIdText } from '../src/shared/protocol.ts';
import type { RelayContext } from './context.ts';
import type { Peer } from './peer.ts';

/** Used by LEAVE and by disconnects alike, so the others always hear LEFT exactly once. */
export function leaveRoom(ctx: RelayContext, peer: Peer, room: RoomIdText): void {
  if (!peer.rooms.delete(room)) return;
  ctx.broker.leave(room, peer);
}

export function leaveAllRooms(ctx: RelayContext, peer: Peer): void {
  for (const room of [...peer.rooms.keys()]) leaveRoom(ctx, peer, room);
}
