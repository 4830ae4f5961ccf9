// Issue 8, "A room lives on its relay": the background holds one link per relay in use, and what
// one relay says touches only that relay's rooms and connection state. Two stand-in relays here.
import { loadMemory } from '../../src/background/memory.ts';
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadKnownRelays, openParleyDb, PENDING_ORDER, roomMessages } from '../../src/background/db.ts';
import { createRoom } from '../../src/background/intents/create-room.ts';
import { joinRoom } from '../../src/background/intents/join-room.ts';
import { leaveRoom } from '../../src/background/intents/leave-room.ts';
import { saveSettings } from '../../src/background/intents/save-settings.ts';
import { queueOwnMessage } from '../../src/background/messages.ts';
import { flushOutbox } from '../../src/background/outbox.ts';
import type { RelayLink } from '../../src/background/relay-link.ts';
import { relaysInUse } from '../../src/background/relay-links.ts';
import { handleRelayFrame } from '../../src/background/relay-frames/index.ts';
import { overall, roomProblem } from '../../src/background/relay-status.ts';
import { deriveRoomKeys } from '../../src/shared/crypto.ts';
import { inviteLink } from '../../src/shared/invite.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { RoomFrame } from '../../src/shared/protocol.ts';
import { formatRoomCode, newRoomCode } from '../../src/shared/room-code.ts';
import { backgroundFixture, RELAY, testBackground, type FakeSocket, type Fixture } from './background-fixture.ts';

const RELAY_B = 'wss://b.relay.test';

let f: Fixture;
let a: RelayLink;
let b: RelayLink;
let roomA: string;
let roomB: string;
beforeEach(async () => {
  f = await backgroundFixture();
  a = f.link;
  roomA = f.keys.roomId;
  roomB = await f.storedRoom(RELAY_B, 2);
  b = f.bg.links.open(RELAY_B);
});

const socket = (link: RelayLink) => link.socket as unknown as FakeSocket;
const room = (id: string): RoomFrame => ({ type: 'ROOM', room: id, peer: 'p0000000000000001', members: [], head: 0, epoch: 1, created: false });

async function queue(roomId: string, text: string): Promise<string> {
  const id = newMessageId();
  await queueOwnMessage(f.bg, {
    roomId, id, kind: 'message', seq: null, order: PENDING_ORDER, mine: true, nick: 'Me', text, sentAt: 1, status: 'sending',
  }, 'AAAA');
  return id;
}

describe('a frame from one relay', () => {
  it('never changes another relay\'s rooms or connection state', async () => {
    const mine = await queue(roomB, 'waits for B');
    await handleRelayFrame(f.bg, b, room(roomB));
    // Relay A speaks about B's room: a message, a membership, an ack, a refusal, a replay's end.
    const keysB = f.bg.keys.get(roomB)!;
    const frame = await f.incoming('not from A', 1);
    await handleRelayFrame(f.bg, a, { ...frame, room: keysB.roomId });
    await handleRelayFrame(f.bg, a, room(roomB));
    await handleRelayFrame(f.bg, a, { type: 'JOINED', room: roomB, peer: 'p0000000000000002' });
    await handleRelayFrame(f.bg, a, { type: 'ACK', room: roomB, id: mine, seq: 3, at: 1 });
    await handleRelayFrame(f.bg, a, { type: 'ERROR', code: 'ROOM_FULL', message: 'x', ref: 'GETROOM', room: roomB });
    await handleRelayFrame(f.bg, a, { type: 'SYNCED', room: roomB, head: 2 });

    expect((await roomMessages(f.bg.db, roomB)).map((m) => `${m.text}:${m.status}`)).toEqual(['waits for B:sending']);
    expect(await f.bg.db.get('rooms', roomB)).toMatchObject({ lastSeq: 2, unread: 0, relayUrl: RELAY_B });
    expect(b.members.get(roomB)).toBe(1);
    expect(a.members.has(roomB)).toBe(false);
    expect(roomProblem(b, roomB)).toBeNull();
    expect(roomProblem(a, roomB)).toBeNull();
    expect(a.synced.has(roomB)).toBe(false);
    expect(socket(a).sent.filter((s) => s.type === 'CHATMSG')).toEqual([]);
    expect(await f.bg.db.count('outbox')).toBe(1);
  });
});

