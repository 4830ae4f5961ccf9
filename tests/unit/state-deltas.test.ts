// Issue 9 (typed-to-shown), change 3: the room list and badge (`state`) are sent only when they
// change. An ACK changes only its message's status, which the views get as that one item: no
// `state` follows it. What the views show stays the same: a received message still updates the
// room list (its last line, its unread count).
import { beforeEach, describe, expect, it, vi } from 'vitest';

const badges: string[] = [];
vi.mock('webextension-polyfill', () => ({
  default: { action: { setBadgeText: async ({ text }: { text: string }) => void badges.push(text) } },
}));

const { publishState } = await import('../../src/background/state.ts');
const { onAck } = await import('../../src/background/relay-frames/on-ack.ts');
const { onChatMessage } = await import('../../src/background/relay-frames/on-chat-message.ts');
const { sendMessage } = await import('../../src/background/intents/send-message.ts');
const { newMessageId } = await import('../../src/shared/message-id.ts');
const { backgroundFixture } = await import('./background-fixture.ts');
type Fixture = Awaited<ReturnType<typeof backgroundFixture>>;

let f: Fixture;
beforeEach(async () => {
  f = await backgroundFixture();
  f.link.synced.add(f.keys.roomId);
});

const states = () => f.posted.filter((m) => m.type === 'state');

describe('state sent to the views', () => {
  it('is not sent again for an ACK, which the views get as its one item; a received message is', async () => {
    const room = f.keys.roomId;
    f.bg.views.add(f.view());
    const id = newMessageId();
    await sendMessage(f.bg, { type: 'send-message', roomId: room, text: 'typed', id }, f.view());
    await publishState(f.bg);
    expect(states()).toHaveLength(1);
    expect(states()[0]).toMatchObject({ rooms: [{ roomId: room, lastText: 'typed', lastNick: 'You', unread: 0 }] });

    f.posted.length = 0;
    await onAck(f.bg, f.link, { type: 'ACK', room, id, seq: 1, at: 1 });
    await publishState(f.bg);
    expect(f.posted).toEqual([expect.objectContaining({ type: 'room-item', item: expect.objectContaining({ id, status: 'sent', seq: 1 }) })]);

    await onChatMessage(f.bg, f.link, await f.incoming('an answer', 2));
    await publishState(f.bg);
    expect(states()).toHaveLength(1);
    expect(states()[0]).toMatchObject({ rooms: [{ roomId: room, lastText: 'an answer', unread: 1 }] });
    expect(badges.at(-1)).toBe('1');
  });

  it('moves the last line when an acked line is numbered before one already received', async () => {
    const room = f.keys.roomId;
    f.bg.views.add(f.view());
    const mine = newMessageId();
    await sendMessage(f.bg, { type: 'send-message', roomId: room, text: 'mine, pending', id: mine }, f.view());
    // Someone else's line is numbered 2 while ours waits for its ACK: ours, pending, still shows last.
    await onChatMessage(f.bg, f.link, await f.incoming('theirs, numbered 2', 2));
    await publishState(f.bg);
    expect(states().at(-1)).toMatchObject({ rooms: [{ lastText: 'mine, pending' }] });
    // Ours is acked at 1, before theirs: theirs is the last line now.
    await onAck(f.bg, f.link, { type: 'ACK', room, id: mine, seq: 1, at: 1 });
    await publishState(f.bg);
    expect(states().at(-1)).toMatchObject({ rooms: [{ lastText: 'theirs, numbered 2' }] });
  });
});
