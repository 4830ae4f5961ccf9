// Private per-page threads in the background, against an in-memory IndexedDB: a line sent with a
// page carries it sealed, the receiver indexes it under the room's thread id for the normalised
// address, and page-activity / load-thread find it from any link of that page, in that room only.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { ViewPort } from '../../src/background/context.ts';
import { DEFAULT_SETTINGS, openParleyDb, roomMessages } from '../../src/background/db.ts';
import { loadMemory } from '../../src/background/memory.ts';
import { loadThread } from '../../src/background/intents/load-thread.ts';
import { retractMessage } from '../../src/background/intents/retract-message.ts';
import { applyEvent } from '../../src/background/message-events.ts';
import type { MessageRecord } from '../../src/background/db.ts';
import type { SenderCheck } from '../../src/shared/view-messages.ts';
import { pageActivity } from '../../src/background/intents/page-activity.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { deriveRoomKeys, openMessage, type RoomKeys } from '../../src/shared/crypto.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';
import type { BackgroundToView, ViewToBackground } from '../../src/shared/view-messages.ts';
import { testBackground, type FakeSocket } from './background-fixture.ts';

let dbCount = 0;
const view = { port: null, kind: 'popup', watching: null, tabId: null } as unknown as ViewPort;
const ARTICLE = 'https://News.example/story/42/?utm_source=feed&id=7#comments';
const SAME_ARTICLE = 'https://news.example/story/42?id=7&fbclid=xyz';
const NORMAL = 'https://news.example/story/42?id=7';

async function background(rooms: { keys: RoomKeys; code: string }[], nickname: string) {
  const posted: BackgroundToView[] = [];
  const { bg } = testBackground(await openParleyDb(`threads-${++dbCount}`), posted);
  const link = bg.links.open('ws://127.0.0.1:1');
  for (const { keys, code } of rooms) {
    bg.keys.set(keys.roomId, keys);
    link.synced.add(keys.roomId);
    await bg.db.put('rooms', { roomId: keys.roomId, code, name: 'r', joinedAt: 0, lastSeq: 0, unread: 0, relayUrl: 'ws://127.0.0.1:1' });
  }
  await bg.db.put('settings', { ...DEFAULT_SETTINGS, nickname, relayUrl: 'ws://127.0.0.1:1' }, 'settings');
  bg.mem = await loadMemory(bg.db);
  const { sent } = link.socket as unknown as FakeSocket;
  const say = async (roomId: string, text: string, seq: number, extra: Partial<Extract<ViewToBackground, { type: 'send-message' }>> = {}) => {
    await sendMessage(bg, { type: 'send-message', roomId, text, id: newMessageId(), ...extra }, view);
    const frame = sent.pop();
    if (frame?.type !== 'CHATMSG') throw new Error('nothing sent');
    return { ...frame, from: 'p0000000000000000', seq, at: 1 };
  };
  const ask = async <T extends BackgroundToView['type']>(run: () => Promise<void>, type: T) => {
    posted.length = 0;
    await run();
    return posted.find((m) => m.type === type) as Extract<BackgroundToView, { type: T }>;
  };
  return { bg, link, sent, say, ask };
}

async function room() {
  const code = newRoomCode();
  return { code, keys: await deriveRoomKeys(code) };
}

