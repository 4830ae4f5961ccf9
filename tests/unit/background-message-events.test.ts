// Message events between backgrounds over an in-memory IndexedDB: what one background sends is
// delivered to another as the relay would (only the relay socket is a stand-in). The expected
// lines follow docs/protocol.md "What a sealed body holds".
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { ViewPort } from '../../src/background/context.ts';
import { DEFAULT_SETTINGS, openParleyDb, roomMessages } from '../../src/background/db.ts';
import { editMessage } from '../../src/background/intents/edit-message.ts';
import { react, REACTIONS_FULL_TEXT } from '../../src/background/intents/react.ts';
import { retractMessage } from '../../src/background/intents/retract-message.ts';
import { findLines } from '../../src/background/intents/search-room.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { loadMemory } from '../../src/background/memory.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { MAX_REACTIONS_PER_MESSAGE } from '../../src/shared/constants.ts';
import { deriveRoomKeys, type RoomKeys } from '../../src/shared/crypto.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { ChatDeliverFrame } from '../../src/shared/protocol.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';
import type { BackgroundToView } from '../../src/shared/view-messages.ts';
import { testBackground, type FakeSocket } from './background-fixture.ts';

let dbCount = 0;
const view = { port: null, kind: 'popup', watching: null, tabId: null } as unknown as ViewPort;
const RELAY = 'ws://127.0.0.1:1';

async function member(keys: RoomKeys, code: string, nickname: string, dbName = `events-${++dbCount}-${Math.random()}`) {
  const posted: BackgroundToView[] = [];
  const { bg } = testBackground(await openParleyDb(dbName), posted);
  bg.keys.set(keys.roomId, keys);
  const link = bg.links.open(RELAY);
  link.synced.add(keys.roomId);
  const { sent } = link.socket as unknown as FakeSocket;
  if (!(await bg.db.get('rooms', keys.roomId))) {
    await bg.db.put('rooms', { roomId: keys.roomId, code, name: 'r', joinedAt: 0, lastSeq: 0, unread: 0, relayUrl: RELAY });
    await bg.db.put('settings', { ...DEFAULT_SETTINGS, nickname, relayUrl: RELAY }, 'settings');
  }
  bg.mem = await loadMemory(bg.db);
  let seq = 0;
  /** The frame this member last put on the wire, as the relay delivers it to the others. */
  const lastSent = (): ChatDeliverFrame => {
    const frame = sent.pop();
    if (frame?.type !== 'CHATMSG') throw new Error('nothing sent');
    return { ...frame, from: 'p0000000000000000', seq: ++seq, at: 1 };
  };
  const lines = () => roomMessages(bg.db, keys.roomId);
  const line = async (id: string) => (await lines()).find((l) => l.id === id);
  return { bg, link, sent, posted, lastSent, lines, line, dbName, setSeq: (n: number) => void (seq = n) };
}

async function room() {
  const code = newRoomCode();
  const keys = await deriveRoomKeys(code);
  const ana = await member(keys, code, 'Ana');
  const bob = await member(keys, code, 'Bob');
  let seq = 0;
  /** Delivers what `from` sent last to every one of `to`, numbered as the relay would. */
  const relay = async (from: typeof ana, ...to: (typeof ana)[]) => {
    from.setSeq(seq++);
    const frame = from.lastSent();
    for (const m of to) await onChatMessage(m.bg, m.link, frame);
    return frame;
  };
  return { keys, code, ana, bob, relay };
}

