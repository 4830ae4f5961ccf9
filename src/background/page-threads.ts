import { pageThreadId, threadKey } from '../shared/page-room.ts';
import type { RoomCode } from '../shared/room-code.ts';
import type { PageRef } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import type { MessageRecord } from './db.ts';

// Private per-page threads (docs/protocol.md "Private per-page threads"): a line carrying a sealed
// `page` is indexed under a thread id only this room's members can compute. Never sent anywhere.

/** HMAC keys per room code: a key is derived once per worker, not per line of a replay. */
const keys = new Map<string, Promise<CryptoKey>>();

export async function threadIdOf(bg: Background, roomId: string, url: string): Promise<string | null> {
  const room = bg.mem.rooms.get(roomId) ?? bg.pendingJoins.get(roomId)?.record;
  if (!room) return null;
  let key = keys.get(room.code);
  if (!key) {
    key = threadKey(room.code as RoomCode);
    keys.set(room.code, key);
  }
  return pageThreadId(await key, url);
}

/** `page` and its thread id for a line that carries one; nothing for the others. */
export async function threadFields(bg: Background, roomId: string, page: PageRef | undefined): Promise<Pick<MessageRecord, 'page' | 'thread'>> {
  if (!page) return {};
  const thread = await threadIdOf(bg, roomId, page.url);
  return thread === null ? { page } : { page: { url: page.url, title: page.title }, thread };
}

const range = (thread: string) => IDBKeyRange.bound([thread, -Infinity, ''], [thread, Infinity, '\uffff']);

/** Lines of one room's thread for `url` on this device (a deleted line has left its thread: message-events.ts rule 4). */
export async function threadCount(bg: Background, roomId: string, url: string): Promise<number> {
  const thread = await threadIdOf(bg, roomId, url);
  return thread === null ? 0 : bg.db.countFromIndex('messages', 'byThread', range(thread));
}

/** The newest `limit` lines of one room's thread for `url`, in display order. */
export async function threadLines(bg: Background, roomId: string, url: string, limit: number): Promise<MessageRecord[]> {
  const thread = await threadIdOf(bg, roomId, url);
  if (thread === null) return [];
  const lines: MessageRecord[] = [];
  let cursor = await bg.db.transaction('messages').store.index('byThread').openCursor(range(thread), 'prev');
  while (cursor && lines.length < limit) {
    lines.push(cursor.value);
    cursor = await cursor.continue();
  }
  return lines.reverse();
}
