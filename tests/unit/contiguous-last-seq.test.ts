// Issue 9, review finding 3: a received message shown, whose write failed while the worker lived
// on, was lost for good once a later message was stored, because lastSeq jumped over it. The rule
// these tests take their answers from is docs/protocol.md, "Chat messages, acks and dedup": lastSeq
// passes seq N only once every seq up to N is stored or announced gone by a GAP; a failed write is
// taken back and asked for again, once per connection and lastSeq.
import { beforeEach, describe, expect, it } from 'vitest';
import { PENDING_ORDER, roomMessages, type Db } from '../../src/background/db.ts';
import { rejoinAll } from '../../src/background/join.ts';
import { loadMemory } from '../../src/background/memory.ts';
import { markAcked, queueOwnMessage } from '../../src/background/messages.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { onGap } from '../../src/background/relay-frames/on-gap.ts';
import { onRoom } from '../../src/background/relay-frames/on-room.ts';
import { onSynced } from '../../src/background/relay-frames/on-synced.ts';
import { flushOutbox } from '../../src/background/outbox.ts';
import { settleSeqs } from '../../src/background/settled-seqs.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { RoomFrame } from '../../src/shared/protocol.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';

let f: Fixture;
let room: string;
let realDb: Db;
beforeEach(async () => {
  f = await backgroundFixture();
  room = f.keys.roomId;
  realDb = f.bg.db;
});

