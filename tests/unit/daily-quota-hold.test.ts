// Issue 7, defect 4: a message the relay refused for its daily quota (DAILY_QUOTA) is not left
// "sending" forever. Expected behaviour from docs/protocol.md ("Storage quotas", what the extension
// does with DAILY_QUOTA): the whole outbox on that relay is held, min(2^(n-1), 60) minutes after the n-th refusal,
// the hold outlives a killed worker, a person can end it, and each queued line says why in words.
import { beforeEach, describe, expect, it } from 'vitest';
import { PENDING_ORDER, roomMessages } from '../../src/background/db.ts';
import { retryNow } from '../../src/background/intents/retry-now.ts';
import { queueOwnMessage } from '../../src/background/messages.ts';
import { flushAllOutboxes, flushOutbox, holdDelayMs } from '../../src/background/outbox.ts';
import { onAck } from '../../src/background/relay-frames/on-ack.ts';
import { onError } from '../../src/background/relay-frames/on-error.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await backgroundFixture();
  f.link.synced.add(f.keys.roomId);
});

async function queue(text: string): Promise<string> {
  const id = newMessageId();
  await queueOwnMessage(f.bg, {
    roomId: f.keys.roomId, id, kind: 'message', seq: null, order: PENDING_ORDER, mine: true, nick: 'Me', text, sentAt: 1, status: 'sending',
  }, 'AAAA');
  return id;
}

const refuse = (id: string) => onError(f.bg, f.link, {
  type: 'ERROR', code: 'DAILY_QUOTA', message: 'x', ref: 'CHATMSG', room: f.keys.roomId, id,
});
const chatSends = () => f.sent.filter((s) => s.type === 'CHATMSG').length;
const lines = async () => roomMessages(f.bg.db, f.keys.roomId);
const MIN = 60_000;

describe('a message refused for the daily quota', () => {
  it('waits 1, 2, 4 … minutes after each refusal, at most 60', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(holdDelayMs)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60].map((m) => m * MIN));
  });

  it('says so on every queued line, holds the whole outbox, and keeps the hold in a new worker', async () => {
    const first = await queue('one');
    const second = await queue('two');
    await flushOutbox(f.bg, f.link, f.keys.roomId);
    expect(chatSends()).toBe(2);
    const before = Date.now();
    await refuse(first);
    const held = await lines();
    expect(held.map((l) => l.status)).toEqual(['sending', 'sending']);
    for (const line of held) {
      expect(line.notSent?.reason).toBe('your network has stored as much on this relay today as it allows.');
      expect(line.notSent!.retryAt).toBeGreaterThanOrEqual(before + MIN);
      expect(line.notSent!.retryAt).toBeLessThanOrEqual(Date.now() + MIN);
    }
    // Neither the room's outbox nor a wake alarm sends anything while held.
    f.link.inFlight.clear();
    await flushOutbox(f.bg, f.link, f.keys.roomId);
    await flushAllOutboxes(f.bg);
    expect(chatSends()).toBe(2);
    // A killed worker: a new background over the same database still holds.
    delete f.link.outboxHold;
    await flushAllOutboxes(f.bg);
    expect(chatSends()).toBe(2);
    expect(second).toBeTruthy();
  });

  it('is sent again when someone asks, says "sending" again, and is shown sent once acked', async () => {
    const id = await queue('one');
    await flushOutbox(f.bg, f.link, f.keys.roomId);
    await refuse(id);
    await retryNow(f.bg);
    expect(f.sent.filter((s) => s.type === 'CHATMSG').map((s) => 'id' in s && s.id)).toEqual([id, id]);
    const [line] = await lines();
    expect(line!.notSent).toBeUndefined();
    expect(line!.status).toBe('sending');
    // Refused again: the next wait is 2 minutes.
    const before = Date.now();
    await refuse(id);
    expect((await lines())[0]!.notSent!.retryAt).toBeGreaterThanOrEqual(before + 2 * MIN);
    await retryNow(f.bg);
    await onAck(f.bg, f.link, { type: 'ACK', room: f.keys.roomId, id, seq: 1, at: 2 });
    const [sent] = await lines();
    expect(sent!.status).toBe('sent');
    expect(sent!.notSent).toBeUndefined();
    expect(await f.bg.db.count('outbox')).toBe(0);
  });
});
