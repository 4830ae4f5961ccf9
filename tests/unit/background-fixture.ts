// A background over an in-memory IndexedDB with stand-in relay sockets (one per relay) that record
// what they were asked to send. Only for unit tests of the background's handlers.
import 'fake-indexeddb/auto';
import type { Background, ViewPort } from '../../src/background/context.ts';
import { DEFAULT_SETTINGS, openParleyDb, type Db } from '../../src/background/db.ts';
import type { RelayLink } from '../../src/background/relay-link.ts';
import { RelayLinks } from '../../src/background/relay-links.ts';
import { emptyMemory, loadMemory, roomStored } from '../../src/background/memory.ts';
import { deriveRoomKeys, sealMessage, type RoomKeys } from '../../src/shared/crypto.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { ChatDeliverFrame, ClientToRelay } from '../../src/shared/protocol.ts';
import { newRoomCode, type RoomCode } from '../../src/shared/room-code.ts';
import type { BackgroundToView } from '../../src/shared/view-messages.ts';

let dbCount = 0;

/** The default relay of every fixture, and where its first room lives. */
export const RELAY = 'ws://127.0.0.1:1';

/** A stand-in for one relay's socket: open, online, and keeping what it was asked to send. */
export interface FakeSocket {
  url: string;
  sent: ClientToRelay[];
  isOpen: boolean;
  status: 'online' | 'connecting' | 'offline';
  lastClose: null;
  retryAt: null;
  stopped: boolean;
  send(frame: ClientToRelay): boolean;
  want(url: string): void;
  stop(): void;
  retryNow(): void;
  heard(): void;
}

function fakeSocket(url: string): FakeSocket {
  const socket: FakeSocket = {
    url, sent: [], isOpen: true, status: 'online', lastClose: null, retryAt: null, stopped: false,
    send: (frame) => (socket.isOpen ? (socket.sent.push(frame), true) : false),
    want: () => {},
    stop: () => {
      socket.stopped = true;
      socket.isOpen = false;
      socket.status = 'offline';
    },
    retryNow: () => {},
    heard: () => {},
  };
  return socket;
}

/** A background with no relay link yet; `sockets` gets every socket a link opens, by relay. */
export function testBackground(db: Db, posted: BackgroundToView[] = []): { bg: Background; sockets: Map<string, FakeSocket>; settled: () => Promise<void> } {
  const sockets = new Map<string, FakeSocket>();
  const tasks: Promise<void>[] = [];
  const bg: Background = {
    db,
    // A test that writes the database itself reloads this after (as a worker start does).
    mem: emptyMemory(),
    links: new RelayLinks((url) => {
      const socket = fakeSocket(url);
      sockets.set(url, socket);
      return socket as unknown as RelayLink['socket'];
    }),
    keys: new Map(), views: new Set(), pendingJoins: new Map(), overlayRooms: new Map(), overlayHosts: new Map(), lastRoomId: null,
    retryOutboxes: () => {}, refresh: () => {},
    // Not serial here: a test awaits what it started (settled()).
    run: (task) => void tasks.push(task(bg)),
    post: (_v, m) => void posted.push(m),
    postToWatchers: (_r, m) => void posted.push(m),
  };
  // Every task bg.run started (timers'), including those they started in turn, has finished.
  const settled = async () => {
    for (let done = 0; done < tasks.length; done = tasks.length) await Promise.all(tasks.slice(done));
  };
  return { bg, sockets, settled };
}

export interface Fixture {
  bg: Background;
  keys: RoomKeys;
  code: RoomCode;
  /** The link to RELAY, where the fixture's room lives. */
  link: RelayLink;
  /** What was sent on RELAY's socket. */
  sent: ClientToRelay[];
  sockets: Map<string, FakeSocket>;
  /** Everything posted to views, in order. */
  posted: BackgroundToView[];
  incoming(text: string, seq: number, id?: string): Promise<ChatDeliverFrame>;
  view(): ViewPort;
  /** Stores a new room on `relayUrl` (RELAY by default); returns its id. */
  storedRoom(relayUrl?: string, lastSeq?: number): Promise<string>;
  /** Every task run through bg.run (a timer's) has finished. */
  settled(): Promise<void>;
}

export async function backgroundFixture(): Promise<Fixture> {
  const posted: BackgroundToView[] = [];
  const code = newRoomCode();
  const keys = await deriveRoomKeys(code);
  const { bg, sockets, settled } = testBackground(await openParleyDb(`fixture-${++dbCount}-${Math.random()}`), posted);
  bg.keys.set(keys.roomId, keys);
  await bg.db.put('settings', { ...DEFAULT_SETTINGS, nickname: '', relayUrl: RELAY }, 'settings');
  await bg.db.put('rooms', { roomId: keys.roomId, code, name: 'r', joinedAt: 0, lastSeq: 0, unread: 0, relayUrl: RELAY });
  bg.mem = await loadMemory(bg.db);
  const link = bg.links.open(RELAY);
  return {
    bg, keys, code, link, sent: sockets.get(RELAY)!.sent, sockets, posted, settled,
    async incoming(text, seq, id = newMessageId()) {
      const body = await sealMessage(keys, id, { v: 1, text, nick: 'Peer', sentAt: 1 });
      if (!body.ok) throw new Error('seal');
      return { type: 'CHATMSG', room: keys.roomId, id, body: body.value, from: 'p0000000000000000', seq, at: 2 };
    },
    view: () => ({ port: null, kind: 'popup', watching: null, tabId: null }) as unknown as ViewPort,
    async storedRoom(relayUrl = RELAY, lastSeq = 0) {
      const roomCode = newRoomCode();
      const roomKeys = await deriveRoomKeys(roomCode);
      bg.keys.set(roomKeys.roomId, roomKeys);
      const record = { roomId: roomKeys.roomId, code: roomCode, name: 'x', joinedAt: 1, lastSeq, unread: 0, relayUrl };
      await bg.db.put('rooms', record);
      roomStored(bg, record);
      return roomKeys.roomId;
    },
  };
}
