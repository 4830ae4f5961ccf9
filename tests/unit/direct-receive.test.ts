import { describe, expect, it } from 'vitest';
import { roomMessages } from '../../src/background/db.ts';
import { receiveDirect } from '../../src/background/direct-receive.ts';
import { presenceOnRoom, roomPresence } from '../../src/background/presence.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { DEFAULT_MAX_FRAME_KB } from '../../src/shared/constants.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { backgroundFixture } from './background-fixture.ts';

// Expected answers from docs/protocol.md, "The direct path": a channel message is
// {"t":"msg","room","id","body"} with the relay's CHATMSG body; opened like it, deduped by (room, id)
// whichever path comes first, stored without a seq until the relay's copy adds it; anything else,
// or longer than MAX_FRAME_KB x 1024 characters, dropped without a word.

async function setup() {
  const f = await backgroundFixture();
  f.link.synced.add(f.keys.roomId);
  const lines = async () => (await roomMessages(f.bg.db, f.keys.roomId)).map((m) => ({ id: m.id, text: m.text, seq: m.seq, kind: m.kind }));
  const channel = (frame: { id: string; body: string }, extra: object = {}) => JSON.stringify({ t: 'msg', room: f.keys.roomId, id: frame.id, body: frame.body, ...extra });
  return { f, lines, channel };
}

describe('a message over a data channel', () => {
  it('is shown and stored without a seq; the relay copy that follows only adds its seq', async () => {
    const { f, lines, channel } = await setup();
    const frame = await f.incoming('hello directly', 1);
    await receiveDirect(f.bg, f.keys.roomId, channel(frame));
    expect(await lines()).toEqual([{ id: frame.id, text: 'hello directly', seq: null, kind: 'message' }]);
    await onChatMessage(f.bg, f.link, frame);
    expect(await lines()).toEqual([{ id: frame.id, text: 'hello directly', seq: 1, kind: 'message' }]);
    expect(f.bg.mem.rooms.get(f.keys.roomId)?.unread).toBe(1);
  });

  it('is dropped when the relay copy came first (dedup by room and id), and when it comes twice', async () => {
    const { f, lines, channel } = await setup();
    const frame = await f.incoming('relay first', 1);
    await onChatMessage(f.bg, f.link, frame);
    await receiveDirect(f.bg, f.keys.roomId, channel(frame));
    await receiveDirect(f.bg, f.keys.roomId, channel(frame));
    expect(await lines()).toEqual([{ id: frame.id, text: 'relay first', seq: 1, kind: 'message' }]);
    expect(f.bg.mem.rooms.get(f.keys.roomId)?.unread).toBe(1);
  });

  it('is dropped without a word when it is not exactly that shape, or for another room, id or body', async () => {
    const { f, lines, channel } = await setup();
    const frame = await f.incoming('x', 1);
    const other = await f.incoming('y', 2);
    const otherRoom = await f.storedRoom();
    for (const bad of [
      'not json', 'null', '[]', '"msg"',
      channel(frame, { t: 'chat' }),
      channel(frame, { room: otherRoom }),
      channel({ id: frame.id.toLowerCase(), body: frame.body }),
      channel({ id: newMessageId(), body: frame.body }), // the body is sealed for its own id
      channel({ id: frame.id, body: other.body }),
      channel({ id: frame.id, body: `${frame.body}!` }),
      channel({ id: frame.id, body: '' }),
    ]) await receiveDirect(f.bg, f.keys.roomId, bad);
    await receiveDirect(f.bg, otherRoom, channel(frame));
    expect(await lines()).toEqual([]);
    expect(f.posted.filter((p) => p.type === 'room-item')).toEqual([]);
  });

  it('is dropped when longer than MAX_FRAME_KB x 1024 characters', async () => {
    const { f, lines, channel } = await setup();
    const frame = await f.incoming('padded', 1);
    const exact = channel(frame);
    const limit = DEFAULT_MAX_FRAME_KB * 1024;
    // Spaces JSON allows: the same message, padded to the limit and to one over it.
    await receiveDirect(f.bg, f.keys.roomId, exact + ' '.repeat(limit - exact.length + 1));
    expect(await lines()).toEqual([]);
    await receiveDirect(f.bg, f.keys.roomId, exact + ' '.repeat(limit - exact.length));
    expect(await lines()).toHaveLength(1);
  });
});

describe('typing and a message over a data channel', () => {
  it("ends the sender's typing, as the relay's copy would (presence.ts rule 4)", async () => {
    const { f, channel } = await setup();
    const room = f.keys.roomId;
    presenceOnRoom(f.link, { type: 'ROOM', room, peer: 'me', members: ['ann'], head: 0, epoch: 1, created: false });
    f.link.presence.get(room)!.peers.get('ann')!.typingUntil = Date.now() + 60_000;
    expect((await roomPresence(f.bg, f.link, room)).typing).toHaveLength(1);
    const frame = await f.incoming('done typing', 1);
    await receiveDirect(f.bg, room, channel(frame), { link: f.link, peer: 'ann' });
    expect((await roomPresence(f.bg, f.link, room)).typing).toEqual([]);
  });
});