describe('the last room on a relay', () => {
  it('closes that relay\'s socket when it is left, and only that one', async () => {
    const other = await f.storedRoom(RELAY);
    await leaveRoom(f.bg, { type: 'leave-room', roomId: roomB });
    expect(socket(b).sent).toEqual([{ type: 'LEAVE', room: roomB }]);
    expect(socket(b).stopped).toBe(true);
    expect(f.bg.links.get(RELAY_B)).toBeUndefined();
    await leaveRoom(f.bg, { type: 'leave-room', roomId: other });
    expect(socket(a).stopped).toBe(false);
    expect(f.bg.links.get(RELAY)).toBe(a);
    await leaveRoom(f.bg, { type: 'leave-room', roomId: roomA });
    expect(socket(a).stopped).toBe(true);
    expect(f.bg.links.all()).toEqual([]);
  });
});

describe('DAILY_QUOTA from one relay', () => {
  it('holds only the outbox of that relay\'s rooms: the other relay\'s messages keep flowing', async () => {
    a.synced.add(roomA);
    b.synced.add(roomB);
    const heldA = await queue(roomA, 'to A');
    await flushOutbox(f.bg, a, roomA);
    await handleRelayFrame(f.bg, a, { type: 'ERROR', code: 'DAILY_QUOTA', message: 'x', ref: 'CHATMSG', room: roomA, id: heldA });

    const toB = await queue(roomB, 'to B');
    await flushOutbox(f.bg, b, roomB);
    expect(socket(b).sent).toEqual([expect.objectContaining({ type: 'CHATMSG', room: roomB, id: toB })]);
    await handleRelayFrame(f.bg, b, { type: 'ACK', room: roomB, id: toB, seq: 3, at: 1 });
    expect((await f.bg.db.get('messages', [roomB, toB]))).toMatchObject({ status: 'sent' });
    expect((await f.bg.db.get('messages', [roomB, toB]))?.notSent).toBeUndefined();

    // A's room waits, in words.
    const laterA = await queue(roomA, 'to A again');
    a.inFlight.clear();
    await flushOutbox(f.bg, a, roomA);
    expect(socket(a).sent.filter((s) => s.type === 'CHATMSG')).toHaveLength(1);
    expect((await f.bg.db.get('messages', [roomA, heldA]))?.notSent?.reason).toMatch(/stored as much on this relay today/);
    expect(laterA).toBeTruthy();
  });
});

describe('joining', () => {
  it('through an invite joins on the invite\'s relay, on its own socket, and remembers that relay', async () => {
    const code = newRoomCode();
    const { roomId } = await deriveRoomKeys(code);
    const RELAY_C = 'wss://c.relay.test';
    await joinRoom(f.bg, { type: 'join-room', code: inviteLink(RELAY_C, code), name: '' }, f.view());
    const c = f.bg.links.get(RELAY_C)!;
    expect(socket(c).sent).toEqual([{ type: 'ENTERROOM', room: roomId, since: 0 }]);
    expect(f.sent.filter((s) => s.type === 'ENTERROOM')).toEqual([]);
    await handleRelayFrame(f.bg, c, room(roomId));
    expect(await f.bg.db.get('rooms', roomId)).toMatchObject({ relayUrl: RELAY_C });
    expect(await loadKnownRelays(f.bg.db)).toContain(RELAY_C);
    expect(f.posted.at(-1)).toEqual({ type: 'room-ready', roomId, code: formatRoomCode(code), created: false });
  });

  it('a bare code joins on the default relay', async () => {
    const code = newRoomCode();
    const { roomId } = await deriveRoomKeys(code);
    await joinRoom(f.bg, { type: 'join-room', code: formatRoomCode(code), name: '' }, f.view());
    expect(f.sent).toEqual([{ type: 'ENTERROOM', room: roomId, since: 0 }]);
    expect(f.bg.pendingJoins.get(roomId)?.record.relayUrl).toBe(RELAY);
  });

  it('a room already in the list: ready on its own relay, refused in words naming its relay on another', async () => {
    await joinRoom(f.bg, { type: 'join-room', code: inviteLink(RELAY, f.code), name: '' }, f.view());
    expect(f.posted.at(-1)).toEqual({ type: 'room-ready', roomId: roomA, code: formatRoomCode(f.code), created: false });
    await joinRoom(f.bg, { type: 'join-room', code: inviteLink(RELAY_B, f.code), name: '' }, f.view());
    expect(f.posted.at(-1)).toEqual({
      type: 'error', code: 'ROOM_ON_OTHER_RELAY',
      message: `You are already in this room on ${RELAY}, not on ${RELAY_B}. Open it from your room list.`,
    });
    expect(f.bg.pendingJoins.size).toBe(0);
  });

  it('says what is wrong with an invite link as BAD_INVITE, and with a code as BAD_ROOM_CODE', async () => {
    await joinRoom(f.bg, { type: 'join-room', code: 'https://b.relay.test/join#', name: '' }, f.view());
    expect(f.posted.at(-1)).toMatchObject({ type: 'error', code: 'BAD_INVITE' });
    await joinRoom(f.bg, { type: 'join-room', code: 'http://relay.example/join#' + formatRoomCode(f.code), name: '' }, f.view());
    expect(f.posted.at(-1)).toMatchObject({ type: 'error', code: 'BAD_INVITE' });
    await joinRoom(f.bg, { type: 'join-room', code: 'ABCD', name: '' }, f.view());
    expect(f.posted.at(-1)).toMatchObject({ type: 'error', code: 'BAD_ROOM_CODE' });
  });
});

