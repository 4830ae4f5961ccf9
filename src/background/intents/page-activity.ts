import { normalisePageUrl } from '../../shared/page-url.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { threadCount } from '../page-threads.ts';

/** Which of our rooms have lines in their thread for this page: counted here, from the thread index. */
export async function pageActivity(bg: Background, msg: Extract<ViewToBackground, { type: 'page-activity' }>, view: ViewPort): Promise<void> {
  const url = normalisePageUrl(typeof msg.url === 'string' ? msg.url : '');
  if (!url.ok) return;
  const rooms: { roomId: string; count: number }[] = [];
  for (const room of [...bg.mem.rooms.values()]) {
    const count = await threadCount(bg, room.roomId, url.value);
    if (count > 0) rooms.push({ roomId: room.roomId, count });
  }
  bg.post(view, { type: 'page-activity', url: url.value, rooms });
}
