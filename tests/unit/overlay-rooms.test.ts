// Each tab's overlay room across a stopped worker (docs/architecture.md, "The overlay's chrome and
// place": overlayRooms in the settings store). A new OverlayRooms loading the same database is
// what a restarted worker does; the expected answers are the doc's rules.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openParleyDb } from '../../src/background/db.ts';
import { OverlayRooms } from '../../src/background/overlay-rooms.ts';

const proto = globalThis.IDBObjectStore.prototype;
const realPut = proto.put;
afterEach(() => {
  proto.put = realPut;
});

let dbCount = 0;
const freshDb = () => openParleyDb(`overlay-rooms-${++dbCount}`);

/** The worker stops: what a new one reads from the same database. */
async function restarted(rooms: OverlayRooms, db: Awaited<ReturnType<typeof freshDb>>): Promise<OverlayRooms> {
  await rooms.written();
  const next = new OverlayRooms();
  await next.load(db);
  return next;
}

describe("each tab's overlay room", () => {
  it('is known to the worker that starts after the browser stopped the last one', async () => {
    const db = await freshDb();
    const rooms = new OverlayRooms();
    await rooms.load(db);
    rooms.set(7, 'room-a');
    rooms.set(9, 'room-b');
    rooms.set(7, 'room-c'); // switched in the overlay
    const next = await restarted(rooms, db);
    expect([...next.entries()].sort()).toEqual([[7, 'room-c'], [9, 'room-b']]);
  });

  it('is dropped with its tab, for the next worker too', async () => {
    const db = await freshDb();
    const rooms = new OverlayRooms();
    await rooms.load(db);
    rooms.set(7, 'room-a');
    rooms.set(9, 'room-b');
    rooms.delete(7);
    const next = await restarted(rooms, db);
    expect([...next.entries()]).toEqual([[9, 'room-b']]);
  });

  it('from an earlier browser session is dropped when the browser starts; one set since stays', async () => {
    const db = await freshDb();
    const earlier = new OverlayRooms();
    await earlier.load(db);
    earlier.set(3, 'old-room');
    earlier.set(4, 'old-room');
    const started = await restarted(earlier, db);
    expect(started.get(3)).toBe('old-room');
    started.set(4, 'new-room'); // a tab of the new session, set before onStartup reached the worker
    started.browserStarted();
    expect([...started.entries()]).toEqual([[4, 'new-room']]);
    const next = await restarted(started, db);
    expect([...next.entries()]).toEqual([[4, 'new-room']]);
  });

  it('keeps at most 500 tabs, dropping the least recently set first', async () => {
    const db = await freshDb();
    const rooms = new OverlayRooms();
    await rooms.load(db);
    for (let tab = 1; tab <= 500; tab++) rooms.set(tab, `room-${tab}`);
    rooms.set(1, 'room-again'); // set again: now the most recent
    rooms.set(501, 'room-501');
    const next = await restarted(rooms, db);
    expect(next.size).toBe(500);
    expect(next.has(2)).toBe(false);
    expect(next.get(1)).toBe('room-again');
    expect(next.get(501)).toBe('room-501');
  });

  it('a write that failed (storage full) is made good by the next change', async () => {
    const db = await freshDb();
    const rooms = new OverlayRooms();
    await rooms.load(db);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    proto.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'settings') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    };
    rooms.set(7, 'room-a');
    await rooms.written();
    expect(rooms.get(7)).toBe('room-a'); // this worker still knows it
    expect(warn).toHaveBeenCalled();
    proto.put = realPut;
    warn.mockRestore();
    rooms.set(8, 'room-b');
    const next = await restarted(rooms, db);
    expect([...next.entries()].sort()).toEqual([[7, 'room-a'], [8, 'room-b']]);
  });
});
