import type { ErrorCode } from '../shared/protocol.ts';
import type { RelaySocket } from './relay-socket.ts';
import { newWireLedger, type WireLedger } from './unanswered.ts';
import type { RoomPresence } from './presence.ts';
import { resetReceipts } from './receipts.ts';
import { resetPacer } from './ephemeral-pacer.ts';

/**
 * One relay in use and everything that belongs to its connection. Rooms on other relays never
 * see this state: a frame is handled with the link it came from (relay-frames/index.ts).
 */
export interface RelayLink {
  /** The relay's address, as stored on its rooms (RoomRecord.relayUrl). */
  readonly url: string;
  /** The socket every room on this relay shares. */
  readonly socket: Pick<RelaySocket, 'send' | 'isOpen' | 'status' | 'lastClose' | 'retryAt' | 'want' | 'stop' | 'retryNow' | 'heard'>;
  /** Rooms whose replay has finished on the current connection: safe to flush the outbox. */
  synced: Set<string>;
  /** Per room, the outbox ids sent on the current connection and not yet acked. */
  inFlight: Map<string, Set<string>>;
  /** Our chat frames the relay has not answered on the current connection (unanswered.ts). */
  wire: WireLedger;
  members: Map<string, number>;
  /** Per room, the relay's last seq when it let us in on this connection (ROOM's `head`): where its replay ends. */
  heads: Map<string, number>;
  /** Per room, who is in it and who is typing on the current connection (presence.ts). */
  presence: Map<string, RoomPresence>;
  /** Rooms the relay refused to let us into on this connection (ROOM_FULL, TOO_MANY_ROOMS), by room. */
  roomProblems: Map<string, ErrorCode>;
  /** Rooms per connection this relay allows, learned from its first TOO_MANY_ROOMS; null until then. */
  roomLimit: number | null;
  /**
   * Per room, the lastSeq it was last asked again from on this connection (join.ts, askAgain):
   * asked again only once lastSeq has moved, so a write that keeps failing is not fetched forever.
   */
  askedAgain: Map<string, number>;
  /** Until when this relay's outbox waits (DAILY_QUOTA), cached from the outbox records; undefined until read. */
  outboxHold?: { until: number };
  /** The pending retry after RATE_LIMITED or INTERNAL (outbox.ts, scheduleOutboxRetry). */
  retryTimer?: ReturnType<typeof setTimeout>;
}

export function newRelayLink(url: string, socket: RelayLink['socket']): RelayLink {
  return {
    url, socket, synced: new Set(), inFlight: new Map(), wire: newWireLedger(), members: new Map(), heads: new Map(), presence: new Map(),
    roomProblems: new Map(), roomLimit: null, askedAgain: new Map(),
  };
}

/** A new connection on this link: what the last one knew about rooms no longer holds. */
export function resetConnection(link: RelayLink): void {
  link.synced.clear();
  link.inFlight.clear();
  link.wire = newWireLedger();
  link.members.clear();
  link.heads.clear();
  link.presence.clear();
  resetReceipts(link);
  resetPacer(link);
  link.askedAgain.clear();
}
