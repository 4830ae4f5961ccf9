// Joins still waiting for their relay (docs/protocol.md, "Invites", "A join ends", and "Errors",
// INTERNAL for a join): each ends in a room or in words, and a relay's failure is asked again.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cancelJoin } from '../../src/background/intents/cancel-join.ts';
import { joinRoom } from '../../src/background/intents/join-room.ts';
import { noteFailedOpen } from '../../src/background/join-bounds.ts';
import { handleRelayFrame } from '../../src/background/relay-frames/index.ts';
import { deriveRoomKeys } from '../../src/shared/crypto.ts';
import { inviteLink } from '../../src/shared/invite.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';
import { backgroundFixture, type FakeSocket, type Fixture } from './background-fixture.ts';

// Only the timers: fake-indexeddb schedules its own work and must keep running.
beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); });
afterEach(() => { vi.useRealTimers(); });

const RELAY_C = 'wss://c.relay.test';

async function waitingJoin(f: Fixture): Promise<{ roomId: string; invite: string; c: FakeSocket }> {
  const code = newRoomCode();
  const { roomId } = await deriveRoomKeys(code);
  const invite = inviteLink(RELAY_C, code);
  await joinRoom(f.bg, { type: 'join-room', code: invite, name: '' }, f.view());
  const c = f.sockets.get(RELAY_C)!;
  expect(c.sent).toEqual([{ type: 'ENTERROOM', room: roomId, since: 0 }]);
  return { roomId, invite, c };
}

const enters = (s: FakeSocket) => s.sent.filter((x) => x.type === 'ENTERROOM').length;

