import { MAX_SEARCH_QUERY_CHARS, SEARCH_RESULTS_LIMIT } from '../../shared/constants.ts';
import type { ChatItem, ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { unwrap } from 'idb';
import type { MessageRecord } from '../db.ts';
import { toChatItem } from '../messages.ts';

/**
 * Finds a room's stored lines holding `query` (case-insensitive), newest first, at most
 * SEARCH_RESULTS_LIMIT. One read-only pass backwards over the room's display-order index, in
 * batches where the browser can, which stops as soon as the answer is full (docs/architecture.md "Search").
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

/** Lines read per step of the fast path: big enough to amortise a call, small enough to stop early. */
const FIRST_BATCH = 200;
const BATCH = 2_000;

type RecordsIndex = IDBIndex & {
  getAllRecords?(options: { query: IDBKeyRange; count: number; direction: 'prev' }): IDBRequest<{ key: IDBValidKey; value: MessageRecord }[]>;
};

export async function findLines(bg: Background, roomId: string, query: string, limit = SEARCH_RESULTS_LIMIT): Promise<{ items: ChatItem[]; more: boolean }> {
  const needle = query.trim().toLocaleLowerCase();
  if (needle.length === 0) return { items: [], more: false };
  const items: ChatItem[] = [];
  /** Takes one line; true once the answer is full and one more match was seen. */
  const take = (line: MessageRecord): boolean => {
    // Deleted lines hold no text; notices and gaps are Parley's words, not the room's.
    if (line.kind !== 'message' || line.deleted || !line.text.toLocaleLowerCase().includes(needle)) return false;
    if (items.length === limit) return true;
    items.push(toChatItem(line));
    return false;
  };
  const lower: IDBValidKey = [roomId, -Infinity, ''];
  const index = unwrap(bg.db.transaction('messages').store.index('byOrder')) as RecordsIndex;
  if (index.getAllRecords) {
    // Newest first in batches (Chromium's getAllRecords): a cursor step per line costs ~30 µs, a
    // batch of 500 about as much as a few steps.
    let upper: IDBValidKey = [roomId, Infinity, '\uffff'];
    let open = false;
    // A small first batch answers a common word at once; bigger ones after, for long scans.
    for (let count = FIRST_BATCH; ; count = BATCH) {
      const batch: { key: IDBValidKey; value: MessageRecord }[] = await request(index.getAllRecords({ query: IDBKeyRange.bound(lower, upper, false, open), count, direction: 'prev' }));
      for (const record of batch) if (take(record.value)) return { items, more: true };
      if (batch.length < count) return { items, more: false };
      upper = batch[batch.length - 1]!.key;
      open = true;
    }
  }
  let cursor = await bg.db.transaction('messages').store.index('byOrder').openCursor(IDBKeyRange.bound(lower, [roomId, Infinity, '\uffff']), 'prev');
  while (cursor) {
    if (take(cursor.value)) return { items, more: true };
    cursor = await cursor.continue();
  }
  return { items, more: false };
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
