import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { directOnMembers, pathOf } from '../../src/background/direct-path.ts';
import { presenceOnRoom } from '../../src/background/presence.ts';
import { backgroundFixture } from './background-fixture.ts';
import { fakeDoc } from './direct-fixture.ts';

// docs/security.md "Direct connections": "A connection that dies is made again only by
// the offering side, only if it had opened (a member who never answers, e.g. with the setting off,
// still costs one attempt)"; docs/protocol.md "The direct path": "a first attempt not open within
// DIRECT_CONNECT_TIMEOUT_MS = 15 s is given up (the member stays "relayed") until the member joins
// again". No test checked it since rule 10 made attempts retry; this one does (it passes).

const A = 'p0000000000000001'; // the lower id: offers
const B = 'p0000000000000002'; // never answers

beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }); });
afterEach(() => {
  vi.useRealTimers();
  delete (globalThis as { chrome?: unknown }).chrome;
});


describe('a member who never answers', () => {
  it('costs one attempt: not open within 15 s, given up, not tried again', async () => {
    const f = await backgroundFixture();
    const doc = fakeDoc(f);
    const room = f.keys.roomId;
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true };
    presenceOnRoom(f.link, { type: 'ROOM', room, peer: A, members: [B], head: 0, epoch: 1, created: false });
    directOnMembers(f.bg, f.link, room);
    await vi.advanceTimersByTimeAsync(0);
    await f.settled();
    const opens = () => doc.told.filter((m) => m.type === 'open-conn');
    expect(opens()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(15_000);
    await f.settled();
    expect(doc.told.at(-1)).toMatchObject({ type: 'close-conn' });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    await f.settled();
    expect(opens()).toHaveLength(1);
    expect(pathOf(f.bg, room, B)).toBe('relayed');
  });
});
