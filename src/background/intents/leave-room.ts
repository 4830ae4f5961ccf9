import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background } from '../context.ts';
import { closeIfUnused } from '../relay-links.ts';
import { roomDeleted } from '../memory.ts';
import { askAgainForRefusedRooms } from '../room-refusals.ts';
import { directRoomLeft } from '../direct-path.ts';
import { presenceRoomLeft } from '../presence.ts';

/** Leaving forgets the code and the history on this device; the last room on a relay closes its socket. */
export async function leaveRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'leave-room' }>): Promise<void> {
  const roomId = msg.roomId;
  const record = bg.mem.rooms.get(roomId);
  const link = record ? bg.links.get(record.relayUrl) : undefined;
  link?.socket.send({ type: 'LEAVE', room: roomId });
  const tx = bg.db.transaction(['rooms', 'messages', 'outbox'], 'readwrite');
  await tx.objectStore('rooms').delete(roomId);
  const range = IDBKeyRange.bound([roomId, ''], [roomId, '\uffff']);
  await tx.objectStore('messages').delete(range);
  await tx.objectStore('outbox').delete(range);
  await tx.done;
  roomDeleted(bg, roomId);
  // Before the direct path looks again: a room left has no members to connect to (direct-path.ts rule 5).
  if (link) presenceRoomLeft(link, roomId);
  directRoomLeft(bg, roomId);
  bg.keys.delete(roomId);
  if (link) {
    link.synced.delete(roomId);
    link.inFlight.delete(roomId);
    link.members.delete(roomId);
    // A place is free now: a room the relay refused for too many rooms can have it.
    const wasIn = !link.roomProblems.delete(roomId);
    if (wasIn) await askAgainForRefusedRooms(bg, link, 'TOO_MANY_ROOMS');
    await closeIfUnused(bg, link.url);
  }
  if (bg.lastRoomId === roomId) bg.lastRoomId = null;
  for (const view of bg.views) if (view.watching === roomId) view.watching = null;
  bg.refresh();
}
