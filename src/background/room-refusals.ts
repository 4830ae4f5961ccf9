import type { ErrorCode } from '../shared/protocol.ts';
import type { Background } from './context.ts';
import type { RelayLink } from './relay-link.ts';
import { RELAY_ERROR_WORDS } from './relay-words.ts';

/**
 * The relay would not let us into a stored room (it is full, or this connection is in as many
 * rooms as the relay allows). The room stays in the list with the reason shown, and is asked for
 * again when that can help: a room left, a view opened, "Retry now", a new connection.
 */
export function roomRefused(bg: Background, link: RelayLink, roomId: string, code: Extract<ErrorCode, 'ROOM_FULL' | 'TOO_MANY_ROOMS' | 'TOO_MANY_NEW_ROOMS'>): void {
  // The relay answers joins in order, so every room it took before refusing this one has its ROOM
  // already: that count is its limit.
  if (code === 'TOO_MANY_ROOMS') link.roomLimit = Math.max(1, link.members.size);
  link.roomProblems.set(roomId, code);
  link.synced.delete(roomId);
  bg.refresh();
}

/** Asks `link`'s relay again for every stored room it refused. */
export async function askAgainForRefusedRooms(bg: Background, link: RelayLink, only?: ErrorCode): Promise<void> {
  for (const [roomId, code] of link.roomProblems) {
    if (only && code !== only) continue;
    const record = bg.mem.rooms.get(roomId);
    if (!record || record.relayUrl !== link.url) {
      link.roomProblems.delete(roomId);
      continue;
    }
    link.socket.send({ type: 'GETROOM', room: roomId, since: record.lastSeq });
  }
}

/**
 * Refuses, in words, a room beyond what the relay at `url` allows per connection (once it told
 * us), so a new room is not made only to be turned away. Each relay has its own limit.
 */
export async function roomLimitProblem(bg: Background, url: string): Promise<string | null> {
  const link = bg.links.get(url);
  if (!link || link.roomLimit === null) return null;
  let rooms = 0;
  for (const room of bg.mem.rooms.values()) if (room.relayUrl === url) rooms++;
  for (const pending of bg.pendingJoins.values()) if (pending.record.relayUrl === url) rooms++;
  if (rooms < link.roomLimit) return null;
  return RELAY_ERROR_WORDS.TOO_MANY_ROOMS({ url, roomLimit: link.roomLimit });
}
