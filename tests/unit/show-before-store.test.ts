// Issue 9 (typed-to-shown): the receiver shows a message before it stores it, and the sender
// stores once. What must stay true (docs/protocol.md, "Delivery"): a message shown and then lost
// to a killed worker comes back in the replay, because the room's lastSeq (the `since` of the next
// join) advances only with the write; and memory, rebuilt from IndexedDB, says what the database says.
import { beforeEach, describe, expect, it } from 'vitest';
import { roomMessages, type Db } from '../../src/background/db.ts';
import { rejoinAll } from '../../src/background/join.ts';
import { loadMemory } from '../../src/background/memory.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await backgroundFixture();
});

/** The database as a worker killed at its next chat write would leave it: that write never commits. */
function killedAtNextWrite(db: Db): Db {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') {
        return (...args: Parameters<Db['transaction']>) => {
          const tx = target.transaction(...args);
          if (args[1] === 'readwrite' && ([args[0]].flat() as string[]).includes('messages')) tx.abort();
          return tx;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('a message shown before it is stored', () => {
  it('is shown, and when its write is lost the next join asks from before it, so the replay brings it back once', async () => {
    const room = f.keys.roomId;
    const realDb = f.bg.db;
    const id = newMessageId();
    const frame = await f.incoming('shown, then the worker died', 1, id);

    f.bg.db = killedAtNextWrite(realDb);
    const lost = await onChatMessage(f.bg, f.link, frame).then(() => null, (e: unknown) => e);
    expect(lost).toBeInstanceOf(Error);
    // The watching view was told at once...
    expect(f.posted).toContainEqual(expect.objectContaining({ type: 'room-item', item: expect.objectContaining({ id, text: 'shown, then the worker died' }) }));
    // ...but nothing advanced that a new worker would not find again.
    expect(f.bg.mem.rooms.get(room)?.lastSeq).toBe(0);
    expect((await realDb.get('rooms', room))?.lastSeq).toBe(0);

    // A new worker: memory from the database, the socket reopens and rejoins.
    f.bg.db = realDb;
    f.bg.mem = await loadMemory(realDb);
    f.sent.length = 0;
    await rejoinAll(f.bg, f.link);
    expect(f.sent).toContainEqual({ type: 'GETROOM', room, since: 0 });
    await onChatMessage(f.bg, f.link, frame);
    expect((await roomMessages(realDb, room)).map((m) => m.text)).toEqual(['shown, then the worker died']);
    expect((await realDb.get('rooms', room))?.lastSeq).toBe(1);
  });

  it('keeps the first key per nickname in memory and in the database alike, across a restart', async () => {
    const room = f.keys.roomId;
    await onChatMessage(f.bg, f.link, await f.incoming('first', 1));
    // The fixture's peer signs nothing, so it claims no name; our own message does.
    f.bg.mem.settings = { ...f.bg.mem.settings, nickname: 'Me' };
    f.link.synced.add(room);
    await sendMessage(f.bg, { type: 'send-message', roomId: room, text: 'mine', id: newMessageId() }, f.view());
    const stored = await f.bg.db.getAll('senders');
    expect(stored.map((s) => [s.roomId, s.nick])).toEqual([[room, 'me']]);
    const rebuilt = await loadMemory(f.bg.db);
    expect([...rebuilt.senders.values()]).toEqual([...f.bg.mem.senders.values()]);
  });

  it('a send whose id is already stored writes nothing and sends nothing (checked inside the one write)', async () => {
    const room = f.keys.roomId;
    f.link.synced.add(room);
    const id = newMessageId();
    await sendMessage(f.bg, { type: 'send-message', roomId: room, text: 'once', id }, f.view());
    await sendMessage(f.bg, { type: 'send-message', roomId: room, text: 'once', id }, f.view());
    expect(f.sent.filter((s) => s.type === 'CHATMSG')).toHaveLength(1);
    expect(await f.bg.db.count('outbox')).toBe(1);
    expect(f.bg.mem.outbox.get(room)?.size).toBe(1);
  });
});
