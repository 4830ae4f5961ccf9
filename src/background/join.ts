import type { Background } from './context.ts';
import { newWireLedger } from './unanswered.ts';

/**
 * Asks the relay for every stored room (GETROOM, which recreates a room a fresh relay forgot) and
 * for joins still waiting for an answer (ENTERROOM, which must not create a mistyped room).
 */
export async function rejoinAll(bg: Background): Promise<void> {
  bg.synced.clear();
  bg.inFlight.clear();
  bg.wire = newWireLedger();
  bg.members.clear();
  for (const room of await bg.db.getAll('rooms')) {
    bg.relay.send({ type: 'GETROOM', room: room.roomId, since: room.lastSeq });
  }
  for (const roomId of bg.pendingJoins.keys()) {
    bg.relay.send({ type: 'ENTERROOM', room: roomId, since: 0 });
  }
}

/**
 * RATE_LIMITED names no frame (docs/protocol.md, "Errors"): a GETROOM or ENTERROOM it dropped is
 * never answered. Asks again for every room the relay has not answered on this connection, except
 * those it refused for a reason the user is shown (room-refusals.ts). A join still held by the
 * relay's rate gate is answered twice, which is a harmless resync.
 */
export async function askAgainForUnansweredRooms(bg: Background): Promise<void> {
  if (!bg.relay.isOpen) return;
  for (const room of await bg.db.getAll('rooms')) {
    if (bg.members.has(room.roomId) || bg.roomProblems.has(room.roomId)) continue;
    bg.relay.send({ type: 'GETROOM', room: room.roomId, since: room.lastSeq });
  }
  for (const roomId of bg.pendingJoins.keys()) bg.relay.send({ type: 'ENTERROOM', room: roomId, since: 0 });
}
