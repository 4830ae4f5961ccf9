import { afterEach, describe, expect, it, vi } from 'vitest';
import { roomMessages } from '../../src/background/db.ts';
import { sendDirectOnly } from '../../src/background/direct-path.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { receiveDirect } from '../../src/background/direct-receive.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { trimRoom } from '../../src/background/retention.ts';
import { MIN_KEEP_PER_ROOM } from '../../src/shared/constants.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';
import { openChannelFrom } from './direct-fixture.ts';

// Expected numbers from docs/protocol.md "The direct path": at most 50 lines per room wait for the
// relay's seq (one more deletes the oldest waiting one), and each open channel may deliver 20
// messages a second in bursts of 100, more dropped.
const MAX_WAITING = 50;
const BURST = 100;

const A = 'p0000000000000001'; // offers
const B = 'p0000000000000002'; // us

afterEach(() => {
  delete (globalThis as { chrome?: unknown }).chrome;
  vi.restoreAllMocks();
});

const channelMsg = async (f: Fixture, text: string) => {
  const frame = await f.incoming(text, 0);
  return JSON.stringify({ t: 'msg', room: f.keys.roomId, id: frame.id, body: frame.body });
};

describe('lines that came only over a data channel', () => {
  it('at most 50 per room wait for the relay\'s seq', async () => {
    const f = await backgroundFixture();
    for (let i = 0; i < MAX_WAITING + 10; i++) await receiveDirect(f.bg, f.keys.roomId, await channelMsg(f, `direct ${i}`));
    const waiting = (await roomMessages(f.bg.db, f.keys.roomId)).filter((m) => m.seq === null);
    expect(waiting).toHaveLength(MAX_WAITING);
  });

  it('are not counted by retention, which never deletes a numbered line for them', async () => {
    const f = await backgroundFixture();
    f.link.synced.add(f.keys.roomId);
    f.bg.mem.settings = { ...f.bg.mem.settings, keepPerRoom: MIN_KEEP_PER_ROOM };
    for (let seq = 1; seq <= MIN_KEEP_PER_ROOM; seq++) await onChatMessage(f.bg, f.link, await f.incoming(`relayed ${seq}`, seq));
    for (let i = 0; i < MAX_WAITING; i++) await receiveDirect(f.bg, f.keys.roomId, await channelMsg(f, `direct ${i}`));
    await trimRoom(f.bg, f.keys.roomId);
    const numbered = (await roomMessages(f.bg.db, f.keys.roomId)).filter((m) => m.seq !== null);
    expect(numbered).toHaveLength(MIN_KEEP_PER_ROOM);
  });
});

describe('what one channel may deliver', () => {
  it('is a burst of 100 at once: the 101st is dropped, the 100th is not', async () => {
    vi.spyOn(performance, 'now').mockReturnValue(1_000_000); // no refill while the test runs
    for (const before of [BURST - 1, BURST]) {
      const f = await backgroundFixture();
      const { deliver } = await openChannelFrom(f, A, B);
      for (let i = 0; i < before; i++) await deliver('not a message'); // each spends the budget, then is dropped
      const last = await channelMsg(f, 'the last one');
      await deliver(last);
      await f.settled();
      const texts = (await roomMessages(f.bg.db, f.keys.roomId)).map((m) => m.text);
      expect(texts, `after ${before}`).toEqual(before < BURST ? ['the last one'] : []);
    }
  });
});

describe('what we send on one channel', () => {
  // docs/protocol.md "The direct path": at most 90 at once on one channel, then 18 a second; over
  // that the channel is skipped (a direct-only line then counts it as not reached).
  const SEND_AT_ONCE = 90;

  it('keeps inside the receiver\'s budget: the 91st at once skips the channel, and goes once it refilled', async () => {
    let now = 1_000_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const f = await backgroundFixture();
    await openChannelFrom(f, A, B);
    const reached: number[] = [];
    for (let i = 0; i <= SEND_AT_ONCE; i++) reached.push(sendDirectOnly(f.bg, f.keys.roomId, newMessageId(), 'sealed').to);
    expect(reached.slice(0, SEND_AT_ONCE).every((n) => n === 1)).toBe(true);
    expect(reached[SEND_AT_ONCE]).toBe(0);
    now += 1_000 / 18 + 1;
    expect(sendDirectOnly(f.bg, f.keys.roomId, newMessageId(), 'sealed').to).toBe(1);
  });
});
