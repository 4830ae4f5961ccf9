import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { directEverywhere, directOnMembers } from '../../src/background/direct-path.ts';
import { leaveRoom } from '../../src/background/intents/leave-room.ts';
import { presenceOnRoom } from '../../src/background/presence.ts';
import { backgroundFixture } from './background-fixture.ts';
import { fakeDoc } from './direct-fixture.ts';

// direct-path.ts rule 5 (docs/protocol.md "The direct path"): "leaving the room closes
// all of its connections", and rule 10's retries "go with ... the room left". leave-room.ts calls
// directRoomLeft, but leaves the room's entry in link.presence (only a new connection clears it).
// So the next time direct connections are looked at everywhere (any Settings save calls
// directEverywhere, which visits every room in link.presence), the background offers a new
// connection to each member of the room it left: an offscreen document and an RTCPeerConnection
// for 15 s for a room it is no longer in.

const A = 'p0000000000000001'; // us, the lower id: we offer
const B = 'p0000000000000002';

beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }); });
afterEach(() => {
  vi.useRealTimers();
  delete (globalThis as { chrome?: unknown }).chrome;
});


describe('a room we left', () => {
  it('gets no new direct connection when Settings are saved afterwards', async () => {
    const f = await backgroundFixture();
    const doc = fakeDoc(f);
    const room = f.keys.roomId;
    await f.storedRoom(); // another room on the same relay: the link stays open after we leave
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true };
    presenceOnRoom(f.link, { type: 'ROOM', room, peer: A, members: [B], head: 0, epoch: 1, created: false });
    directOnMembers(f.bg, f.link, room);
    await vi.advanceTimersByTimeAsync(0);
    await f.settled();
    const opens = () => doc.told.filter((m) => m.type === 'open-conn').length;
    expect(opens()).toBe(1);

    await leaveRoom(f.bg, { type: 'leave-room', roomId: room });
    await f.settled();
    expect(doc.told.at(-1)).toMatchObject({ type: 'close-conn' });

    // Settings saved (save-settings.ts ends with directEverywhere).
    directEverywhere(f.bg);
    await vi.advanceTimersByTimeAsync(0);
    await f.settled();
    expect(opens()).toBe(1);
  });
});
