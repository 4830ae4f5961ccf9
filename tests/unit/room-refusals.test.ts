// Issue 7, defect 4: rooms the relay will not let us into are said in words, per room, and the
// relay's room limit, once learned, stops the user making a room that would only be turned away.
// Expected words are the ones docs/architecture.md ("Connection status") and the brief promise.
import { roomStored } from '../../src/background/memory.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRoom } from '../../src/background/intents/create-room.ts';
import { leaveRoom } from '../../src/background/intents/leave-room.ts';
import { retryNow } from '../../src/background/intents/retry-now.ts';
import { onError } from '../../src/background/relay-frames/on-error.ts';
import { onRoom } from '../../src/background/relay-frames/on-room.ts';
import { roomProblem } from '../../src/background/relay-status.ts';
import { deriveRoomKeys } from '../../src/shared/crypto.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';
import { backgroundFixture, RELAY, type Fixture } from './background-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await backgroundFixture();
});

async function storedRoom(f: Fixture): Promise<string> {
  const code = newRoomCode();
  const { roomId } = await deriveRoomKeys(code);
  const record = { roomId, code, name: 'x', joinedAt: 1, lastSeq: 0, unread: 0, relayUrl: RELAY };
  await f.bg.db.put('rooms', record);
  roomStored(f.bg, record); // memory follows every write (memory.ts)
  return roomId;
}

const room = (f: Fixture, id: string) =>
  onRoom(f.bg, f.link, { type: 'ROOM', room: id, peer: 'p0000000000000001', members: [], head: 0, epoch: 1, created: false });

describe('rooms the relay refuses', () => {
  it('says a full room is full, until the relay lets us in', async () => {
    await onError(f.bg, f.link, { type: 'ERROR', code: 'ROOM_FULL', message: 'x', ref: 'GETROOM', room: f.keys.roomId });
    expect(roomProblem(f.link, f.keys.roomId)).toMatch(/^Room is full/);
    await room(f, f.keys.roomId);
    expect(roomProblem(f.link, f.keys.roomId)).toBeNull();
  });

  it('learns the room limit from the first refusal, refuses a room beyond it in words, and retries on leave', async () => {
    const second = await storedRoom(f);
    const third = await storedRoom(f);
    await room(f, f.keys.roomId);
    await room(f, second);
    await onError(f.bg, f.link, { type: 'ERROR', code: 'TOO_MANY_ROOMS', message: 'x', ref: 'GETROOM', room: third });
    const words = 'This relay allows 2 rooms per connection: leave one to join another.';
    expect(roomProblem(f.link, third)).toBe(words);

    await createRoom(f.bg, { type: 'create-room', name: '' }, f.view());
    expect(f.posted.at(-1)).toEqual({ type: 'error', code: 'RELAY_ERROR', message: words });
    expect(await f.bg.db.count('rooms')).toBe(3);

    f.sent.length = 0;
    await leaveRoom(f.bg, { type: 'leave-room', roomId: second });
    expect(f.sent).toEqual([{ type: 'LEAVE', room: second }, { type: 'GETROOM', room: third, since: 0 }]);
  });

  it('says a room just created was refused for the hourly new-room quota, and asks for it again on Retry now', async () => {
    await onError(f.bg, f.link, { type: 'ERROR', code: 'TOO_MANY_NEW_ROOMS', message: 'x', ref: 'GETROOM', room: f.keys.roomId });
    expect(roomProblem(f.link, f.keys.roomId)).toBe(
      'Your network has created as many new rooms on this relay as it allows in an hour. Join an existing room, or try again later.',
    );
    f.sent.length = 0;
      await retryNow(f.bg);
    expect(f.sent).toEqual([{ type: 'GETROOM', room: f.keys.roomId, since: 0 }]);
  });
});
