import type { ViewToBackground } from '../../shared/view-messages.ts';
import { HISTORY_PAGE_SIZE, MAX_UNREAD_PAGE } from '../../shared/constants.ts';
import type { Background, ViewPort } from '../context.ts';
import { roomPage, type MessageRecord } from '../db.ts';
import { toChatItem } from '../messages.ts';
import { putRoom } from '../memory.ts';
import { roomSeen } from '../notifications.ts';
import { presenceForgotten } from '../state.ts';

/** Lines that count as unread (messages from others), as writeLine counts them. */
const countsUnread = (line: MessageRecord): boolean => line.kind === 'message' && !line.mine;

/**
 * A view opened a room: send its newest page (reaching back to the first unread line, so the
 * "new messages" divider has its line) and count it as read.
 */
export async function watchRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'watch-room' }>, view: ViewPort): Promise<void> {
  // An overlay's room is the one it shows, also after a restarted worker forgot overlayRooms; a
  // minimised one is not on screen, so its room keeps counting unread for the bubble (overlay-place.ts).
  if (view.kind === 'overlay' && view.tabId !== null && msg.roomId !== null && bg.mem.rooms.has(msg.roomId)) {
    bg.overlayRooms.set(view.tabId, msg.roomId);
    if (bg.overlayMinimised?.has(view.tabId)) {
      view.watching = null;
      bg.refresh();
      return;
    }
  }
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
  // Where the popup reopens: only the popup's own rooms, not an overlay's on some web page.
  if (view.kind === 'popup') bg.lastRoomId = room.roomId;
  roomSeen(room.roomId);
  const unread = room.unread;
  let seen = 0;
  let firstUnread: string | null = null;
  const limit = Math.min(MAX_UNREAD_PAGE, Math.max(HISTORY_PAGE_SIZE, unread + 1));
  const page = await roomPage(bg.db, room.roomId, null, limit, (line, taken) => {
    if (unread > 0 && countsUnread(line) && ++seen === unread) firstUnread = line.id;
    return taken >= HISTORY_PAGE_SIZE && (unread === 0 || seen >= unread);
  });
  // The page first: with a full disk the unread write below fails, and the room must still show.
  bg.post(view, { type: 'room-history', roomId: room.roomId, items: page.lines.map(toChatItem), hasOlder: page.hasOlder, firstUnread });
  if (room.unread !== 0) {
    room = { ...room, unread: 0 };
    await putRoom(bg, room);
  }
  bg.refresh();
}