describe('private per-page threads', () => {
  it('a thread line carries the normalised page sealed; the other member indexes it; activity and the thread find it from any link of the page', async () => {
    const shared = await room();
    const other = await room();
    const ana = await background([shared], 'Ana');
    const bob = await background([shared, other], 'Bob');
    const frame = await ana.say(shared.keys.roomId, 'about this article', 1, { page: { url: ARTICLE, title: 'Rivers\u202e of the world' } });
    const plain = await bob.say(shared.keys.roomId, 'not about a page', 2);
    // Sealed: the frame's body names nothing of the page; opened with the key, it holds it normalised.
    expect(JSON.stringify(frame)).not.toMatch(/news\.example|story|Rivers/i);
    const opened = await openMessage(shared.keys, shared.keys.roomId, frame.id, frame.body);
    expect(opened.ok && opened.value.page).toEqual({ url: NORMAL, title: 'Rivers of the world' });

    await onChatMessage(bob.bg, bob.link, frame);
    await onChatMessage(ana.bg, ana.link, plain);
    const atBob = (await roomMessages(bob.bg.db, shared.keys.roomId)).find((m) => m.text === 'about this article')!;
    expect(atBob.page).toEqual({ url: NORMAL, title: 'Rivers of the world' });
    expect(atBob.thread).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(atBob.sender).toMatchObject({ verified: true });

    for (const member of [ana, bob]) {
      const activity = await member.ask(() => pageActivity(member.bg, { type: 'page-activity', url: SAME_ARTICLE }, view), 'page-activity');
      expect(activity).toEqual({ type: 'page-activity', url: NORMAL, rooms: [{ roomId: shared.keys.roomId, count: 1 }] });
      const thread = await member.ask(() => loadThread(member.bg, { type: 'load-thread', roomId: shared.keys.roomId, url: SAME_ARTICLE }, view), 'thread-items');
      expect(thread.items.map((i) => i.text)).toEqual(['about this article']);
      // The thread id stays on the device: views get the page, not the id.
      expect(thread.items[0]).not.toHaveProperty('thread');
    }
    // Another page of the same site: nothing.
    const elsewhere = await bob.ask(() => pageActivity(bob.bg, { type: 'page-activity', url: 'https://news.example/story/43?id=7' }, view), 'page-activity');
    expect(elsewhere.rooms).toEqual([]);
  });

  it('one page has a different thread id in each room', async () => {
    const one = await room();
    const two = await room();
    const ana = await background([one, two], 'Ana');
    await ana.say(one.keys.roomId, 'in one', 1, { page: { url: ARTICLE, title: 'A' } });
    await ana.say(two.keys.roomId, 'in two', 1, { page: { url: ARTICLE, title: 'A' } });
    const lines = [...await roomMessages(ana.bg.db, one.keys.roomId), ...await roomMessages(ana.bg.db, two.keys.roomId)];
    expect(new Set(lines.map((l) => l.thread)).size).toBe(2);
  });

  it('a page that is not a web page sends an ordinary line', async () => {
    const one = await room();
    const ana = await background([one], 'Ana');
    const frame = await ana.say(one.keys.roomId, 'hi', 1, { page: { url: 'javascript:alert(1)', title: 'x' } });
    const opened = await openMessage(one.keys, one.keys.roomId, frame.id, frame.body);
    expect(opened.ok && opened.value.page).toBeUndefined();
  });

  // protocol.md "Applying events" rule 4: "Delete wins for good: the line keeps its id, place,
  // sender and time, its text becomes '' ...". Which page a thread line was about is none of those.
  it('a deleted thread line keeps only id, place, sender and time: not the page it was about', () => {
    const ANA = 'A'.repeat(43);
    const signed = (key: string): SenderCheck => ({ verified: true, key, fingerprint: 'XXXX-XXXX', safetyCode: null, otherKey: false });
    const TARGET = '01J0000000000000000000000T';
    const line: MessageRecord = {
      roomId: 'R', id: TARGET, kind: 'message', seq: 1, order: 1, mine: false, nick: 'Ana', text: 'about my bank',
      sentAt: 1000, status: 'received', sender: signed(ANA),
      page: { url: 'https://bank.example/account?id=42', title: 'Ana\u2019s account 42' }, thread: 'T'.repeat(43),
    };
    const gone = applyEvent(line, { id: '01J0000000000000000000000E', kind: 'delete', target: TARGET, text: '', nick: 'Ana', sentAt: 2000, sender: signed(ANA) }, 'M'.repeat(43));
    expect(gone).toMatchObject({ deleted: true, text: '' });
    expect(gone).not.toHaveProperty('page');
    expect(gone).not.toHaveProperty('thread');
  });

  it('a deleted thread line leaves the thread on both devices: no page mark, no activity, not in the thread', async () => {
    const shared = await room();
    const ana = await background([shared], 'Ana');
    const bob = await background([shared], 'Bob');
    const frame = await ana.say(shared.keys.roomId, 'about my bank', 1, { page: { url: ARTICLE, title: 'Account 42' } });
    await onChatMessage(bob.bg, bob.link, frame);
    await retractMessage(ana.bg, { type: 'retract-message', roomId: shared.keys.roomId, id: frame.id }, view);
    const del = ana.sent.pop();
    if (del?.type !== 'CHATMSG') throw new Error('no delete sent');
    await onChatMessage(bob.bg, bob.link, { ...del, from: 'p0000000000000000', seq: 2, at: 2 });
    for (const member of [ana, bob]) {
      const line = (await roomMessages(member.bg.db, shared.keys.roomId)).find((m) => m.id === frame.id)!;
      expect(line).toMatchObject({ deleted: true, text: '' });
      expect(line).not.toHaveProperty('page');
      expect(line).not.toHaveProperty('thread');
      const activity = await member.ask(() => pageActivity(member.bg, { type: 'page-activity', url: SAME_ARTICLE }, view), 'page-activity');
      expect(activity.rooms).toEqual([]);
      const thread = await member.ask(() => loadThread(member.bg, { type: 'load-thread', roomId: shared.keys.roomId, url: SAME_ARTICLE }, view), 'thread-items');
      expect(thread.items).toEqual([]);
    }
  });
});
