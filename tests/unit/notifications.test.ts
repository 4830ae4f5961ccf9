import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleRelayFrame } from '../../src/background/relay-frames/index.ts';
import { NOTIFY_EVERY_MS } from '../../src/background/notifications.ts';
import { putRoom } from '../../src/background/memory.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';

// The rules at the top of src/background/notifications.ts, with the worker's registration and
// permission stood in for (the browser test shows a real one).

const shown: { title: string; body: string; tag: string }[] = [];
const scope = globalThis as unknown as { registration?: unknown; Notification?: unknown };

beforeEach(() => {
  shown.length = 0;
  scope.registration = { showNotification: async (title: string, o: { body: string; tag: string }) => void shown.push({ title, body: o.body, tag: o.tag }) };
  scope.Notification = { permission: 'granted' };
});
afterEach(() => {
  delete scope.registration;
  delete scope.Notification;
  vi.useRealTimers();
});

async function liveRoom(): Promise<Fixture> {
  const f = await backgroundFixture();
  f.bg.mem.settings = { ...f.bg.mem.settings, notifications: true };
  f.link.synced.add(f.keys.roomId);
  return f;
}

describe('notifications', () => {
  it('one for the first live message, the rest of the next 5 s summed up in one', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const f = await liveRoom();
    for (const seq of [1, 2, 3]) await handleRelayFrame(f.bg, f.link, await f.incoming(`m${seq}`, seq));
    expect(shown.map((n) => [n.title, n.body])).toEqual([['r', 'Unverified sender: m1']]);
    vi.advanceTimersByTime(NOTIFY_EVERY_MS);
    await f.settled();
    expect(shown.map((n) => n.body)).toEqual(['Unverified sender: m1', '2 more new messages']);
    expect(new Set(shown.map((n) => n.tag)).size).toBe(1); // one per room: the summary replaces it
  });

  it('none for a replay (a backlog never floods the desktop)', async () => {
    const f = await liveRoom();
    f.link.synced.delete(f.keys.roomId);
    await handleRelayFrame(f.bg, f.link, await f.incoming('old', 1));
    expect(shown).toEqual([]);
  });

  it('none for a muted room, a room on screen, or with the setting off', async () => {
    const f = await liveRoom();
    await putRoom(f.bg, { ...f.bg.mem.rooms.get(f.keys.roomId)!, muted: true });
    await handleRelayFrame(f.bg, f.link, await f.incoming('muted', 1));
    await putRoom(f.bg, { ...f.bg.mem.rooms.get(f.keys.roomId)!, muted: false });
    const view = { ...f.view(), watching: f.keys.roomId };
    f.bg.views.add(view);
    await handleRelayFrame(f.bg, f.link, await f.incoming('on screen', 2));
    f.bg.views.delete(view);
    f.bg.mem.settings = { ...f.bg.mem.settings, notifications: false };
    await handleRelayFrame(f.bg, f.link, await f.incoming('off', 3));
    expect(shown).toEqual([]);
  });
});
