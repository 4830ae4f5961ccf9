import { afterEach, describe, expect, it, vi } from 'vitest';
import { DIRECT_CONFIRM_MS } from '../../src/background/direct-only.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { resendMessage } from '../../src/background/intents/refused-message.ts';
import { toChatItem } from '../../src/background/messages.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { directOnlyWords } from '../../src/ui/chat-line.tsx';
import { backgroundFixture, type Fixture } from './background-fixture.ts';
import { openChannelFrom } from './direct-fixture.ts';

// docs/protocol.md "Messages sent only directly", Confirmation: a member who holds one of our
// direct-only lines confirms it on its channel with {"t":"got","room","id"}; the line then says by
// how many members it was received (each once). One no member confirmed within 10 s is shown not
// sent, with Try again, which sends it again and puts it at the bottom.

const A = 'p0000000000000001'; // offers
const B = 'p0000000000000002'; // us

afterEach(() => {
  delete (globalThis as { chrome?: unknown }).chrome;
  vi.useRealTimers();
});

async function directOnly(f: Fixture) {
  const ch = await openChannelFrom(f, A, B);
  f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true, directOnly: true };
  f.link.synced.add(f.keys.roomId);
  return ch;
}

const line = (f: Fixture, id: string) => f.bg.db.get('messages', [f.keys.roomId, id]);

describe('a direct-only line of ours', () => {
  it('says it was received once the member confirms it, each member counted once', async () => {
    const f = await backgroundFixture();
    const ch = await directOnly(f);
    await sendMessage(f.bg, { type: 'send-message', roomId: f.keys.roomId, text: 'just to you', id: newMessageId() }, f.view());
    const msg = ch.sent.find((m) => (m as { t: string }).t === 'msg') as { id: string; only: boolean };
    expect(msg.only).toBe(true);
    expect(f.sent.filter((s) => s.type === 'CHATMSG')).toEqual([]);
    expect(directOnlyWords(toChatItem((await line(f, msg.id))!))).toBe('sent directly to 1 member, not stored on the relay');
    const got = JSON.stringify({ t: 'got', room: f.keys.roomId, id: msg.id });
    await ch.deliver(got);
    await ch.deliver(got);
    const confirmed = toChatItem((await line(f, msg.id))!);
    expect(confirmed.directGot).toBe(1);
    expect(directOnlyWords(confirmed)).toBe('received directly by 1 member, not stored on the relay');
  });

  it('no member confirmed within 10 s: shown not sent; Try again sends it once more, at the bottom', async () => {
    expect(DIRECT_CONFIRM_MS).toBe(10_000);
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const f = await backgroundFixture();
    const ch = await directOnly(f);
    await sendMessage(f.bg, { type: 'send-message', roomId: f.keys.roomId, text: 'lost on the way', id: newMessageId() }, f.view());
    const id = (ch.sent.find((m) => (m as { t: string }).t === 'msg') as { id: string }).id;
    vi.advanceTimersByTime(DIRECT_CONFIRM_MS - 1);
    await f.settled();
    expect((await line(f, id))?.notSent).toBeUndefined();
    vi.advanceTimersByTime(1);
    await f.settled();
    expect((await line(f, id))?.notSent?.reason).toMatch(/no member confirmed getting it/);
    // Meanwhile a relayed line came: Try again puts ours after it.
    await onChatMessage(f.bg, f.link, await f.incoming('relayed meanwhile', 1));
    const before = ch.sent.length;
    await resendMessage(f.bg, { type: 'resend-message', roomId: f.keys.roomId, id }, f.view());
    expect(ch.sent.slice(before)).toEqual([expect.objectContaining({ t: 'msg', id, only: true })]);
    const again = (await line(f, id))!;
    expect(again.notSent).toBeUndefined();
    const relayed = (await f.bg.db.getAll('messages')).find((m) => m.text === 'relayed meanwhile')!;
    expect(again.order).toBeGreaterThan(relayed.order);
    expect(f.sent.filter((s) => s.type === 'CHATMSG')).toEqual([]);
  });
});

describe('another member\'s direct-only line', () => {
  it('is confirmed on the channel it came on, also when it comes again', async () => {
    const f = await backgroundFixture();
    const ch = await openChannelFrom(f, A, B);
    const frame = await f.incoming('from A, only to us', 0);
    const data = JSON.stringify({ t: 'msg', room: f.keys.roomId, id: frame.id, body: frame.body, only: true });
    await ch.deliver(data);
    await ch.deliver(data);
    expect(ch.sent).toEqual([{ t: 'got', room: f.keys.roomId, id: frame.id }, { t: 'got', room: f.keys.roomId, id: frame.id }]);
  });
});
