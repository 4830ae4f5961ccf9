import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { putRoom } from '../memory.ts';

/** No notifications for this room; its unread count still grows. */
export async function muteRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'mute-room' }>, view: ViewPort): Promise<void> {
  const room = bg.mem.rooms.get(msg.roomId);
  if (!room) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  await putRoom(bg, { ...room, muted: msg.muted === true });
  bg.refresh();
}
