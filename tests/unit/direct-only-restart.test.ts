import { afterEach, describe, expect, it, vi } from 'vitest';
import { DIRECT_CONFIRM_MS, unconfirmedAtStart } from '../../src/background/direct-only.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { loadMemory } from '../../src/background/memory.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { backgroundFixture, testBackground } from './background-fixture.ts';
import { openChannelFrom } from './direct-fixture.ts';

// review13c: docs/protocol.md "Messages sent only directly", Confirmation: "a line no member
// confirmed within DIRECT_CONFIRM_MS = 10 s ... is shown 'Not sent: no member confirmed getting
// it …' with Try again". The 10 s is a setTimeout of the worker that sent it. A worker that stops
// (Chrome's idle stop, an update, a crash; Firefox's event page) before a member's `got` arrives
// takes the timer and the channel with it: the line stays "sent directly to 1 member" for good,
// with no Try again (retryDirectOnly ignores a line without notSent) and no Delete, and its sealed
// body stays on the device.

const A = 'p0000000000000001'; // offers
const B = 'p0000000000000002'; // us

afterEach(() => {
  delete (globalThis as { chrome?: unknown }).chrome;
  vi.useRealTimers();
});

describe('a direct-only line of ours sent just before the worker stopped', () => {
  it('is shown not sent, with Try again, once 10 s pass without a confirmation after the restart', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const f = await backgroundFixture();
    const ch = await openChannelFrom(f, A, B);
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true, directOnly: true };
    f.link.synced.add(f.keys.roomId);
    const id = newMessageId();
    await sendMessage(f.bg, { type: 'send-message', roomId: f.keys.roomId, text: 'as the worker stops', id }, f.view());
    expect(ch.sent).toEqual([expect.objectContaining({ t: 'msg', id, only: true })]);
    // The worker stops: its timers and its channels go with it; the database stays.
    vi.clearAllTimers();
    const restarted = testBackground(f.bg.db);
    restarted.bg.mem = await loadMemory(f.bg.db);
    await unconfirmedAtStart(restarted.bg); // as background/index.ts does at start
    vi.advanceTimersByTime(DIRECT_CONFIRM_MS);
    await restarted.settled();
    const line = await f.bg.db.get('messages', [f.keys.roomId, id]);
    expect(line?.notSent?.reason).toMatch(/no member confirmed getting it/);
  });
});