/** The next `count` chat writes fail (quota, a transient IndexedDB error); the worker keeps running. */
function failWrites(db: Db, count = 1): Db {
  let left = count;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') {
        return (...args: Parameters<Db['transaction']>) => {
          const tx = target.transaction(...args);
          if (left > 0 && args[1] === 'readwrite' && ([args[0]].flat() as string[]).includes('messages')) {
            left--;
            tx.abort();
          }
          return tx;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const lastSeq = async (): Promise<number | undefined> => (await realDb.get('rooms', room))?.lastSeq;
const texts = async (): Promise<string[]> => (await roomMessages(realDb, room)).map((m) => m.text);
const getRooms = () => f.sent.filter((s) => s.type === 'GETROOM');
/** What a watching view holds after every post so far, in order. */
function viewHolds(): string[] {
  const items = new Map<string, string>();
  for (const m of f.posted) {
    if (m.type === 'room-item') items.set(m.item.id, m.item.text);
    if (m.type === 'room-item-removed') items.delete(m.id);
  }
  return [...items.values()];
}
const fails = (p: Promise<void>): Promise<unknown> => p.then(() => null, (e: unknown) => e);

async function ownMessage(text: string): Promise<string> {
  const id = newMessageId();
  await queueOwnMessage(f.bg, {
    roomId: room, id, kind: 'message', seq: null, order: PENDING_ORDER, mine: true, nick: 'Me', text, sentAt: 1, status: 'sending',
  }, 'AAAA');
  return id;
}

describe('a room\'s lastSeq (the since of its next join) never passes a seq that is not stored', () => {
  it('a shown line whose write failed is stored in the end (asked again from the relay), not shown once and then gone for good', async () => {
    const first = await f.incoming('shown, write failed', 1, newMessageId());
    const second = await f.incoming('the next one', 2, newMessageId());

    f.bg.db = failWrites(realDb);
    expect(await fails(onChatMessage(f.bg, f.link, first))).toBeInstanceOf(Error);
    expect(f.posted).toContainEqual(expect.objectContaining({ type: 'room-item', item: expect.objectContaining({ text: 'shown, write failed' }) }));
    // The worker lives on: the next live message is stored.
    await onChatMessage(f.bg, f.link, second);

    // Later (a new worker, or a reconnect), the room is joined again from its lastSeq.
    f.bg.db = realDb;
    f.bg.mem = await loadMemory(realDb);
    f.sent.length = 0;
    await rejoinAll(f.bg, f.link);
    const asked = f.sent.find((s) => s.type === 'GETROOM') as { since: number } | undefined;
    const stored = await texts();
    // Either stored already, or the relay is asked from before it so the replay brings it back.
    expect(stored.includes('shown, write failed') || (asked !== undefined && asked.since < 1)).toBe(true);
  });

  it('a failed write is taken back from the views and asked for again at once; the replay shows it once and moves lastSeq past both', async () => {
    const first = await f.incoming('shown, write failed', 1, newMessageId());
    const second = await f.incoming('the next one', 2, newMessageId());
    f.bg.db = failWrites(realDb);
    await fails(onChatMessage(f.bg, f.link, first));
    f.bg.db = realDb;
    expect(viewHolds()).toEqual([]);
    expect(getRooms()).toEqual([{ type: 'GETROOM', room, since: 0 }]);
    await onChatMessage(f.bg, f.link, second);
    expect(await lastSeq()).toBe(0);

    // The relay replays from 0: the first is stored now, the second is already there.
    await onChatMessage(f.bg, f.link, first);
    await onChatMessage(f.bg, f.link, second);
    await onSynced(f.bg, f.link, { type: 'SYNCED', room, head: 2 });
    expect(await texts()).toEqual(['shown, write failed', 'the next one']);
    expect(await lastSeq()).toBe(2);
    expect(viewHolds()).toEqual(['the next one', 'shown, write failed']);
    expect(f.posted.filter((m) => m.type === 'room-item' && m.item.text === 'the next one')).toHaveLength(1);
    expect(getRooms()).toHaveLength(1);
    expect(f.link.synced.has(room)).toBe(true);
  });

  it('a write that keeps failing is asked for again once per connection, not forever; the outbox still goes out', async () => {
    const first = await f.incoming('never stored', 1, newMessageId());
    const mine = await ownMessage('mine, waiting');
    f.bg.db = failWrites(realDb, 100);
    await fails(onChatMessage(f.bg, f.link, first));
    expect(getRooms()).toEqual([{ type: 'GETROOM', room, since: 0 }]);
    // The replay brings it, and it fails again: not asked for a third time.
    await fails(onChatMessage(f.bg, f.link, first));
    f.bg.db = realDb;
    await onSynced(f.bg, f.link, { type: 'SYNCED', room, head: 1 });
    expect(getRooms()).toHaveLength(1);
    expect(f.sent.filter((s) => s.type === 'CHATMSG').map((s) => (s.type === 'CHATMSG' ? s.id : ''))).toEqual([mine]);
    // The next connection tries once more, from before it.
    f.sent.length = 0;
    await rejoinAll(f.bg, f.link);
    expect(getRooms()).toEqual([{ type: 'GETROOM', room, since: 0 }]);
  });

  it('a live write that fails asks again without holding the outbox of a synced room', async () => {
    await onSynced(f.bg, f.link, { type: 'SYNCED', room, head: 0 });
    f.bg.db = failWrites(realDb);
    await fails(onChatMessage(f.bg, f.link, await f.incoming('failed', 1)));
    f.bg.db = realDb;
    expect(getRooms()).toEqual([{ type: 'GETROOM', room, since: 0 }]);
    const mine = await ownMessage('typed meanwhile');
    await flushOutbox(f.bg, f.link, room);
    expect(f.sent.filter((s) => s.type === 'CHATMSG').map((s) => (s.type === 'CHATMSG' ? s.id : ''))).toEqual([mine]);
  });

  it('SYNCED with a head above lastSeq asks again once; with no progress since, the room is synced', async () => {
    const mine = await ownMessage('mine, waiting');
    await onSynced(f.bg, f.link, { type: 'SYNCED', room, head: 3 });
    expect(getRooms()).toEqual([{ type: 'GETROOM', room, since: 0 }]);
    await onSynced(f.bg, f.link, { type: 'SYNCED', room, head: 3 });
    expect(getRooms()).toHaveLength(1);
    expect(f.sent.filter((s) => s.type === 'CHATMSG').map((s) => (s.type === 'CHATMSG' ? s.id : ''))).toEqual([mine]);
  });

  it('our ACK overtaking another member\'s message waits for it, then lastSeq passes both', async () => {
    await onChatMessage(f.bg, f.link, await f.incoming('one', 1));
    const mine = await ownMessage('mine');
    await markAcked(f.bg, room, mine, 3);
    expect(await lastSeq()).toBe(1);
    await onChatMessage(f.bg, f.link, await f.incoming('two', 2));
    expect(await lastSeq()).toBe(3);
    expect(await texts()).toEqual(['one', 'two', 'mine']);
  });

  it('a GAP settles its seqs, but not a hole below them; filling the hole passes the GAP too', async () => {
    await onChatMessage(f.bg, f.link, await f.incoming('one', 1));
    const two = await f.incoming('two', 2);
    f.bg.db = failWrites(realDb);
    await fails(onChatMessage(f.bg, f.link, two));
    f.bg.db = realDb;
    await onGap(f.bg, f.link, { type: 'GAP', room, from: 3, to: 5 });
    expect(await lastSeq()).toBe(1);
    await onChatMessage(f.bg, f.link, two);
    expect(await lastSeq()).toBe(5);
    // A GAP right after lastSeq settles at once.
    await onGap(f.bg, f.link, { type: 'GAP', room, from: 6, to: 9 });
    expect(await lastSeq()).toBe(9);
  });

  it('after a restart, lines stored above a hole are replayed without being shown again, and lastSeq passes them', async () => {
    const first = await f.incoming('failed', 1, newMessageId());
    const second = await f.incoming('stored', 2, newMessageId());
    f.bg.db = failWrites(realDb);
    await fails(onChatMessage(f.bg, f.link, first));
    f.bg.db = realDb;
    await onChatMessage(f.bg, f.link, second);
    // A new worker: what was ahead in memory is gone, the database says lastSeq 0.
    f.bg.mem = await loadMemory(realDb);
    f.posted.length = 0;
    await onChatMessage(f.bg, f.link, first);
    await onChatMessage(f.bg, f.link, second);
    expect(await lastSeq()).toBe(2);
    expect(viewHolds()).toEqual(['failed']);
  });

  it('a new epoch sorts its numbering after every stored line, also those above a hole', async () => {
    const roomFrame = (epoch: number): RoomFrame => ({ type: 'ROOM', room, peer: 'p0000000000000001', members: [], head: 0, epoch, created: false });
    await onRoom(f.bg, f.link, roomFrame(1000));
    await onChatMessage(f.bg, f.link, await f.incoming('old one', 1));
    f.bg.db = failWrites(realDb);
    await fails(onChatMessage(f.bg, f.link, await f.incoming('old two, failed', 2)));
    f.bg.db = realDb;
    await onChatMessage(f.bg, f.link, await f.incoming('old three', 3));
    expect(await lastSeq()).toBe(1);

    await onRoom(f.bg, f.link, roomFrame(2000));
    expect(await lastSeq()).toBe(0);
    await onChatMessage(f.bg, f.link, await f.incoming('new one', 1));
    expect(await texts()).toEqual(['old one', 'old three', 'The relay lost this room\'s history. Earlier messages are kept only on this device.', 'new one']);
    expect(await lastSeq()).toBe(1);
  });
});

describe('settleSeqs', () => {
  it('passes seqs only contiguously, and what waited ahead once the hole is settled', () => {
    expect(settleSeqs(0, [], 1, 1)).toEqual({ lastSeq: 1, ahead: [] });
    expect(settleSeqs(0, [], 2, 2)).toEqual({ lastSeq: 0, ahead: [[2, 2]] });
    expect(settleSeqs(0, [[2, 2], [4, 6]], 3, 3)).toEqual({ lastSeq: 0, ahead: [[2, 6]] });
    expect(settleSeqs(0, [[2, 6]], 1, 1)).toEqual({ lastSeq: 6, ahead: [] });
    expect(settleSeqs(4, [[8, 9]], 2, 6)).toEqual({ lastSeq: 6, ahead: [[8, 9]] });
    expect(settleSeqs(4, [[8, 9]], 1, 3)).toEqual({ lastSeq: 4, ahead: [[8, 9]] });
  });
});
