// Joins still waiting for their relay (docs/protocol.md, "Invites", "A join ends", and "Errors",
// INTERNAL for a join): each ends in a room or in words, and a relay's failure is asked again.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { joinRoom } from '../../src/background/intents/join-room.ts';
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
