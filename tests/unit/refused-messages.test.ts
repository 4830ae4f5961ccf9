// Issue 7, defect 4: a message the relay refuses as it is (FRAME_TOO_LARGE, BAD_FRAME for a
// CHATMSG) stayed "sending" forever and held its place in the outbox window. The rules are the
// ones in docs/protocol.md ("Errors", what the extension does): the refused message is, among those
// the connection has not answered, the longest for "too large" and the oldest for BAD_FRAME; it leaves
// the window, is kept, says "Not sent: the relay refused it (…)", and is sent again only on Try again.
import { beforeEach, describe, expect, it } from 'vitest';
import { PENDING_ORDER } from '../../src/background/db.ts';
import { deleteMessage, resendMessage } from '../../src/background/intents/refused-message.ts';
import { react } from '../../src/background/intents/react.ts';
import { rejoinAll } from '../../src/background/join.ts';
import { queueOwnMessage } from '../../src/background/messages.ts';
import { flushOutbox } from '../../src/background/outbox.ts';
import { onAck } from '../../src/background/relay-frames/on-ack.ts';
import { onError } from '../../src/background/relay-frames/on-error.ts';
import { onSynced } from '../../src/background/relay-frames/on-synced.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { ChatSendFrame } from '../../src/shared/protocol.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';

let f: Fixture;
let room: string;
beforeEach(async () => {
  f = await backgroundFixture();
  room = f.keys.roomId;
  f.link.synced.add(room);
});

/** Types a message whose sealed body is `size` characters long; returns its id. */
async function write(text: string, size: number): Promise<string> {
  const id = newMessageId();
  await queueOwnMessage(f.bg, {
    roomId: room, id, kind: 'message', seq: null, order: PENDING_ORDER, mine: true, nick: 'Ann', text, sentAt: 1, status: 'sending',
  }, 'b'.repeat(size));
  await flushOutbox(f.bg, f.link, room);
  return id;
}

const sentIds = () => f.sent.filter((s): s is ChatSendFrame => s.type === 'CHATMSG').map((s) => s.id);
const ack = (id: string, seq: number) => onAck(f.bg, f.link, { type: 'ACK', room, id, seq, at: 1 });
const line = (id: string) => f.bg.db.get('messages', [room, id]);

const TOO_LARGE = 'the relay refused it (too large for this relay, which takes shorter messages than Parley does). Send it in shorter parts.';

