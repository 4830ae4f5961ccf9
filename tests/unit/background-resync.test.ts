// Defect 3 of issue 7: after the relay renumbered a room (new epoch), a message this member already
// had, resent by its author and numbered anew, must count as seen; otherwise every SYNCED with a
// higher head asks for a replay again, forever, and the room's outbox never drains.
import { beforeEach, describe, expect, it } from 'vitest';
import { PENDING_ORDER, roomMessages } from '../../src/background/db.ts';
import { queueOwnMessage } from '../../src/background/messages.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { onRoom } from '../../src/background/relay-frames/on-room.ts';
import { onSynced } from '../../src/background/relay-frames/on-synced.ts';
import type { RoomFrame } from '../../src/shared/protocol.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await backgroundFixture();
});

const roomFrame = (f: Fixture, epoch: number, head: number): RoomFrame =>
  ({ type: 'ROOM', room: f.keys.roomId, peer: 'p0000000000000001', members: [], head, epoch, created: false });

describe('a room the relay renumbered', () => {
  it('takes a message it already had, renumbered, as seen: SYNCED then ends the resync and the outbox goes out', async () => {
    const room = f.keys.roomId;
    await onRoom(f.bg, f.link, roomFrame(f, 1000, 0));
    // Before the crash: a message reached us at seq 5, but its author never got the ACK.
    const id = newMessageId();
    await onChatMessage(f.bg, f.link, await f.incoming('reached me before the crash', 5, id));
    // Something of ours waits in the outbox for the room to sync.
    const mine = newMessageId();
    await queueOwnMessage(f.bg, {
      roomId: room, id: mine, kind: 'message', seq: null, order: PENDING_ORDER, mine: true, nick: 'Me', text: 'waiting', sentAt: 1, status: 'sending',
    }, 'AAAA');

    // The relay lost the room and numbers from 1 again; the author resent the message, now seq 1.
    await onRoom(f.bg, f.link, roomFrame(f, 2000, 1));
    expect(f.sent.at(-1)).toEqual({ type: 'GETROOM', room, since: 0 });
    f.sent.length = 0;
    await onRoom(f.bg, f.link, roomFrame(f, 2000, 1));
    await onChatMessage(f.bg, f.link, await f.incoming('reached me before the crash', 1, id));
    await onSynced(f.bg, f.link, { type: 'SYNCED', room, head: 1 });

    // Synced: no second replay asked for, and the outbox went out.
    expect(f.sent.filter((s) => s.type === 'GETROOM')).toEqual([]);
    expect(f.sent.filter((s) => s.type === 'CHATMSG').map((s) => (s.type === 'CHATMSG' ? s.id : ''))).toEqual([mine]);
    expect((await f.bg.db.get('rooms', room))?.lastSeq).toBe(1);
    // And the message still shows once.
    expect((await roomMessages(f.bg.db, room)).filter((m) => m.text === 'reached me before the crash')).toHaveLength(1);
  });
});
