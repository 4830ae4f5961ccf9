import type { Runtime } from 'webextension-polyfill';
import type { RoomKeys } from '../shared/crypto.ts';
import type { BackgroundToView } from '../shared/view-messages.ts';
import type { Db, RoomRecord } from './db.ts';
import type { RelayLink } from './relay-link.ts';
import type { Memory } from './memory.ts';
import type { RelayLinks } from './relay-links.ts';
import type { DirectState } from './direct-path.ts';

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
  /** Sockets to its relay that failed to open while it waited (join-bounds.ts). */
  failedOpens: number;
}

/**
 * Everything handlers share. Only `db` is the truth (`mem` mirrors part of it); the rest is rebuilt after the service
 * worker is killed (keys from codes, links from the rooms' relays, membership from ROOM answers).
 */
export interface Background {
  db: Db;
  /** What hot paths read instead of IndexedDB, rebuilt from it on worker start (memory.ts). */
  mem: Memory;
  /** One link per relay in use, each with its own socket and connection state (relay-link.ts). */
  links: RelayLinks;
  keys: Map<string, RoomKeys>;
  views: Set<ViewPort>;
  /** Joins waiting for their relay's answer; each record names that relay. */
  pendingJoins: Map<string, PendingJoin>;
  overlayRooms: Map<number, string>;
  /** The content script around each open overlay, by tab: the channel that closes it. */
  overlayHosts: Map<number, Runtime.Port>;
  /** Tabs whose overlay is minimised to its bubble: their room collects unread lines (overlay-place.ts). */
  overlayMinimised?: Set<number>;
  lastRoomId: string | null;
  /** The direct path's connections and offscreen document (direct-path.ts); made when first needed. */
  direct?: DirectState;
  /** Sends every room's unacked messages on `link` again, through the serial queue. */
  retryOutboxes(link: RelayLink): void;
  /** Runs `task` in the serial queue, as every handler does: for timers, which would otherwise interleave. */
  run(task: (bg: Background) => Promise<void>): void;
  /** Re-sends state and badge; coalesced so a burst of frames costs one update. */
  refresh(): void;
  post(view: ViewPort, message: BackgroundToView): void;
  postToWatchers(roomId: string, message: BackgroundToView): void;
}
