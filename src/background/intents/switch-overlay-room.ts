import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';

/**
 * The overlay's room switcher. Only an overlay's own frame may change its tab's room, and only to
 * a room in the list; the frame then watches it (overlay-room), and the bubble counts its lines.
 */
export async function switchOverlayRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'switch-overlay-room' }>, view: ViewPort): Promise<void> {
  if (view.kind !== 'overlay' || view.tabId === null) return;
  if (typeof msg.roomId !== 'string' || !bg.mem.rooms.has(msg.roomId)) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  bg.overlayRooms.set(view.tabId, msg.roomId);
  for (const other of bg.views) {
    if (other.kind === 'overlay' && other.tabId === view.tabId) bg.post(other, { type: 'overlay-room', roomId: msg.roomId });
  }
}
