import { normalisePageUrl } from '../../shared/page-url.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { toChatItem } from '../messages.ts';
import { threadLines } from '../page-threads.ts';

/** Lines of a thread sent at once; a thread longer than this shows its newest. */
const THREAD_LINES = 500;

export async function loadThread(bg: Background, msg: Extract<ViewToBackground, { type: 'load-thread' }>, view: ViewPort): Promise<void> {
  const url = normalisePageUrl(typeof msg.url === 'string' ? msg.url : '');
  if (!url.ok) return;
  if (!bg.mem.rooms.has(msg.roomId)) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  const lines = await threadLines(bg, msg.roomId, url.value, THREAD_LINES);
  bg.post(view, { type: 'thread-items', roomId: msg.roomId, url: url.value, items: lines.map(toChatItem) });
}