describe('messages the relay refuses as they are', () => {
  it('FRAME_TOO_LARGE: the longest unanswered message is not sent, in words, and the rest goes on', async () => {
    const small = await write('hi', 100);
    const large = await write('long', 5_000);
    const after = await write('after', 120);
    await ack(small, 1);
    await onError(f.bg, f.link, { type: 'ERROR', code: 'FRAME_TOO_LARGE', message: 'too large' });
    await ack(after, 2);

    expect((await line(large))?.notSent).toEqual({ reason: TOO_LARGE, retryAt: null });
    expect((await line(large))?.text).toBe('long');
    expect((await line(after))?.status).toBe('sent');
    expect(f.link.inFlight.get(room)?.has(large)).toBe(false);
    // The view was told.
    expect(f.posted).toContainEqual({ type: 'room-item', roomId: room, item: expect.objectContaining({ id: large, notSent: { reason: TOO_LARGE, retryAt: null } }) });

    // A new connection does not send it again by itself …
    f.sent.length = 0;
    await rejoinAll(f.bg, f.link);
    await onSynced(f.bg, f.link, { type: 'SYNCED', room, head: 2 });
    expect(sentIds()).toEqual([]);
    // … Try again does, once …
    await resendMessage(f.bg, { type: 'resend-message', roomId: room, id: large });
    expect(sentIds()).toEqual([large]);
    expect((await line(large))?.notSent).toBeUndefined();
    // … refused again on this relay, Delete drops it.
    await onError(f.bg, f.link, { type: 'ERROR', code: 'FRAME_TOO_LARGE', message: 'too large' });
    expect((await line(large))?.notSent?.retryAt).toBeNull();
    await deleteMessage(f.bg, { type: 'delete-message', roomId: room, id: large });
    expect(await line(large)).toBeUndefined();
    expect(await f.bg.db.count('outbox')).toBe(0);
    expect(f.posted.at(-1)).toEqual({ type: 'room-item-removed', roomId: room, id: large });
  });

  it('a refused message leaves the outbox window, so the messages behind it go out', async () => {
    // The window is 32: refuse the first 32 (all long) and the 33rd goes on the wire.
    const refused = [];
    for (let i = 0; i < 32; i++) refused.push(await write(`long ${i}`, 5_000));
    const behind = await write('short', 100);
    expect(sentIds()).not.toContain(behind);
    for (let i = 0; i < 32; i++) await onError(f.bg, f.link, { type: 'ERROR', code: 'FRAME_TOO_LARGE', message: 'too large' });
    expect(sentIds().at(-1)).toBe(behind);
    for (const id of refused) expect((await line(id))?.notSent?.reason).toBe(TOO_LARGE);
    expect((await line(behind))?.notSent).toBeUndefined();
  });

  it('BAD_FRAME for a CHATMSG: the oldest unanswered message is not sent, and says the relay could not read it', async () => {
    const first = await write('one', 100);
    const second = await write('two', 100);
    await onError(f.bg, f.link, { type: 'ERROR', code: 'BAD_FRAME', message: 'bad body', ref: 'CHATMSG' });
    expect((await line(first))?.notSent).toEqual({
      reason: 'the relay refused it (it could not read it: is the relay a different version of Parley?).', retryAt: null,
    });
    expect((await line(second))?.notSent).toBeUndefined();
  });

  it('"too large" sets aside the longest unanswered message, not an older one the relay still holds', async () => {
    const held = await write('held', 100);
    const large = await write('large', 5_000);
    await onError(f.bg, f.link, { type: 'ERROR', code: 'FRAME_TOO_LARGE', message: 'too large' });
    expect((await line(large))?.notSent?.reason).toBe(TOO_LARGE);
    expect((await line(held))?.notSent).toBeUndefined();
    await ack(held, 1);
    expect((await line(held))?.status).toBe('sent');
  });

  it('BAD_FRAME does not blame a message the rate limit dropped before one that was acked', async () => {
    const dropped = await write('dropped', 100);
    const accepted = await write('accepted', 100);
    const bad = await write('bad', 100);
    await onError(f.bg, f.link, { type: 'ERROR', code: 'RATE_LIMITED', message: 'x' });
    await ack(accepted, 1);
    await onError(f.bg, f.link, { type: 'ERROR', code: 'BAD_FRAME', message: 'bad body', ref: 'CHATMSG' });
    expect((await line(bad))?.notSent?.retryAt).toBeNull();
    expect((await line(dropped))?.notSent).toBeUndefined();
  });

  it('BAD_FRAME for our reaction (an event: no line of its own to retry from) drops it from the outbox and says so in words', async () => {
    const target = await write('react to me', 100);
    await ack(target, 1);
    await react(f.bg, { type: 'react', roomId: room, id: target, emoji: '👍', on: true }, f.view());
    const reaction = sentIds().at(-1)!;
    expect(reaction).not.toBe(target);
    const behind = await write('behind', 100);
    // Open on another room (or the room list): there is no line to find it on later, so it is told too.
    const elsewhere = f.view();
    elsewhere.watching = null;
    f.bg.views.add(elsewhere);
    const toldElsewhere: unknown[] = [];
    const post = f.bg.post.bind(f.bg);
    f.bg.post = (view, m) => { if (view === elsewhere) toldElsewhere.push(m); post(view, m); };
    await onError(f.bg, f.link, { type: 'ERROR', code: 'BAD_FRAME', message: 'bad body', ref: 'CHATMSG' });
    expect(toldElsewhere).toContainEqual(expect.objectContaining({ type: 'error', code: 'EVENT_NOT_SENT' }));
    // Nothing left that nobody could ever retry or delete …
    expect(await f.bg.db.get('outbox', [room, reaction])).toBeUndefined();
    // … the person is told, in words (docs/protocol.md: EVENT_NOT_SENT) …
    expect(f.posted).toContainEqual({ type: 'error', code: 'EVENT_NOT_SENT', message: expect.stringContaining('could not read it') });
    // … and what was behind it is not held up (its ack settles it).
    await ack(behind, 2);
    expect((await line(behind))?.status).toBe('sent');
    expect(await f.bg.db.count('outbox')).toBe(0);
  });
});
