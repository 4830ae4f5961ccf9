import type { Background } from './context.ts';

/**
 * Asks the relay for every stored room (GETROOM, which recreates a room a fresh relay forgot) and
 * for joins still waiting for an answer (ENTERROOM, which must not create a mistyped room).
 */
export async function rejoinAll(bg: Background): Promise<void> {
  bg.synced.clear();
  bg.inFlight.clear();
  bg.members.clear();
  for (const room of await bg.db.getAll('rooms')) {
    bg.relay.send({ type: 'GETROOM', room: room.roomId, since: room.lastSeq });
  }
  for (const roomId of bg.pendingJoins.keys()) {
    bg.relay.send({ type: 'ENTERROOM', room: roomId, since: 0 });
  }
}
