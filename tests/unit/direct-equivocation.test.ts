import { describe, expect, it } from 'vitest';
import { roomMessages } from '../../src/background/db.ts';
import { receiveDirect } from '../../src/background/direct-receive.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { backgroundFixture } from './background-fixture.ts';

// review13: docs/security.md "Direct connections" says "a channel peer can do no more than a relay",
// and docs/protocol.md "Chat messages, acks and dedup" has the relay keep one body per (room, id),
// so through the relay every member (and every late joiner's replay) sees the same text for an id.
// A hostile member holds the room key and its own signing key: it can seal two different bodies
// under one id, send one to a victim over the data channel and the other to the relay. The direct
// copy comes first and the relay's copy "only adds its seq": the victim keeps showing the text no
// one else ever saw, numbered as the relay's message.

describe('one id, two bodies (a member equivocating over the direct path)', () => {
  it('the line a victim shows for the relay\'s seq is the relay\'s text, the one every other member sees', async () => {
    const f = await backgroundFixture();
    f.link.synced.add(f.keys.roomId);
    const id = newMessageId();
    const toVictim = await f.incoming('meet at 5, door B', 1, id);
    const toRelay = await f.incoming('meet at 6, door A', 1, id);
    await receiveDirect(f.bg, f.keys.roomId, JSON.stringify({ t: 'msg', room: f.keys.roomId, id, body: toVictim.body }));
    await onChatMessage(f.bg, f.link, toRelay);
    const lines = (await roomMessages(f.bg.db, f.keys.roomId)).map((m) => ({ id: m.id, seq: m.seq, text: m.text }));
    expect(lines).toEqual([{ id, seq: 1, text: 'meet at 6, door A' }]);
  });
});
