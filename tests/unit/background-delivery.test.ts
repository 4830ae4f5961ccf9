// The background's delivery logic (dedup, acks, outbox, gaps, order) against an in-memory
// IndexedDB. Only the relay socket is a stand-in; the browser tests cover the real thing.
import { loadMemory } from '../../src/background/memory.ts';
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Background, ViewPort } from '../../src/background/context.ts';
import { sendMessage } from '../../src/background/intents/send-message.ts';
import { DEFAULT_SETTINGS, openParleyDb, PENDING_ORDER, roomMessages } from '../../src/background/db.ts';
import { markAcked, queueOwnMessage } from '../../src/background/messages.ts';
import { flushOutbox } from '../../src/background/outbox.ts';
import { onAck } from '../../src/background/relay-frames/on-ack.ts';
import { onChatMessage } from '../../src/background/relay-frames/on-chat-message.ts';
import { onGap } from '../../src/background/relay-frames/on-gap.ts';
import type { RelayLink } from '../../src/background/relay-link.ts';
import { OUTBOX_WINDOW } from '../../src/shared/constants.ts';
import { deriveRoomKeys, sealMessage, type RoomKeys } from '../../src/shared/crypto.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { ChatDeliverFrame, ClientToRelay } from '../../src/shared/protocol.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';
import { RELAY, testBackground, type FakeSocket } from './background-fixture.ts';

let bg: Background;
let link: RelayLink;
let sent: ClientToRelay[];
let keys: RoomKeys;
let dbCount = 0;

beforeEach(async () => {
  sent = [];
  const code = newRoomCode();
  keys = await deriveRoomKeys(code);
  ({ bg } = testBackground(await openParleyDb(`test-${++dbCount}`)));
  bg.keys.set(keys.roomId, keys);
  await bg.db.put('settings', { ...DEFAULT_SETTINGS, nickname: '', relayUrl: RELAY }, 'settings');
  link = bg.links.open(RELAY);
  sent = (link.socket as unknown as FakeSocket).sent;
  await bg.db.put('rooms', { roomId: keys.roomId, code, name: 'r', joinedAt: 0, lastSeq: 0, unread: 0, relayUrl: RELAY });
  bg.mem = await loadMemory(bg.db); // as a worker start does, after the writes above
});

async function incoming(text: string, seq: number, id = newMessageId()): Promise<ChatDeliverFrame> {
  const body = await sealMessage(keys, id, { v: 1, text, nick: 'Peer', sentAt: 1 });
  if (!body.ok) throw new Error('seal');
  return { type: 'CHATMSG', room: keys.roomId, id, body: body.value, from: 'p0000000000000000', seq, at: 2 };
}

async function mine(text: string) {
  const id = newMessageId();
  const body = await sealMessage(keys, id, { v: 1, text, nick: 'Me', sentAt: 1 });
  if (!body.ok) throw new Error('seal');
  await queueOwnMessage(bg, {
    roomId: keys.roomId, id, kind: 'message', seq: null, order: PENDING_ORDER, mine: true, nick: 'Me', text, sentAt: 1, status: 'sending',
  }, body.value);
  return { id, body: body.value };
}

const texts = async () => (await roomMessages(bg.db, keys.roomId)).map((m) => `${m.text}:${m.status}`);

