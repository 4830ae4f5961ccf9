import { describe, expect, it } from 'vitest';
import { roomMessages } from '../../src/background/db.ts';
import { localOrder, LOCAL_ORDER_STEP } from '../../src/background/direct-only.ts';
import { receiveDirect, MAX_DIRECT_WAITING } from '../../src/background/direct-receive.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { react } from '../../src/background/intents/react.ts';
import { editMessage } from '../../src/background/intents/edit-message.ts';
import { deleteMessage, resendMessage } from '../../src/background/intents/refused-message.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { trimRoom } from '../../src/background/retention.ts';
import { checkSettings } from '../../src/shared/settings.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { backgroundFixture } from './background-fixture.ts';

// Expected answers from docs/protocol.md, "Messages sent only directly".

describe('the local order of a line sent only directly', () => {
  it('is m + 1/1024, m the greater of the highest non-pending order and seqBase + lastSeq', () => {
    expect(LOCAL_ORDER_STEP).toBe(1 / 1024);
    expect(localOrder(-Infinity, 0)).toBe(1 / 1024); // an empty room
    expect(localOrder(5, 5)).toBe(5 + 1 / 1024); // after seq 5
    expect(localOrder(7.5, 7)).toBe(7.5 + 1 / 1024); // after a GAP notice at 7.5
    expect(localOrder(3, 40)).toBe(40 + 1 / 1024); // older lines trimmed, lastSeq 40
    expect(localOrder(2 ** 31 + 12, 2 ** 31)).toBe(2 ** 31 + 12 + 1 / 1024); // a renumbered room's seqBase
  });

  it('keeps many in a row strictly rising below the next integer, then halves what is left, then stays', () => {
    const orders: number[] = [];
    let m = 9;
    for (let i = 0; i < 1200; i++) orders.push((m = localOrder(m, 9)));
    for (const o of orders) expect(o).toBeLessThan(10); // the relay's next seq, 10, sorts after every one
    // 1,023 steps of 1/1024, then halving while the halves are distinct numbers.
    expect(orders[1022]).toBe(9 + 1023 / 1024);
    expect(orders[1023]).toBe(9 + 1023 / 1024 + 1 / 2048);
    for (let i = 1; i < orders.length; i++) {
      if (orders[i] === orders[i - 1]) {
        // Stayed: from here on every one is the same (ties sort by id).
        expect(orders.slice(i).every((o) => o === orders[i])).toBe(true);
        break;
      }
      expect(orders[i]!).toBeGreaterThan(orders[i - 1]!);
    }
    // A relayed line after them: its seq is above all of them, and the next direct-only line follows it.
    expect(localOrder(10, 10)).toBe(10 + 1 / 1024);
  });
});

describe('the setting', () => {
  const base = { nickname: 'a', relayUrl: 'ws://127.0.0.1:1' };
  it('is kept only with direct connections on, and written only when set', () => {
    const on = checkSettings({ ...base, directConnections: true, directOnly: true });
    expect(on.ok && on.value.directOnly).toBe(true);
    const dropped = checkSettings({ ...base, directOnly: true });
    expect(dropped.ok && 'directOnly' in dropped.value).toBe(false);
    const off = checkSettings({ ...base, directConnections: true });
    expect(off.ok && 'directOnly' in off.value).toBe(false);
  });
});

async function directOnlyFixture() {
  const f = await backgroundFixture();
  const room = f.keys.roomId;
  f.link.synced.add(room);
  f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true, directOnly: true };
  const lines = async () => (await roomMessages(f.bg.db, room)).map((m) => ({ text: m.text, seq: m.seq, directOnly: m.directOnly ?? false }));
  const channel = (frame: { id: string; body: string }) => JSON.stringify({ t: 'msg', room, id: frame.id, body: frame.body, only: true });
  return { f, room, lines, channel };
}

