import type { EnterRoomFrame, GetRoomFrame } from '../src/shared/protocol.ts';
import type { RelayContext } from './context.ts';
import { errorText } from './log.ts';
import type { Membership, Peer } from './peer.ts';
import { replay } from './replay.ts';

/**
 * GETROOM and ENTERROOM differ only in whether an unknown room is created. Joining a room the peer
 * is already in is a resync: ROOM again and a replay from `since`, but no second JOINED.
 */
export function joinRoom(ctx: RelayContext, peer: Peer, frame: GetRoomFrame | EnterRoomFrame): void {
  const { room, type } = frame;
  const rejoin = peer.rooms.has(room);
  if (type === 'ENTERROOM' && !rejoin && !ctx.rooms.has(room) && !ctx.history.hasRoom(room)) {
    peer.send({ type: 'WRONGROOM', room, reason: 'The relay does not know this room. Check the code, or create the room.' });
    return;
  }
  if (!rejoin && peer.rooms.size >= ctx.config.maxRoomsPerConnection) {
    peer.error('TOO_MANY_ROOMS', { ref: type, room });
    return;
  }
  if (!rejoin && ctx.rooms.memberCount(room) >= ctx.config.maxMembersPerRoom) {
    peer.error('ROOM_FULL', { ref: type, room });
    return;
  }

  const created = ctx.history.openRoom(room, Date.now(), (other) => ctx.rooms.has(other));
  const membership: Membership = { live: false };
  peer.rooms.set(room, membership);
  ctx.rooms.add(room, peer);
  peer.send({
    type: 'ROOM',
    room,
    peer: peer.id,
    members: ctx.rooms.otherMembers(room, peer),
    head: ctx.history.head(room),
    epoch: ctx.history.epoch(room),
    created,
  });
  if (!rejoin) ctx.rooms.broadcast(room, { type: 'JOINED', room, peer: peer.id }, peer);

  replay(ctx, peer, room, frame.since ?? 0, membership).catch((error: unknown) => {
    // The replay outlives the handler's try/catch, so it reports and recovers on its own.
    ctx.log.error('replay_failed', { peer: peer.id, error: errorText(error) });
    peer.error('INTERNAL', { ref: type, room });
  });
}
