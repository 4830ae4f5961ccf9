// Issue 10, big rooms: a view gets a room's history in pages (the newest on opening, older ones on
// asking), the divider's line, local retention, and a full IndexedDB said in words with nothing
// lost. Over fake-indexeddb with the real handlers (background-fixture.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// watch-room reaches state.ts (what each view was told), which imports the extension API.
vi.mock('webextension-polyfill', () => ({ default: { action: { setBadgeText: async () => {} } } }));
import { PENDING_ORDER, roomMessages, type MessageRecord } from '../../src/background/db.ts';
import { loadOlder } from '../../src/background/intents/load-older.ts';
import { watchRoom } from '../../src/background/intents/watch-room.ts';
import { onChatMessage, onChatMessages } from '../../src/background/relay-frames/on-chat-message.ts';
import { trimRoom } from '../../src/background/retention.ts';
import { noteStorageError, STORAGE_FULL_TEXT, storageProblem } from '../../src/background/storage-full.ts';
import { ViewBatch } from '../../src/background/view-batch.ts';
import { HISTORY_PAGE_SIZE } from '../../src/shared/constants.ts';
import { applyLines, historyLines, prependLines, type Lines } from '../../src/ui/lines.ts';
import type { BackgroundToView, ChatItem } from '../../src/shared/view-messages.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await backgroundFixture();
});

const idOf = (n: number) => `m${String(n).padStart(6, '0')}`;

/** `count` lines from others (seq 1..count), `unread` of them counted unread, written straight to the database. */
async function storeLines(count: number, unread = 0): Promise<void> {
  const room = f.keys.roomId;
  const tx = f.bg.db.transaction(['messages', 'rooms'], 'readwrite');
  for (let n = 1; n <= count; n++) {
    const line: MessageRecord = { roomId: room, id: idOf(n), kind: 'message', seq: n, order: n, mine: false, nick: 'Peer', text: `line ${n}`, sentAt: n, status: 'received' };
    void tx.objectStore('messages').put(line);
  }
  const record = { ...f.bg.mem.rooms.get(room)!, lastSeq: count, unread };
  void tx.objectStore('rooms').put(record);
  await tx.done;
  f.bg.mem.rooms.set(room, record);
}

const last = <T extends BackgroundToView['type']>(type: T) =>
  f.posted.filter((m): m is Extract<BackgroundToView, { type: T }> => m.type === type).at(-1)!;
const seqs = (items: ChatItem[]) => items.map((i) => i.seq);

