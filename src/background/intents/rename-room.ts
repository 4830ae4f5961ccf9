import type { RoomCode } from '../../shared/room-code.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { putRoom } from '../memory.ts';
import { roomName } from './room-name.ts';

/** A room's name is a label on this device only (docs/architecture.md, "Names"): nothing is sent. */
export async function renameRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'rename-room' }>, view: ViewPort): Promise<void> {
  const room = bg.mem.rooms.get(msg.roomId);
  if (!room) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  await putRoom(bg, { ...room, name: roomName(msg.name, room.code as RoomCode) });
  bg.refresh();
}
