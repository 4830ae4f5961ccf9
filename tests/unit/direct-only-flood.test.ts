import { describe, expect, it } from 'vitest';
import { roomMessages } from '../../src/background/db.ts';
import { receiveDirect, MAX_DIRECT_WAITING } from '../../src/background/direct-receive.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { trimRoom } from '../../src/background/retention.ts';
import { MIN_KEEP_PER_ROOM } from '../../src/shared/constants.ts';
import { backgroundFixture } from './background-fixture.ts';

// docs/protocol.md "The direct path": "Bounds on what one member's channel can make a
// receiver keep (a hostile member must not blank a room by filling it with lines the relay never
// numbers)". docs/security.md "Direct connections", Bounds: "at most 50 lines per room that came
// over a channel wait for the relay's number, and retention never deletes a numbered line to keep
// them, so a member cannot blank a room on your device"; and on "Don't store my messages on the
// relay": "The `only` flag is the sender's word, which receivers need not trust: it only decides
// where a line sorts and what is offered on it."
//
// It decides more: a line flagged `only` is not a waiting line (MAX_DIRECT_WAITING does not bound
// it) and retention counts it like a kept line. So a hostile member (no setting needed: it is one
// field in the channel message) sends keepPerRoom lines flagged `only` over its channel, never to
// the relay, and the next trim deletes every numbered line of the room on the victim's device.
// Nobody else sees these lines (the relay never had them); the channel's budget (20 a second,
// bursts of 100) makes MIN_KEEP_PER_ROOM of them one burst.

describe('a member\'s channel and retention, with `only`', () => {
  it('cannot push the room\'s numbered lines out by flagging its lines `only`', async () => {
    const f = await backgroundFixture();
    const room = f.keys.roomId;
    f.link.synced.add(room);
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true, keepPerRoom: MIN_KEEP_PER_ROOM };
    const relayed: string[] = [];
    for (let seq = 1; seq <= 10; seq++) {
      const frame = await f.incoming(`history ${seq}`, seq);
      await onChatMessage(f.bg, f.link, frame);
      relayed.push(frame.id);
    }
    expect(MIN_KEEP_PER_ROOM).toBeGreaterThan(MAX_DIRECT_WAITING); // more than the waiting bound lets in
    for (let i = 0; i < MIN_KEEP_PER_ROOM; i++) {
      const frame = await f.incoming(`spam ${i}`, 0);
      await receiveDirect(f.bg, room, JSON.stringify({ t: 'msg', room, id: frame.id, body: frame.body, only: true }));
    }
    await trimRoom(f.bg, room);
    const ids = (await roomMessages(f.bg.db, room)).map((m) => m.id);
    for (const id of relayed) expect(ids).toContain(id);
  });
});
