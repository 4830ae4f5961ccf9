import type { ErrorCode } from '../shared/protocol.ts';
import type { Background } from './context.ts';
import { RELAY_ERROR_WORDS } from './relay-words.ts';
import { loadSettings } from './db.ts';

/**
 * The relay would not let us into a stored room (it is full, or this connection is in as many
 * rooms as the relay allows). The room stays in the list with the reason shown, and is asked for
 * again when that can help: a room left, a view opened, "Retry now", a new connection.
 */
export function roomRefused(bg: Background, roomId: string, code: Extract<ErrorCode, 'ROOM_FULL' | 'TOO_MANY_ROOMS' | 'TOO_MANY_NEW_ROOMS'>): void {
  // The relay answers joins in order, so every room it took before refusing this one has its ROOM
  // already: that count is its limit.
  if (code === 'TOO_MANY_ROOMS') bg.roomLimit = Math.max(1, bg.members.size);
  bg.roomProblems.set(roomId, code);
  bg.synced.delete(roomId);
  bg.refresh();
}

/** Asks again for every stored room the relay refused. */
export async function askAgainForRefusedRooms(bg: Background, only?: ErrorCode): Promise<void> {
  for (const [roomId, code] of bg.roomProblems) {
    if (only && code !== only) continue;
    const record = await bg.db.get('rooms', roomId);
    if (!record) {
      bg.roomProblems.delete(roomId);
      continue;
    }
    bg.relay.send({ type: 'GETROOM', room: roomId, since: record.lastSeq });
  }
}

/**
 * Refuses, in words, a room beyond what the relay allows per connection (once it told us), so a
 * new room is not made only to be turned away.
 */
export async function roomLimitProblem(bg: Background): Promise<string | null> {
  if (bg.roomLimit === null) return null;
  const rooms = (await bg.db.count('rooms')) + bg.pendingJoins.size;
  if (rooms < bg.roomLimit) return null;
  const { relayUrl } = await loadSettings(bg.db);
  return RELAY_ERROR_WORDS.TOO_MANY_ROOMS({ url: relayUrl, roomLimit: bg.roomLimit });
}