describe('message events between members', () => {
  it('edit: applied at once for the sender, then for the receiver, without a new line or unread', async () => {
    const { keys, ana, bob, relay } = await room();
    await sendMessage(ana.bg, { type: 'send-message', roomId: keys.roomId, text: 'helo', id: newMessageId() }, view);
    const msg = await relay(ana, bob);
    await editMessage(ana.bg, { type: 'edit-message', roomId: keys.roomId, id: msg.id, text: 'hello' }, view);
    expect(await ana.line(msg.id)).toMatchObject({ text: 'hello', editedAt: expect.any(Number) });
    expect((await ana.bg.db.getAll('outbox')).length).toBe(2); // the message (not acked here) and its edit
    const unreadBefore = bob.bg.mem.rooms.get(keys.roomId)!.unread;
    await relay(ana, bob);
    expect(await bob.lines()).toHaveLength(1);
    expect(await bob.line(msg.id)).toMatchObject({ text: 'hello', editedAt: (await ana.line(msg.id))!.editedAt });
    expect(bob.bg.mem.rooms.get(keys.roomId)!.unread).toBe(unreadBefore);
    expect(bob.bg.mem.rooms.get(keys.roomId)!.lastSeq).toBe(2);
  });

  it('an edit forged by another member (their own key, the author\'s name) is not applied', async () => {
    const { keys, code, ana, bob, relay } = await room();
    const mallory = await member(keys, code, 'Ana');
    await sendMessage(ana.bg, { type: 'send-message', roomId: keys.roomId, text: 'meet at 5', id: newMessageId() }, view);
    const msg = await relay(ana, bob, mallory);
    // Mallory's own background refuses to send it (not her line): the forged event is made by hand.
    await editMessage(mallory.bg, { type: 'edit-message', roomId: keys.roomId, id: msg.id, text: 'meet at 6' }, view);
    expect(mallory.sent).toHaveLength(0);
    const { signOutgoing } = await import('../../src/shared/identity-rules.ts');
    const { ownIdentity } = await import('../../src/background/identity.ts');
    const { sealMessage } = await import('../../src/shared/crypto.ts');
    const id = newMessageId();
    const { plaintext } = await signOutgoing(await ownIdentity(mallory.bg.db), { claim: async (_r, _n, k) => k }, keys.roomId, id, {
      text: 'meet at 6', nick: 'Ana', sentAt: Date.now(), ev: { kind: 'edit', target: msg.id },
    });
    const body = await sealMessage(keys, id, plaintext);
    await onChatMessage(bob.bg, bob.link, { type: 'CHATMSG', room: keys.roomId, id, body: body.ok ? body.value : '', from: 'p1111111111111111', seq: 2, at: 1 });
    expect(await bob.line(msg.id)).toMatchObject({ text: 'meet at 5' });
    expect((await bob.line(msg.id))!.editedAt).toBeUndefined();
    expect(await bob.lines()).toHaveLength(1); // no line, no notice
    expect(bob.bg.mem.rooms.get(keys.roomId)!.lastSeq).toBe(2); // its seq settled all the same
  });

  it('delete: a tombstone on both, and the old text is in neither database, not even in a quote', async () => {
    const { keys, ana, bob, relay } = await room();
    await sendMessage(ana.bg, { type: 'send-message', roomId: keys.roomId, text: 'my secret plan', id: newMessageId() }, view);
    const msg = await relay(ana, bob);
    await sendMessage(bob.bg, { type: 'send-message', roomId: keys.roomId, text: 'nice', id: newMessageId(), replyTo: msg.id }, view);
    const answer = await relay(bob, ana);
    expect(await ana.line(answer.id)).toMatchObject({ replyTo: { id: msg.id, nick: 'You', text: 'my secret plan' } });
    expect(await bob.line(answer.id)).toMatchObject({ replyTo: { id: msg.id, nick: 'Ana', text: 'my secret plan' } });
    await retractMessage(ana.bg, { type: 'retract-message', roomId: keys.roomId, id: msg.id }, view);
    await relay(ana, bob);
    for (const m of [ana, bob]) {
      expect(await m.line(msg.id)).toMatchObject({ text: '', deleted: true });
      expect((await m.line(answer.id))!.replyTo).toEqual({ id: msg.id, nick: expect.any(String), text: '' });
      expect(JSON.stringify(await m.bg.db.getAll('messages'))).not.toContain('secret');
    }
  });

  it('reactions: both see who, once per member and emoji; taking one back removes it', async () => {
    const { keys, ana, bob, relay } = await room();
    await sendMessage(ana.bg, { type: 'send-message', roomId: keys.roomId, text: 'lunch?', id: newMessageId() }, view);
    const msg = await relay(ana, bob);
    await react(bob.bg, { type: 'react', roomId: keys.roomId, id: msg.id, emoji: '👍', on: true }, view);
    await relay(bob, ana);
    // A second tap on an emoji already on sends nothing.
    await react(bob.bg, { type: 'react', roomId: keys.roomId, id: msg.id, emoji: '👍', on: true }, view);
    expect(bob.sent).toHaveLength(0);
    expect((await ana.line(msg.id))!.reactions).toEqual([{ emoji: '👍', by: ['Bob'], mine: false }]);
    expect((await bob.line(msg.id))!.reactions).toEqual([{ emoji: '👍', by: ['You'], mine: true }]);
    await react(bob.bg, { type: 'react', roomId: keys.roomId, id: msg.id, emoji: '👍', on: false }, view);
    await relay(bob, ana);
    expect((await ana.line(msg.id))!.reactions).toEqual([]);
  });

  it('a reaction that cannot be added because the line holds the most reactions kept says so in words', async () => {
    const { keys, ana, bob, relay } = await room();
    await sendMessage(ana.bg, { type: 'send-message', roomId: keys.roomId, text: 'vote', id: newMessageId() }, view);
    const msg = await relay(ana, bob);
    // Throwaway keys filled every slot (docs/security.md "Edits, deletes and reactions").
    const line = (await bob.line(msg.id))!;
    const marks = Array.from({ length: MAX_REACTIONS_PER_MESSAGE }, (_, i) => ({ key: `k${i}`, emoji: '👎', name: `x${i}`, on: true, at: 1, id: newMessageId() }));
    await bob.bg.db.put('messages', { ...line, marks });
    bob.posted.length = 0;
    await react(bob.bg, { type: 'react', roomId: keys.roomId, id: msg.id, emoji: '👍', on: true }, view);
    expect(bob.sent).toHaveLength(0);
    expect(bob.posted).toContainEqual({ type: 'error', code: 'REACTIONS_FULL', message: REACTIONS_FULL_TEXT });
  });

  it('an event whose target is not stored here changes nothing, and its seq is settled', async () => {
    const { keys, ana, bob, relay } = await room();
    await sendMessage(ana.bg, { type: 'send-message', roomId: keys.roomId, text: 'x', id: newMessageId() }, view);
    const msg = await relay(ana); // bob never gets it (trimmed, say)
    await retractMessage(ana.bg, { type: 'retract-message', roomId: keys.roomId, id: msg.id }, view);
    const ev = await relay(ana, bob);
    expect(await bob.lines()).toHaveLength(0);
    // Replayed: the same again, nothing breaks.
    await onChatMessage(bob.bg, bob.link, ev);
    expect(await bob.lines()).toHaveLength(0);
  });

  it('our pending event survives a worker restart and goes out after it', async () => {
    const { keys, code, ana, bob, relay } = await room();
    await sendMessage(ana.bg, { type: 'send-message', roomId: keys.roomId, text: 'typo', id: newMessageId() }, view);
    const msg = await relay(ana, bob);
    ana.link.socket.stop(); // offline: nothing goes on the wire
    await editMessage(ana.bg, { type: 'edit-message', roomId: keys.roomId, id: msg.id, text: 'fixed' }, view);
    ana.bg.db.close();
    const again = await member(keys, code, 'Ana', ana.dbName); // a new worker over the same database
    expect(await again.line(msg.id)).toMatchObject({ text: 'fixed' });
    const { flushOutbox } = await import('../../src/background/outbox.ts');
    await flushOutbox(again.bg, again.link, keys.roomId);
    const frames = again.sent.filter((f) => f.type === 'CHATMSG');
    expect(frames.map((f) => f.type === 'CHATMSG' && f.id)).toContain(msg.id); // the message, not acked here
    expect(frames).toHaveLength(2); // and the edit
    await onChatMessage(bob.bg, bob.link, { ...frames[1]!, type: 'CHATMSG', from: 'p0000000000000000', seq: 9, at: 1 } as ChatDeliverFrame);
    expect(await bob.line(msg.id)).toMatchObject({ text: 'fixed' });
  });

  it('search: case-insensitive, newest first, bounded, and never a deleted line', async () => {
    const { keys, ana, bob, relay } = await room();
    for (const text of ['Apple pie', 'banana', 'APPLE juice', 'apples']) {
      await sendMessage(ana.bg, { type: 'send-message', roomId: keys.roomId, text, id: newMessageId() }, view);
      await relay(ana, bob);
    }
    const found = await findLines(bob.bg, keys.roomId, 'apple');
    expect(found.items.map((i) => i.text)).toEqual(['apples', 'APPLE juice', 'Apple pie']);
    expect(found.more).toBe(false);
    const two = await findLines(bob.bg, keys.roomId, 'apple', 2);
    expect(two).toMatchObject({ more: true });
    expect(two.items.map((i) => i.text)).toEqual(['apples', 'APPLE juice']);
    const juice = found.items[1]!.id;
    await retractMessage(ana.bg, { type: 'retract-message', roomId: keys.roomId, id: juice }, view);
    await relay(ana, bob);
    expect((await findLines(bob.bg, keys.roomId, 'apple')).items.map((i) => i.text)).toEqual(['apples', 'Apple pie']);
  });
});
