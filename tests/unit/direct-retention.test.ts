import { describe, expect, it } from 'vitest';
import { roomMessages } from '../../src/background/db.ts';
import { receiveDirect } from '../../src/background/direct-receive.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { trimRoom } from '../../src/background/retention.ts';
import { MIN_KEEP_PER_ROOM } from '../../src/shared/constants.ts';
import { backgroundFixture } from './background-fixture.ts';

// review13: docs/protocol.md "On the device": each device keeps a room's NEWEST keepPerRoom lines
// and deletes older ones. A line that came only over a data channel is stored with
// order PENDING_ORDER (the highest) until the relay's copy numbers it, which never happens when
// its sender never sent it to the relay (a hostile member, or a message the relay refused). So
// keepPerRoom such lines make every later relayed message the "oldest" line of the room: the next
// trim deletes the newest messages and keeps the direct-only ones. A member with a data channel can
// so blank a room on another member's device, far below the relay's rate limits.

describe('retention with lines that came only over a data channel', () => {
  it('keeps the newest relayed message', async () => {
    const f = await backgroundFixture();
    f.link.synced.add(f.keys.roomId);
    f.bg.mem.settings = { ...f.bg.mem.settings, keepPerRoom: MIN_KEEP_PER_ROOM };
    for (let i = 0; i < MIN_KEEP_PER_ROOM; i++) {
      const frame = await f.incoming(`direct only ${i}`, 0);
      await receiveDirect(f.bg, f.keys.roomId, JSON.stringify({ t: 'msg', room: f.keys.roomId, id: frame.id, body: frame.body }));
    }
    const newest = await f.incoming('the newest message, through the relay', 1);
    await onChatMessage(f.bg, f.link, newest);
    await trimRoom(f.bg, f.keys.roomId);
    const ids = (await roomMessages(f.bg.db, f.keys.roomId)).map((m) => m.id);
    expect(ids).toContain(newest.id);
  });
});