describe('a line that came with `only`', () => {
  it('is shown at once in arrival order with a local order, and a relayed line after them sorts after them', async () => {
    const { f, room, lines, channel } = await directOnlyFixture();
    await onChatMessage(f.bg, f.link, await f.incoming('relayed 1', 1));
    for (const text of ['only a', 'only b', 'only c']) await receiveDirect(f.bg, room, channel(await f.incoming(text, 0)));
    await onChatMessage(f.bg, f.link, await f.incoming('relayed 2', 2));
    await receiveDirect(f.bg, room, channel(await f.incoming('only d', 0)));
    expect(await lines()).toEqual([
      { text: 'relayed 1', seq: 1, directOnly: false },
      { text: 'only a', seq: null, directOnly: true },
      { text: 'only b', seq: null, directOnly: true },
      { text: 'only c', seq: null, directOnly: true },
      { text: 'relayed 2', seq: 2, directOnly: false },
      { text: 'only d', seq: null, directOnly: true },
    ]);
    const shown = f.posted.filter((p) => p.type === 'room-item').map((p) => p.type === 'room-item' && p.item);
    expect(shown.filter((i) => i && i.directOnly).map((i) => i && i.text)).toEqual(['only a', 'only b', 'only c', 'only d']);
  });

  it('does not count among the lines waiting for the relay (none is dropped past MAX_DIRECT_WAITING), but retention counts it', async () => {
    const { f, room, lines, channel } = await directOnlyFixture();
    const n = MAX_DIRECT_WAITING + 10;
    for (let i = 0; i < n; i++) await receiveDirect(f.bg, room, channel(await f.incoming(`only ${i}`, 0)));
    expect(await lines()).toHaveLength(n);
    f.bg.mem.settings = { ...f.bg.mem.settings, keepPerRoom: 20 };
    expect(await trimRoom(f.bg, room)).toBe(n - 20);
    expect((await lines()).map((l) => l.text)).toEqual(Array.from({ length: 20 }, (_, i) => `only ${n - 20 + i}`));
  });

  it('becomes an ordinary numbered line if the relay\'s copy of the same body comes after all', async () => {
    const { f, room, lines, channel } = await directOnlyFixture();
    const frame = await f.incoming('both ways', 1);
    await receiveDirect(f.bg, room, channel(frame));
    await onChatMessage(f.bg, f.link, frame);
    expect(await lines()).toEqual([{ text: 'both ways', seq: 1, directOnly: false }]);
  });
});

describe('sending with the setting on', () => {
  it('with no open channel: nothing to the relay, the line kept as not sent in words; Try again says so again; Delete drops it', async () => {
    const { f, room, lines } = await directOnlyFixture();
    const id = newMessageId();
    const view = f.view();
    await sendMessage(f.bg, { type: 'send-message', roomId: room, text: 'for direct members only', id }, view);
    await f.settled();
    expect(f.sent).toEqual([]);
    expect(await f.bg.db.count('outbox')).toBe(0);
    expect(await lines()).toEqual([{ text: 'for direct members only', seq: null, directOnly: true }]);
    const item = f.posted.findLast((p) => p.type === 'room-item');
    expect(item?.type === 'room-item' && item.item).toMatchObject({ id, status: 'sending', directOnly: true, notSent: { retryAt: null, reason: expect.stringContaining('no member is connected to you directly') } });
    expect(item?.type === 'room-item' && 'directBody' in item.item).toBe(false); // the sealed body stays in the background

    await resendMessage(f.bg, { type: 'resend-message', roomId: room, id }, view);
    expect(f.posted.at(-1)).toMatchObject({ type: 'error', code: 'NO_DIRECT_MEMBER' });
    expect(f.sent).toEqual([]);

    await deleteMessage(f.bg, { type: 'delete-message', roomId: room, id });
    expect(await lines()).toEqual([]);
  });

  it('offers no reaction or edit on a direct-only line: refused in words, nothing to the relay', async () => {
    const { f, room, channel } = await directOnlyFixture();
    const frame = await f.incoming('theirs, direct only', 0);
    await receiveDirect(f.bg, room, channel(frame));
    const mine = newMessageId();
    await sendMessage(f.bg, { type: 'send-message', roomId: room, text: 'mine', id: mine }, f.view());
    await react(f.bg, { type: 'react', roomId: room, id: frame.id, emoji: '👍', on: true }, f.view());
    expect(f.posted.at(-1)).toMatchObject({ type: 'error', code: 'DIRECT_ONLY_LINE' });
    await editMessage(f.bg, { type: 'edit-message', roomId: room, id: mine, text: 'changed' }, f.view());
    expect(f.posted.at(-1)).toMatchObject({ type: 'error', code: 'DIRECT_ONLY_LINE' });
    await f.settled();
    expect(f.sent).toEqual([]);
    expect(await f.bg.db.count('outbox')).toBe(0);
  });
});

describe('other members\' lines sent only directly, kept apart', () => {
  // docs/protocol.md "Messages sent only directly": at most "Messages kept per room" of them per
  // room, one more deletes the oldest of them; the room's numbered lines are not touched.
  it('are at most keepPerRoom per room, the oldest going first, and push out no numbered line', async () => {
    const f = await backgroundFixture();
    const room = f.keys.roomId;
    f.link.synced.add(room);
    const keep = 100;
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true, keepPerRoom: keep };
    for (let seq = 1; seq <= 5; seq++) await onChatMessage(f.bg, f.link, await f.incoming(`numbered ${seq}`, seq));
    for (let i = 0; i < keep + 3; i++) {
      const frame = await f.incoming(`only ${i}`, 0);
      await receiveDirect(f.bg, room, JSON.stringify({ t: 'msg', room, id: frame.id, body: frame.body, only: true }));
    }
    const texts = (await roomMessages(f.bg.db, room)).map((m) => m.text);
    expect(texts.filter((t) => t?.startsWith('numbered'))).toHaveLength(5);
    const only = texts.filter((t) => t?.startsWith('only'));
    expect(only).toHaveLength(keep);
    expect(only).not.toContain('only 0');
    expect(only).toContain(`only ${keep + 2}`);
  });
});
