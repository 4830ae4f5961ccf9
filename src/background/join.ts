import type { Background } from './context.ts';
import { resetConnection, type RelayLink } from './relay-link.ts';

/**
 * Asks `link`'s relay for every stored room on it (GETROOM, which recreates a room a fresh relay
 * forgot) and for joins on it still waiting for an answer (ENTERROOM, which must not create a
 * mistyped room).
 */
export async function rejoinAll(bg: Background, link: RelayLink): Promise<void> {
  resetConnection(link);
  for (const room of bg.mem.rooms.values()) {
    if (room.relayUrl === link.url) link.socket.send({ type: 'GETROOM', room: room.roomId, since: room.lastSeq });
  }
  for (const [roomId, pending] of bg.pendingJoins) {
    if (pending.record.relayUrl === link.url) link.socket.send({ type: 'ENTERROOM', room: roomId, since: 0 });
  }
}

/**
 * A seq of `roomId` above its lastSeq was not stored (its write failed), or SYNCED says the relay
 * has more than it replayed: asks for the room again from lastSeq. Only once per lastSeq on a
 * connection: with no progress since, the hole is left to the next connection rather than fetched
 * again and again. A synced room stays synced (its outbox goes on): were this GETROOM dropped
 * (RATE_LIMITED names no frame), nothing would ask again for a room the relay already answered.
 * Returns whether it asked.
 */
export function askAgain(bg: Background, link: RelayLink, roomId: string): boolean {
  const room = bg.mem.rooms.get(roomId);
  if (!room || !link.socket.isOpen || link.askedAgain.get(roomId) === room.lastSeq) return false;
  link.askedAgain.set(roomId, room.lastSeq);
  return link.socket.send({ type: 'GETROOM', room: roomId, since: room.lastSeq });
}

/**
 * RATE_LIMITED names no frame (docs/protocol.md, "Errors"): a GETROOM or ENTERROOM it dropped is
 * never answered. Asks again for every room on this relay it has not answered on this connection,
 * except those it refused for a reason the user is shown (room-refusals.ts). A join still held by
 * the relay's rate gate is answered twice, which is a harmless resync.
 */
export async function askAgainForUnansweredRooms(bg: Background, link: RelayLink): Promise<void> {
  if (!link.socket.isOpen) return;
  for (const room of bg.mem.rooms.values()) {
    if (room.relayUrl !== link.url || link.members.has(room.roomId) || link.roomProblems.has(room.roomId)) continue;
    link.socket.send({ type: 'GETROOM', room: room.roomId, since: room.lastSeq });
  }
  for (const [roomId, pending] of bg.pendingJoins) {
    if (pending.record.relayUrl === link.url) link.socket.send({ type: 'ENTERROOM', room: roomId, since: 0 });
  }
}
