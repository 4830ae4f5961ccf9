// A background over an in-memory IndexedDB with a stand-in relay socket that records what it was
// asked to send. Only for unit tests of the background's handlers.
import 'fake-indexeddb/auto';
import type { Background, ViewPort } from '../../src/background/context.ts';
import { openParleyDb } from '../../src/background/db.ts';
import type { RelaySocket } from '../../src/background/relay-socket.ts';
import { newWireLedger } from '../../src/background/unanswered.ts';
import { deriveRoomKeys, sealMessage, type RoomKeys } from '../../src/shared/crypto.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { ChatDeliverFrame, ClientToRelay } from '../../src/shared/protocol.ts';
import { newRoomCode } from '../../src/shared/room-code.ts';
import type { BackgroundToView } from '../../src/shared/view-messages.ts';

let dbCount = 0;

export interface Fixture {
  bg: Background;
  keys: RoomKeys;
  sent: ClientToRelay[];
  /** Everything posted to views, in order. */
  posted: BackgroundToView[];
  incoming(text: string, seq: number, id?: string): Promise<ChatDeliverFrame>;
  view(): ViewPort;
}

export async function backgroundFixture(): Promise<Fixture> {
  const sent: ClientToRelay[] = [];
  const posted: BackgroundToView[] = [];
  const code = newRoomCode();
  const keys = await deriveRoomKeys(code);
  const relay = { isOpen: true, status: 'online', send: (f: ClientToRelay) => (sent.push(f), true) } as unknown as RelaySocket;
  const bg: Background = {
    db: await openParleyDb(`fixture-${++dbCount}-${Math.random()}`), relay, keys: new Map([[keys.roomId, keys]]), views: new Set(),
    pendingJoins: new Map(), synced: new Set(), inFlight: new Map(), wire: newWireLedger(), members: new Map(), overlayRooms: new Map(), overlayHosts: new Map(),
    lastRoomId: null, roomProblems: new Map(), roomLimit: null,
    retryOutboxes: () => {}, refresh: () => {},
    post: (_v, m) => void posted.push(m),
    postToWatchers: (_r, m) => void posted.push(m),
  };
  await bg.db.put('rooms', { roomId: keys.roomId, code, name: 'r', joinedAt: 0, lastSeq: 0, unread: 0 });
  return {
    bg, keys, sent, posted,
    async incoming(text, seq, id = newMessageId()) {
      const body = await sealMessage(keys, id, { v: 1, text, nick: 'Peer', sentAt: 1 });
      if (!body.ok) throw new Error('seal');
      return { type: 'CHATMSG', room: keys.roomId, id, body: body.value, from: 'p0000000000000000', seq, at: 2 };
    },
    view: () => ({ port: null, kind: 'popup', watching: null, tabId: null }) as unknown as ViewPort,
  };
}
