import type { EnterRoomFrame, GetRoomFrame } from '../src/shared/protocol.ts';
import type { JoinAnswer } from './broker.ts';
import type { RelayContext } from './context.ts';
import { leaveRoom } from './leave-room.ts';
import { errorText } from './log.ts';
import type { Membership, Peer } from './peer.ts';
import { replay } from './replay.ts';

/**
 * GETROOM and ENTERROOM differ only in whether an unknown room is created. Joining a room the peer
 * is already in is a resync: ROOM again and a replay from `since`, but no second JOINED.
 * Resolves with the broker's answer when the peer joined.
 */
export async function joinRoom(ctx: RelayContext, peer: Peer, frame: GetRoomFrame | EnterRoomFrame): Promise<JoinAnswer | undefined> {
  const { room, type } = frame;
  const rejoin = peer.rooms.has(room);
  if (type === 'ENTERROOM' && !rejoin && !(await ctx.broker.roomExists(room))) {
    peer.send({ type: 'WRONGROOM', room, reason: 'The relay does not know this room. Check the code, or create the room.' });
    return undefined;
  }
  if (!rejoin && peer.rooms.size >= ctx.config.maxRoomsPerConnection) {
    peer.error('TOO_MANY_ROOMS', { ref: type, room });
    return undefined;
  }
  if (!rejoin && (await ctx.broker.memberCount(room)) >= ctx.config.maxMembersPerRoom) {
    peer.error('ROOM_FULL', { ref: type, room });
    return undefined;
  }
  if (!peer.open) return undefined;

  const since = frame.since ?? 0;
  const membership: Membership = { live: false, delivered: 0 };
  peer.rooms.set(room, membership);
  let answer: JoinAnswer;
  try {
    answer = await ctx.broker.join(room, peer, membership, !rejoin);
  } catch (error) {
    // Not half in: out of the room on both sides, then INTERNAL from receiveFrame.
    if (peer.rooms.get(room) === membership) leaveRoom(ctx, peer, room);
    throw error;
  }
  if (!peer.open) {
    // It left while the broker added it: leaving took it out of peer.rooms, this takes it out of the room.
    ctx.broker.leave(room, peer);
    return undefined;
  }
  peer.send({ type: 'ROOM', room, peer: peer.id, members: answer.members, head: answer.head, epoch: answer.epoch, created: answer.created });

  replay(ctx, peer, room, since, membership).catch((error: unknown) => {
    // The replay outlives the handler, so it reports and recovers on its own.
    ctx.log.error('replay_failed', { peer: peer.id, error: errorText(error) });
    peer.error('INTERNAL', { ref: type, room });
  });
  return answer;
}