describe('paged history', () => {
  it('opening a room sends its newest page, says there is more, and load-older pages back to the first line', async () => {
    await storeLines(250);
    const room = f.keys.roomId;
    await watchRoom(f.bg, { type: 'watch-room', roomId: room }, f.view());
    const history = last('room-history');
    expect(history.items).toHaveLength(HISTORY_PAGE_SIZE);
    expect(history.items.at(-1)!.seq).toBe(250);
    expect(history.items[0]!.seq).toBe(250 - HISTORY_PAGE_SIZE + 1);
    expect(history.hasOlder).toBe(true);
    expect(history.firstUnread).toBeNull();

    let oldest = history.items[0]!;
    const pages: ChatItem[][] = [];
    for (;;) {
      await loadOlder(f.bg, { type: 'load-older', roomId: room, before: { order: oldest.order, id: oldest.id } }, f.view());
      const older = last('room-older');
      pages.unshift(older.items);
      oldest = older.items[0]!;
      if (!older.hasOlder) break;
    }
    expect(seqs(pages.flat().concat(history.items))).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('load-older with untilId sends every line back to that one', async () => {
    await storeLines(500);
    await loadOlder(f.bg, { type: 'load-older', roomId: f.keys.roomId, before: { order: 401, id: idOf(401) }, untilId: idOf(37) }, f.view());
    const older = last('room-older');
    expect(older.items[0]!.id).toBe(idOf(37));
    expect(older.items.at(-1)!.id).toBe(idOf(400));
    expect(older.hasOlder).toBe(true);
  });

  it('load-older with an untilId this device does not have sends at most one page', async () => {
    // A quote of a line trimmed or never received: walking back to it would send the whole room.
    await storeLines(2_000);
    await loadOlder(f.bg, { type: 'load-older', roomId: f.keys.roomId, before: { order: 1_901, id: idOf(1_901) }, untilId: '01J00000000000000000000ZZZ' }, f.view());
    const older = last('room-older');
    expect(older.items.length).toBeLessThanOrEqual(HISTORY_PAGE_SIZE);
    expect(older.items.at(-1)!.id).toBe(idOf(1_900));
    expect(older.hasOlder).toBe(true);
  });

  it('every stored line is reachable by scrolling up after an old hole is filled live', async () => {
    // The view pages from where its last page began (Lines.cursor), not from its first line: a
    // live line that fills an old hole lands before the first page and must not be paged from.
    const room = f.keys.roomId;
    const tx = f.bg.db.transaction('messages', 'readwrite');
    for (let n = 1; n <= 250; n++) {
      if (n === 50) continue; // the hole: seq 50 not stored yet, the rest ahead of lastSeq
      const line: MessageRecord = { roomId: room, id: idOf(n), kind: 'message', seq: n, order: n, mine: false, nick: 'Peer', text: `line ${n}`, sentAt: n, status: 'received' };
      void tx.store.put(line);
    }
    await tx.done;
    f.bg.mem.rooms.set(room, { ...f.bg.mem.rooms.get(room)!, lastSeq: 49 });
    f.bg.mem.ahead.set(room, [[51, 250]] as never);

    const view = f.view();
    let lines: Lines = historyLines([]);
    let hasOlder = false;
    let seen = 0;
    // What use-background.ts's reducer does with each message.
    const drain = () => {
      for (const m of f.posted.slice(seen)) {
        if (m.type === 'room-history') { lines = historyLines(m.items); hasOlder = m.hasOlder; }
        if (m.type === 'room-item') lines = applyLines(lines, [m.item], []);
        if (m.type === 'room-items') lines = applyLines(lines, m.items, []);
        if (m.type === 'room-older') { lines = prependLines(lines, m.items); hasOlder = m.hasOlder; }
      }
      seen = f.posted.length;
    };
    await watchRoom(f.bg, { type: 'watch-room', roomId: room }, view);
    view.watching = room;
    drain();
    await onChatMessage(f.bg, f.link, await f.incoming('line 50', 50));
    drain();
    let pages = 0;
    while (hasOlder && pages++ < 10) {
      await loadOlder(f.bg, { type: 'load-older', roomId: room, before: lines.cursor! }, view);
      drain();
    }
    expect(lines.items).toHaveLength(250);
    expect(seqs(lines.items)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('the divider goes above the first unread line, even when that is further back than one page', async () => {
    await storeLines(400, 3);
    await watchRoom(f.bg, { type: 'watch-room', roomId: f.keys.roomId }, f.view());
    expect(last('room-history').firstUnread).toBe(idOf(398));
    f.posted.length = 0;
    await storeLines(400, 250);
    await watchRoom(f.bg, { type: 'watch-room', roomId: f.keys.roomId }, f.view());
    const history = last('room-history');
    expect(history.firstUnread).toBe(idOf(151));
    expect(history.items.some((i) => i.id === idOf(151))).toBe(true);
    expect(f.bg.mem.rooms.get(f.keys.roomId)!.unread).toBe(0);
  });
});

describe('local retention', () => {
  it('keeps the newest keepPerRoom lines, and never a line of ours not yet sent', async () => {
    await storeLines(350);
    const room = f.keys.roomId;
    await f.bg.db.put('messages', { roomId: room, id: 'zz-pending', kind: 'message', seq: null, order: PENDING_ORDER, mine: true, nick: 'Me', text: 'queued', sentAt: 1, status: 'sending' });
    f.bg.mem.settings = { ...f.bg.mem.settings, keepPerRoom: 100 };
    expect(await trimRoom(f.bg, room)).toBe(251);
    const kept = await roomMessages(f.bg.db, room);
    expect(kept).toHaveLength(100);
    expect(kept[0]!.seq).toBe(252);
    expect(kept.at(-1)!.id).toBe('zz-pending');
    expect(f.bg.mem.rooms.get(room)!.lastSeq).toBe(350); // the relay is not asked for them again
  });

  it('deletes old GAP notices like any old line', async () => {
    await storeLines(300);
    const room = f.keys.roomId;
    await f.bg.db.put('messages', { roomId: room, id: 'gap-1-5', kind: 'gap', seq: null, order: 0.5, mine: false, nick: '', text: '5 earlier messages are no longer kept by the relay.', sentAt: 1, status: 'received' });
    f.bg.mem.settings = { ...f.bg.mem.settings, keepPerRoom: 100 };
    await trimRoom(f.bg, room);
    const kept = await roomMessages(f.bg.db, room);
    expect(kept).toHaveLength(100);
    expect(kept.some((m) => m.kind === 'gap')).toBe(false);
  });
});

describe('a full IndexedDB', () => {
  const proto = globalThis.IDBObjectStore.prototype;
  const realPut = proto.put;
  let full = false;
  let roomsFull = false;
  beforeEach(() => {
    proto.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if ((full && this.name === 'messages') || (roomsFull && this.name === 'rooms')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    };
  });
  afterEach(() => {
    proto.put = realPut;
    full = false;
    roomsFull = false;
  });

  it('opening a room still shows its history when counting it read cannot be written', async () => {
    await storeLines(300, 3);
    const room = f.keys.roomId;
    roomsFull = true;
    const error = await watchRoom(f.bg, { type: 'watch-room', roomId: room }, f.view()).then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull(); // the serial queue says STORAGE_FULL in words (test above)
    const history = last('room-history');
    expect(history.items.at(-1)!.seq).toBe(300);
    expect(history.firstUnread).toBe(idOf(298));
  });

  it('says so in words, keeps every line stored, takes the unstored one back and asks the relay again', async () => {
    const room = f.keys.roomId;
    await onChatMessage(f.bg, f.link, await f.incoming('one', 1));
    await onChatMessage(f.bg, f.link, await f.incoming('two', 2));
    f.bg.views.add({ ...f.view(), watching: room });
    full = true;
    const frame = await f.incoming('three', 3);
    const error = await onChatMessage(f.bg, f.link, frame).then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull();
    // What the serial queue does with a task's error (background/index.ts).
    expect(noteStorageError(f.bg, error)).toBe(true);
    expect(f.posted).toContainEqual({ type: 'error', code: 'STORAGE_FULL', message: STORAGE_FULL_TEXT });
    expect(storageProblem(f.bg)).toBe(STORAGE_FULL_TEXT);
    // Shown first, then taken back; nothing stored lost; lastSeq did not move; asked again.
    expect(f.posted).toContainEqual({ type: 'room-item-removed', roomId: room, id: frame.id });
    expect((await roomMessages(f.bg.db, room)).map((m) => m.text)).toEqual(['one', 'two']);
    expect((await f.bg.db.get('rooms', room))!.lastSeq).toBe(2);
    expect(f.sent).toContainEqual({ type: 'GETROOM', room, since: 2 });

    // Space again: the replayed line is stored and the problem is gone.
    full = false;
    await onChatMessage(f.bg, f.link, frame);
    expect((await roomMessages(f.bg.db, room)).map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(storageProblem(f.bg)).toBeNull();
  });
});

describe('line changes held during a burst', () => {
  it('go out as one room-items per room with each line as it last stood, removals after', () => {
    const sent: BackgroundToView[] = [];
    const batch = new ViewBatch((_room, m) => sent.push(m));
    const item = (id: string, text: string): ChatItem => ({ id, kind: 'message', seq: 1, order: 1, mine: false, nick: 'n', text, sentAt: 0, status: 'received' });
    batch.hold({ type: 'room-item', roomId: 'r', item: item('a', 'first') });
    batch.hold({ type: 'room-item', roomId: 'r', item: item('b', 'b') });
    batch.hold({ type: 'room-item', roomId: 'r', item: item('a', 'second') });
    batch.hold({ type: 'room-item', roomId: 'r', item: item('c', 'c') });
    batch.hold({ type: 'room-item-removed', roomId: 'r', id: 'c' });
    batch.hold({ type: 'room-item', roomId: 's', item: item('x', 'x') });
    expect(sent).toEqual([]);
    batch.flush();
    expect(sent).toEqual([
      { type: 'room-items', roomId: 'r', items: [item('b', 'b'), item('a', 'second')] },
      { type: 'room-item-removed', roomId: 'r', id: 'c' },
      { type: 'room-item', roomId: 's', item: item('x', 'x') },
    ]);
    batch.flush();
    expect(sent).toHaveLength(3);
  });
});

describe('a replay stored in batches (onChatMessages)', () => {
  it('stores a run of frames in one go, settles lastSeq over all of them, and shows them as one room-items', async () => {
    const room = f.keys.roomId;
    await onChatMessage(f.bg, f.link, await f.incoming('before', 1));
    const frames = await Promise.all(Array.from({ length: 50 }, (_, i) => f.incoming(`replayed ${i + 2}`, i + 2)));
    // One arrives twice, and one was stored already: each takes the one-frame path.
    frames.push({ ...frames[10]! });
    f.posted.length = 0;
    await onChatMessages(f.bg, f.link, frames);
    const texts = (await roomMessages(f.bg.db, room)).map((m) => m.text);
    expect(texts).toEqual(['before', ...Array.from({ length: 50 }, (_, i) => `replayed ${i + 2}`)]);
    expect((await f.bg.db.get('rooms', room))!.lastSeq).toBe(51);
    expect(f.bg.mem.rooms.get(room)!.lastSeq).toBe(51);
    const batches = f.posted.filter((m) => m.type === 'room-items');
    expect(batches).toHaveLength(1);
    expect(batches[0]!.type === 'room-items' && batches[0]!.items.length).toBe(50);
  });

  it('leaves a hole where a seq is missing: lastSeq stops below it', async () => {
    const frames = await Promise.all([1, 2, 4, 5].map((seq) => f.incoming(`s${seq}`, seq)));
    await onChatMessages(f.bg, f.link, frames);
    expect((await f.bg.db.get('rooms', f.keys.roomId))!.lastSeq).toBe(2);
    await onChatMessages(f.bg, f.link, [await f.incoming('s3', 3)]);
    expect((await f.bg.db.get('rooms', f.keys.roomId))!.lastSeq).toBe(5);
  });

  it('a batch whose write fails is taken back from the views, stores nothing, and the relay is asked again', async () => {
    const room = f.keys.roomId;
    await onChatMessage(f.bg, f.link, await f.incoming('kept', 1));
    const frames = await Promise.all([2, 3, 4].map((seq) => f.incoming(`lost ${seq}`, seq)));
    const realDb = f.bg.db;
    f.bg.db = new Proxy(realDb, {
      get(target, prop) {
        if (prop === 'transaction') {
          return (...args: Parameters<typeof realDb.transaction>) => {
            const tx = target.transaction(...args);
            if (args[1] === 'readwrite') tx.abort();
            return tx;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    f.posted.length = 0;
    const error = await onChatMessages(f.bg, f.link, frames).then(() => null, (e: unknown) => e);
    f.bg.db = realDb;
    expect(error).not.toBeNull();
    for (const frame of frames) expect(f.posted).toContainEqual({ type: 'room-item-removed', roomId: room, id: frame.id });
    expect((await roomMessages(realDb, room)).map((m) => m.text)).toEqual(['kept']);
    expect(f.bg.mem.rooms.get(room)!.lastSeq).toBe(1);
    expect(f.sent).toContainEqual({ type: 'GETROOM', room, since: 1 });
  });
});
