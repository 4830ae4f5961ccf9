// Where the popup reopens (state.lastRoomId, "the room the popup was last showing"): only the
// popup moves it, and a write of it that failed is tried again.
import { afterEach, describe, expect, it, vi } from 'vitest';

// watch-room reaches state.ts (what each view was told), which imports the extension API.
vi.mock('webextension-polyfill', () => ({ default: { action: { setBadgeText: async () => {} } } }));
import type { ViewPort } from '../../src/background/context.ts';
import { watchRoom } from '../../src/background/intents/watch-room.ts';
import { loadLastRoom, saveLastRoom } from '../../src/background/last-room.ts';
import { backgroundFixture } from './background-fixture.ts';

const proto = globalThis.IDBObjectStore.prototype;
const realPut = proto.put;
afterEach(() => {
  proto.put = realPut;
});

describe('where the popup reopens', () => {
  it('an overlay on a web page opening a room does not change where the popup reopens', async () => {
    const f = await backgroundFixture();
    const other = await f.storedRoom();
    const popup = f.view();
    await watchRoom(f.bg, { type: 'watch-room', roomId: f.keys.roomId }, popup);
    expect(f.bg.lastRoomId).toBe(f.keys.roomId);
    const overlay = { ...f.view(), kind: 'overlay', tabId: 7 } as ViewPort;
    await watchRoom(f.bg, { type: 'watch-room', roomId: other }, overlay);
    expect(f.bg.lastRoomId).toBe(f.keys.roomId);
  });

  it('a last-room write that failed (storage full) is written on the next try', async () => {
    const f = await backgroundFixture();
    expect(await loadLastRoom(f.bg.db)).toBeNull();
    f.bg.lastRoomId = f.keys.roomId;
    proto.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'settings') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.apply(this, args);
    };
    await expect(saveLastRoom(f.bg)).rejects.toThrow();
    proto.put = realPut;
    await saveLastRoom(f.bg);
    expect(await loadLastRoom(f.bg.db)).toBe(f.keys.roomId);
  });
});
