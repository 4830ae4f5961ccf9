// Issue 7, defect 4: RATE_LIMITED names no frame (docs/protocol.md, "Errors"), so a GETROOM or
// ENTERROOM it dropped was never asked again and its room stayed unsynced for good. The doc says:
// a second later, every stored room without a ROOM on this connection and without a refusal shown
// in words is asked for again, and every join still waiting.
import { roomStored } from '../../src/background/memory.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onError } from '../../src/background/relay-frames/on-error.ts';
import { onRoom } from '../../src/background/relay-frames/on-room.ts';
import { retryAfterRefusal } from '../../src/background/outbox.ts';
import { deriveRoomKeys } from '../../src/shared/crypto.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';
import { backgroundFixture, RELAY, type Fixture } from './background-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await backgroundFixture();
});
afterEach(() => {
  vi.useRealTimers();
});

async function storedRoom(): Promise<string> {
  const code = newRoomCode();
  const { roomId } = await deriveRoomKeys(code);
  const record = { roomId, code, name: 'x', joinedAt: 1, lastSeq: 3, unread: 0, relayUrl: RELAY };
  await f.bg.db.put('rooms', record);
  roomStored(f.bg, record); // memory follows every write (memory.ts)
  return roomId;
}

describe('joins dropped with RATE_LIMITED', () => {
  it('asks again, a second later, for every room the relay has not answered, and for waiting joins', async () => {
    const answered = f.keys.roomId;
    const dropped = await storedRoom();
    const full = await storedRoom();
    const joining = (await deriveRoomKeys(newRoomCode())).roomId;
    f.bg.pendingJoins.set(joining, { record: { roomId: joining, code: '', name: '', joinedAt: 1, lastSeq: 0, unread: 0, relayUrl: RELAY }, view: null, failedOpens: 0 });
    await onRoom(f.bg, f.link, { type: 'ROOM', room: answered, peer: 'p0000000000000001', members: [], head: 0, epoch: 1, created: false });
    await onError(f.bg, f.link, { type: 'ERROR', code: 'ROOM_FULL', message: 'x', ref: 'GETROOM', room: full });

    let retried: Promise<void> | undefined;
    f.bg.retryOutboxes = (link) => void (retried = retryAfterRefusal(f.bg, link));
    vi.useFakeTimers();
    f.sent.length = 0;
    // As the relay sends it: no ref, no room.
    await onError(f.bg, f.link, { type: 'ERROR', code: 'RATE_LIMITED', message: 'slow down' });
    expect(retried).toBeUndefined();
    vi.advanceTimersByTime(1_000);
    vi.useRealTimers();
    await retried;
    expect(f.sent).toEqual([
      { type: 'GETROOM', room: dropped, since: 3 },
      { type: 'ENTERROOM', room: joining, since: 0 },
    ]);
  });
});
