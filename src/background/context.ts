import type { Runtime } from 'webextension-polyfill';
import type { RoomKeys } from '../shared/crypto.ts';
import type { ErrorCode } from '../shared/protocol.ts';
import type { BackgroundToView } from '../shared/view-messages.ts';
import type { Db, RoomRecord } from './db.ts';
import type { RelaySocket } from './relay-socket.ts';
import type { WireLedger } from './unanswered.ts';

/** A view's port and the room it is looking at; a watched room collects no unread count. */
export interface ViewPort {
  port: Runtime.Port;
  kind: 'popup' | 'overlay';
  watching: string | null;
  tabId: number | null;
}

/** A join the user asked for that the relay has not answered yet. */
export interface PendingJoin {
  record: RoomRecord;
  view: ViewPort | null;
}

/**
 * Everything handlers share. Only `db` is the truth; the rest is rebuilt after the service
 * worker is killed (keys from codes, membership from the relay's ROOM answers).
 */
export interface Background {
  db: Db;
  relay: RelaySocket;
  keys: Map<string, RoomKeys>;
  views: Set<ViewPort>;
  pendingJoins: Map<string, PendingJoin>;
  /** Rooms whose replay has finished on the current connection: safe to flush the outbox. */
  synced: Set<string>;
  /** Per room, the outbox ids sent on the current connection and not yet acked. */
  inFlight: Map<string, Set<string>>;
  /** Our chat frames the relay has not answered on the current connection (unanswered.ts). */
  wire: WireLedger;
  members: Map<string, number>;
  overlayRooms: Map<number, string>;
  /** The content script around each open overlay, by tab: the channel that closes it. */
  overlayHosts: Map<number, Runtime.Port>;
  lastRoomId: string | null;
  /** Rooms the relay refused to let us into on this connection (ROOM_FULL, TOO_MANY_ROOMS), by room. */
  roomProblems: Map<string, ErrorCode>;
  /** Rooms per connection the current relay allows, learned from its first TOO_MANY_ROOMS; null until then. */
  roomLimit: number | null;
  /** Until when the outbox waits (DAILY_QUOTA), cached from the outbox records; undefined until read. */
  outboxHold?: { until: number };
  /** Sends every room's unacked messages again, through the serial queue. */
  retryOutboxes(): void;
  /** Re-sends state and badge; coalesced so a burst of frames costs one update. */
  refresh(): void;
  post(view: ViewPort, message: BackgroundToView): void;
  postToWatchers(roomId: string, message: BackgroundToView): void;
}
