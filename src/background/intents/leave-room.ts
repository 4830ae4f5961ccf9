import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background } from '../context.ts';
import { askAgainForRefusedRooms } from '../room-refusals.ts';

/** Leaving forgets the code and the history on this device. */
export async function leaveRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'leave-room' }>): Promise<void> {
  const roomId = msg.roomId;
  bg.relay.send({ type: 'LEAVE', room: roomId });
  const tx = bg.db.transaction(['rooms', 'messages', 'outbox'], 'readwrite');
  await tx.objectStore('rooms').delete(roomId);
  const range = IDBKeyRange.bound([roomId, ''], [roomId, '\uffff']);
  await tx.objectStore('messages').delete(range);
  await tx.objectStore('outbox').delete(range);
  await tx.done;
  bg.keys.delete(roomId);
  bg.synced.delete(roomId);
  bg.inFlight.delete(roomId);
  bg.members.delete(roomId);
  // A place is free now: a room the relay refused for too many rooms can have it.
  const wasIn = !bg.roomProblems.delete(roomId);
  if (wasIn) await askAgainForRefusedRooms(bg, 'TOO_MANY_ROOMS');
  if (bg.lastRoomId === roomId) bg.lastRoomId = null;
  for (const view of bg.views) if (view.watching === roomId) view.watching = null;
  bg.refresh();
}
