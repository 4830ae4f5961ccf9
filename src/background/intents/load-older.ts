import type { ViewToBackground } from '../../shared/view-messages.ts';
import { HISTORY_PAGE_SIZE, MAX_KEEP_PER_ROOM } from '../../shared/constants.ts';
import type { Background, ViewPort } from '../context.ts';
import { roomPage } from '../db.ts';
import { toChatItem } from '../messages.ts';

/**
 * A view scrolled up to the oldest line it has: the page before it. With `untilId` (a search
 * result, a quoted line), every line back to that one, so the view can show it in place; an
 * `untilId` this device does not hold before `before` gets the one page.
 */
export async function loadOlder(bg: Background, msg: Extract<ViewToBackground, { type: 'load-older' }>, view: ViewPort): Promise<void> {
  const { roomId, before, untilId } = msg;
  const valid = typeof roomId === 'string' && typeof before === 'object' && before !== null
    && typeof before.order === 'number' && typeof before.id === 'string' && (untilId === undefined || typeof untilId === 'string');
  if (!valid || !bg.mem.rooms.has(roomId)) {
    bg.post(view, { type: 'error', code: 'BAD_REQUEST', message: 'The background did not understand that request.' });
    return;
  }
  // Back to a line only if this device has it in this room and it lies before `before`: a quote
  // of a line trimmed or never received would otherwise walk (and send) the whole room.
  const until = untilId === undefined ? undefined : await bg.db.get('messages', [roomId, untilId]);
  const reachable = until !== undefined
    && (until.order < before.order || (until.order === before.order && until.id < before.id));
  const page = !reachable
    ? await roomPage(bg.db, roomId, before, HISTORY_PAGE_SIZE)
    : await roomPage(bg.db, roomId, before, MAX_KEEP_PER_ROOM, (line, taken) => line.id === untilId && taken >= 1);
  bg.post(view, { type: 'room-older', roomId, items: page.lines.map(toChatItem), hasOlder: page.hasOlder });
}