describe('delivery in the background', () => {
  it('shows a message delivered twice (resend, replay) once, and counts it unread once', async () => {
    const frame = await incoming('hello', 1);
    await onChatMessage(bg, link, frame);
    await onChatMessage(bg, link, frame);
    await onChatMessage(bg, link, { ...frame, seq: 1 });
    expect(await texts()).toEqual(['hello:received']);
    expect((await bg.db.get('rooms', keys.roomId))?.unread).toBe(1);
    expect((await bg.db.get('rooms', keys.roomId))?.lastSeq).toBe(1);
  });

  it('keeps own messages pending at the end until acked, then puts them in sequence order', async () => {
    const a = await mine('mine first');
    await onChatMessage(bg, link, await incoming('theirs', 1));
    expect(await texts()).toEqual(['theirs:received', 'mine first:sending']);
    await markAcked(bg, keys.roomId, a.id, 2);
    await markAcked(bg, keys.roomId, a.id, 2);
    expect(await texts()).toEqual(['theirs:received', 'mine first:sent']);
    expect(await bg.db.count('outbox')).toBe(0);
  });

  it('treats its own message replayed by the relay (ack lost) as sent, not as a second copy', async () => {
    const a = await mine('ack was lost');
    await onChatMessage(bg, link, { type: 'CHATMSG', room: keys.roomId, id: a.id, body: a.body, from: 'p0000000000000000', seq: 7, at: 3 });
    expect(await texts()).toEqual(['ack was lost:sent']);
    expect((await bg.db.get('rooms', keys.roomId))?.unread).toBe(0);
  });

  it('flushes the outbox oldest first, only once the room is synced, and not after the ack', async () => {
    const a = await mine('one');
    const b = await mine('two');
    await flushOutbox(bg, link, keys.roomId);
    expect(sent).toEqual([]);
    link.synced.add(keys.roomId);
    await flushOutbox(bg, link, keys.roomId);
    expect(sent.map((f) => (f.type === 'CHATMSG' ? f.id : ''))).toEqual([a.id, b.id]);
    await markAcked(bg, keys.roomId, a.id, 1);
    sent.length = 0;
    await flushOutbox(bg, link, keys.roomId);
    expect(sent).toEqual([]); // b is still on the wire: not sent twice on one connection
    link.inFlight.clear(); // a new connection, or a retry after RATE_LIMITED
    await flushOutbox(bg, link, keys.roomId);
    expect(sent.map((f) => (f.type === 'CHATMSG' ? f.id : ''))).toEqual([b.id]);
  });

  it('stores a message resent by a view (after a worker restart) once', async () => {
    const view = { port: null, kind: 'popup', watching: null, tabId: null } as unknown as ViewPort;
    const id = newMessageId();
    await sendMessage(bg, { type: 'send-message', roomId: keys.roomId, text: 'typed once', id }, view);
    await sendMessage(bg, { type: 'send-message', roomId: keys.roomId, text: 'typed once', id }, view);
    expect(await texts()).toEqual(['typed once:sending']);
    expect(await bg.db.count('outbox')).toBe(1);
  });

  it('keeps at most a window of messages on the wire, and each ack lets the next one go', async () => {
    const queued = [];
    for (let i = 0; i < OUTBOX_WINDOW + 5; i++) queued.push(await mine(`m${i}`));
    link.synced.add(keys.roomId);
    await flushOutbox(bg, link, keys.roomId);
    expect(sent.map((f) => (f.type === 'CHATMSG' ? f.id : ''))).toEqual(queued.slice(0, OUTBOX_WINDOW).map((q) => q.id));
    sent.length = 0;
    await onAck(bg, link, { type: 'ACK', room: keys.roomId, id: queued[0]!.id, seq: 1, at: 1 });
    expect(sent.map((f) => (f.type === 'CHATMSG' ? f.id : ''))).toEqual([queued[OUTBOX_WINDOW]!.id]);
  });

  it('says plainly where history is missing, in its place', async () => {
    await onChatMessage(bg, link, await incoming('old', 3));
    await onGap(bg, link, { type: 'GAP', room: keys.roomId, from: 4, to: 9 });
    await onChatMessage(bg, link, await incoming('new', 10));
    const items = await roomMessages(bg.db, keys.roomId);
    expect(items.map((m) => m.kind)).toEqual(['message', 'gap', 'message']);
    expect(items[1]!.text).toBe('6 earlier messages are no longer kept by the relay.');
  });

  it('shows a calm notice for a body that does not open, and nothing of its content', async () => {
    const frame = await incoming('secret', 1);
    await onChatMessage(bg, link, { ...frame, body: frame.body.slice(0, -4) + 'AAAA' });
    const [item] = await roomMessages(bg.db, keys.roomId);
    expect(item).toMatchObject({ kind: 'notice', text: 'A message could not be opened and was skipped.' });
  });
});
