import { afterEach, describe, expect, it } from 'vitest';
import { sendDirect, SEND_BURST } from '../../src/background/direct-path.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { backgroundFixture } from './background-fixture.ts';
import { openChannelFrom } from './direct-fixture.ts';

// review13c: docs/protocol.md "The direct path", bounds: the sender keeps inside a channel's
// budget, "a line sent only directly counts that member as not reached, and with nobody reached it
// is not sent: Try again". Nobody reached because the one open channel is over its send budget is
// not "no member is connected to you directly": the line (and Try again's error) says that anyway
// (direct-only.ts sendOwnDirectOnly/retryDirectOnly use NO_DIRECT_MEMBER_TEXT for any 0), so the
// user is told to wait for a connection that is already there.

const A = 'p0000000000000001';
const B = 'p0000000000000002';

afterEach(() => {
  delete (globalThis as { chrome?: unknown }).chrome;
});

describe('a direct-only line over the one open channel\'s send budget', () => {
  it('is not sent, and does not say no member is connected', async () => {
    const f = await backgroundFixture();
    const ch = await openChannelFrom(f, A, B);
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true };
    f.link.synced.add(f.keys.roomId);
    for (let i = 0; i < SEND_BURST; i++) sendDirect(f.bg, f.keys.roomId, newMessageId(), 'x');
    expect(ch.sent.length).toBe(SEND_BURST);
    f.bg.mem.settings = { ...f.bg.mem.settings, directOnly: true };
    const id = newMessageId();
    await sendMessage(f.bg, { type: 'send-message', roomId: f.keys.roomId, text: 'over the budget', id }, f.view());
    expect(ch.sent.length).toBe(SEND_BURST);
    const line = await f.bg.db.get('messages', [f.keys.roomId, id]);
    expect(line?.notSent).toBeDefined();
    expect(line?.notSent?.reason).not.toMatch(/no member is connected to you directly/);
  });
});
