import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { roomMessages } from '../db.ts';
import { toChatItem } from '../messages.ts';
import { putRoom } from '../memory.ts';
import { roomSeen } from '../notifications.ts';
import { presenceForgotten } from '../state.ts';

/** A view opened a room: send its history and count it as read. */
export async function watchRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'watch-room' }>, view: ViewPort): Promise<void> {
  const was = view.watching;
  view.watching = msg.roomId;
  presenceForgotten(view);
  if (msg.roomId === null) {
    // The popup went back from a room to its room list: that is where it reopens. (A popup that
    // just opened also says null, before it knows where to reopen: that changes nothing.)
    if (view.kind === 'popup' && was !== null && bg.lastRoomId !== null) {
      bg.lastRoomId = null;
      bg.refresh();
    }
    return;
  }
  let room = bg.mem.rooms.get(msg.roomId);
  if (!room) {
    view.watching = null;
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  bg.lastRoomId = room.roomId;
  roomSeen(room.roomId);
  if (room.unread !== 0) {
    room = { ...room, unread: 0 };
    await putRoom(bg, room);
  }
  const items = (await roomMessages(bg.db, room.roomId)).map(toChatItem);
  bg.post(view, { type: 'room-history', roomId: room.roomId, items, hasOlder: false, firstUnread: null });
  bg.refresh();
}