describe('INTERNAL for a waiting join (ref ENTERROOM)', () => {
  it('asks again one second later on the same link', async () => {
    const f = await backgroundFixture();
    const { roomId, c } = await waitingJoin(f);
    await handleRelayFrame(f.bg, f.bg.links.get(RELAY_C)!, { type: 'ERROR', code: 'INTERNAL', message: 'store failed', ref: 'ENTERROOM', room: roomId });
    await vi.advanceTimersByTimeAsync(999);
    expect(enters(c)).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.sent.at(-1)).toEqual({ type: 'ENTERROOM', room: roomId, since: 0 });
    expect(enters(c)).toBe(2);
    expect(f.posted.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('does not ask again once the join was answered meanwhile', async () => {
    const f = await backgroundFixture();
    const { roomId, c } = await waitingJoin(f);
    const link = f.bg.links.get(RELAY_C)!;
    await handleRelayFrame(f.bg, link, { type: 'ERROR', code: 'INTERNAL', message: 'store failed', ref: 'ENTERROOM', room: roomId });
    await handleRelayFrame(f.bg, link, { type: 'ROOM', room: roomId, peer: 'p0000000000000001', members: [], head: 0, epoch: 1, created: false });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(enters(c)).toBe(1);
  });

  it('does not ask on a link that is no longer the one in use for that relay', async () => {
    const f = await backgroundFixture();
    const { roomId, c } = await waitingJoin(f);
    const old = f.bg.links.get(RELAY_C)!;
    await handleRelayFrame(f.bg, old, { type: 'ERROR', code: 'INTERNAL', message: 'store failed', ref: 'ENTERROOM', room: roomId });
    // The link was closed and opened again (a new socket): the old one must not be written to.
    f.bg.links.close(RELAY_C);
    c.isOpen = true;
    f.bg.links.open(RELAY_C);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(enters(c)).toBe(1);
  });
});

// The words and numbers below are docs/protocol.md's ("Invites", "A join ends"): 30 s, 3 sockets.
const unreachable = `Can't reach ${RELAY_C}: the room was not joined. Check the invite, or try again later.`;
const unanswered = `${RELAY_C} did not answer within 30 s: the room was not joined. Check the invite, or try again later.`;
const errors = (f: Fixture) => f.posted.filter((m) => m.type === 'error');

describe('a join its relay never answers', () => {
  it('ends after 30 s in words naming the relay, and its unused link is closed', async () => {
    const f = await backgroundFixture();
    const { c } = await waitingJoin(f);
    await vi.advanceTimersByTimeAsync(29_999);
    await f.settled();
    expect(errors(f)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await f.settled();
    expect(errors(f)).toEqual([{ type: 'error', code: 'RELAY_ERROR', message: unanswered }]);
    expect(f.bg.pendingJoins.size).toBe(0);
    expect(f.bg.links.get(RELAY_C)).toBeUndefined();
    expect(c.stopped).toBe(true);
  });

  it('says "Can\'t reach" when no socket to the relay is open', async () => {
    const f = await backgroundFixture();
    const { c } = await waitingJoin(f);
    c.isOpen = false;
    await vi.advanceTimersByTimeAsync(30_000);
    await f.settled();
    expect(errors(f)).toEqual([{ type: 'error', code: 'RELAY_ERROR', message: unreachable }]);
  });

  it('ends sooner, after the third socket to the relay that failed to open', async () => {
    const f = await backgroundFixture();
    const { c } = await waitingJoin(f);
    c.isOpen = false;
    const link = f.bg.links.get(RELAY_C)!;
    await noteFailedOpen(f.bg, link);
    await noteFailedOpen(f.bg, link);
    expect(errors(f)).toEqual([]);
    await noteFailedOpen(f.bg, link);
    expect(errors(f)).toEqual([{ type: 'error', code: 'RELAY_ERROR', message: unreachable }]);
    expect(f.bg.links.get(RELAY_C)).toBeUndefined();
    // Its 30 s timer finds nothing left to end.
    await vi.advanceTimersByTimeAsync(30_000);
    await f.settled();
    expect(errors(f)).toHaveLength(1);
  });

  it('keeps the link when a stored room lives on that relay', async () => {
    const f = await backgroundFixture();
    await f.storedRoom(RELAY_C);
    const { c } = await waitingJoin(f);
    await vi.advanceTimersByTimeAsync(30_000);
    await f.settled();
    expect(errors(f)).toEqual([{ type: 'error', code: 'RELAY_ERROR', message: unanswered }]);
    expect(f.bg.links.get(RELAY_C)).toBeDefined();
    expect(c.stopped).toBe(false);
  });

  it('is not ended once the relay let us in', async () => {
    const f = await backgroundFixture();
    const { roomId } = await waitingJoin(f);
    await handleRelayFrame(f.bg, f.bg.links.get(RELAY_C)!, { type: 'ROOM', room: roomId, peer: 'p0000000000000001', members: [], head: 0, epoch: 1, created: false });
    await vi.advanceTimersByTimeAsync(30_000);
    await f.settled();
    expect(errors(f)).toEqual([]);
    expect(await f.bg.db.get('rooms', roomId)).toBeDefined();
    expect(f.bg.links.get(RELAY_C)).toBeDefined();
  });
});

describe('Cancel beside "Joining…" (cancel-join)', () => {
  it('drops the waiting join at once and closes its unused link', async () => {
    const f = await backgroundFixture();
    const { roomId, invite, c } = await waitingJoin(f);
    await cancelJoin(f.bg, { type: 'cancel-join', code: invite });
    expect(f.bg.pendingJoins.has(roomId)).toBe(false);
    expect(f.bg.links.get(RELAY_C)).toBeUndefined();
    expect(c.stopped).toBe(true);
    // Its 30 s timer finds nothing left to end, and nothing was stored.
    await vi.advanceTimersByTimeAsync(30_000);
    await f.settled();
    expect(errors(f)).toEqual([]);
    expect(await f.bg.db.get('rooms', roomId)).toBeUndefined();
  });

  it('leaves the link of a relay another room uses', async () => {
    const f = await backgroundFixture();
    await f.storedRoom(RELAY_C);
    const { roomId, invite, c } = await waitingJoin(f);
    await cancelJoin(f.bg, { type: 'cancel-join', code: invite });
    expect(f.bg.pendingJoins.has(roomId)).toBe(false);
    expect(c.stopped).toBe(false);
  });
});
