import { MAX_SEARCH_QUERY_CHARS, SEARCH_RESULTS_LIMIT } from '../../shared/constants.ts';
import type { ChatItem, ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { toChatItem } from '../messages.ts';

/**
 * Finds a room's stored lines holding `query` (case-insensitive), newest first, at most
 * SEARCH_RESULTS_LIMIT. One read-only pass backwards over the room's display-order index, which
 * stops as soon as the answer is full: the cost is one cursor step per line scanned
 * (docs/architecture.md "Search").
 */
export async function searchRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'search-room' }>, view: ViewPort): Promise<void> {
  const query = typeof msg.query === 'string' ? msg.query.slice(0, MAX_SEARCH_QUERY_CHARS) : '';
  if (!bg.mem.rooms.has(msg.roomId)) {
    bg.post(view, { type: 'error', code: 'NO_SUCH_ROOM', message: 'That room is no longer in your list.' });
    return;
  }
  const { items, more } = await findLines(bg, msg.roomId, query);
  bg.post(view, { type: 'search-results', roomId: msg.roomId, query, items, more });
}

export async function findLines(bg: Background, roomId: string, query: string, limit = SEARCH_RESULTS_LIMIT): Promise<{ items: ChatItem[]; more: boolean }> {
  const needle = query.trim().toLocaleLowerCase();
  if (needle.length === 0) return { items: [], more: false };
  const items: ChatItem[] = [];
  const range = IDBKeyRange.bound([roomId, -Infinity, ''], [roomId, Infinity, '\uffff']);
  let cursor = await bg.db.transaction('messages').store.index('byOrder').openCursor(range, 'prev');
  while (cursor) {
    const line = cursor.value;
    // Deleted lines hold no text; notices and gaps are Parley's words, not the room's.
    if (line.kind === 'message' && !line.deleted && line.text.toLocaleLowerCase().includes(needle)) {
      if (items.length === limit) return { items, more: true };
      items.push(toChatItem(line));
    }
    cursor = await cursor.continue();
  }
  return { items, more: false };
}