describe('the default relay', () => {
  it('is for new rooms: changing it moves no room and keeps the old relay in use', async () => {
    await saveSettings(f.bg, { type: 'save-settings', settings: { ...DEFAULT_SETTINGS, relayUrl: 'ws://127.0.0.1:2' } }, f.view());
    await createRoom(f.bg, { type: 'create-room', name: '' }, f.view());
    const created = f.posted.find((m) => m.type === 'room-ready')!;
    const newRoom = created.type === 'room-ready' ? created.roomId : '';
    expect(await f.bg.db.get('rooms', newRoom)).toMatchObject({ relayUrl: 'ws://127.0.0.1:2' });
    expect(await f.bg.db.get('rooms', roomA)).toMatchObject({ relayUrl: RELAY });
    expect(await relaysInUse(f.bg)).toEqual(new Set([RELAY, RELAY_B, 'ws://127.0.0.1:2']));
    expect(f.bg.links.get(RELAY)).toBe(a);
    expect(socket(a).stopped).toBe(false);
  });

  it('a version 2 database keeps its rooms on the relay that was the default then', async () => {
    const name = `v2-${Math.random()}`;
    // Version 2 as it shipped: created by hand here, not by the code under test.
    const v2 = await openDB(name, 2, {
      upgrade(db) {
        db.createObjectStore('rooms', { keyPath: 'roomId' });
        db.createObjectStore('messages', { keyPath: ['roomId', 'id'] }).createIndex('byOrder', ['roomId', 'order', 'id']);
        db.createObjectStore('outbox', { keyPath: ['roomId', 'id'] }).createIndex('byRoom', 'roomId');
        db.createObjectStore('settings');
        db.createObjectStore('identity');
        db.createObjectStore('senders', { keyPath: ['roomId', 'nick'] });
      },
    });
    await v2.put('rooms', { roomId: 'r1', code: 'C1', name: 'One', joinedAt: 1, lastSeq: 4, unread: 2 });
    await v2.put('rooms', { roomId: 'r2', code: 'C2', name: 'Two', joinedAt: 2, lastSeq: 0, unread: 0 });
    await v2.put('outbox', { roomId: 'r1', id: 'm2', body: 'sealed', queuedAt: 2 });
    await v2.put('settings', { nickname: 'Bob', relayUrl: 'wss://old.relay.test' }, 'settings');
    v2.close();

    const db = await openParleyDb(name);
    expect(db.version).toBe(5);
    expect(await db.getAll('rooms')).toEqual([
      { roomId: 'r1', code: 'C1', name: 'One', joinedAt: 1, lastSeq: 4, unread: 2, relayUrl: 'wss://old.relay.test' },
      { roomId: 'r2', code: 'C2', name: 'Two', joinedAt: 2, lastSeq: 0, unread: 0, relayUrl: 'wss://old.relay.test' },
    ]);
    expect(await db.count('outbox')).toBe(1);
    // A new default later does not move them.
    const { bg } = testBackground(db);
    bg.mem = await loadMemory(db); // a worker starting on the upgraded database
    await saveSettings(bg, { type: 'save-settings', settings: { ...DEFAULT_SETTINGS, nickname: 'Bob', relayUrl: 'ws://127.0.0.1:3' } }, { port: null } as never);
    expect(await relaysInUse(bg)).toEqual(new Set(['wss://old.relay.test']));
  });
});

describe('the connection summed over relays', () => {
  it('is online only when every relay is, offline when none is in use', () => {
    expect(overall([])).toBe('offline');
    expect(overall(['online', 'online'])).toBe('online');
    expect(overall(['online', 'connecting'])).toBe('connecting');
    expect(overall(['online', 'offline'])).toBe('connecting');
  });
});
