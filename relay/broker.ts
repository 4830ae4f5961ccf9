import type { EphemeralDeliverFrame, PeerId, RelayToClient, RoomIdText } from '../src/shared/protocol.ts';
import type { AppendResult, NewMessage, StoredMessage, StoreStats } from './history-store.ts';
import type { Membership, Peer } from './peer.ts';

/**
 * Everything a handler may do to rooms, through one interface, so no handler knows whether the
 * relay runs alone (relay/local-broker.ts: SQLite, the default) or as one of many instances on a
 * shared engine (relay/redis-broker.ts: Redis, with REDIS_URL; relay/open-broker.ts picks one).
 * Every method may complete later, so the
 * guarantees below are the broker's to keep, not a side effect of synchronous handlers:
 *
 * - Per-room order: a room's messages get seq 1, 2, 3, … with no repeat and no hole, assigned by
 *   the broker where the room's history lives; every member gets them in seq order.
 * - An ack promises "stored": publish() resolves only after the message is committed where every
 *   instance reads history from (SQLite: the transaction is in the WAL file, which survives a crash
 *   of the relay process; Redis: the publish script ran, see docs/protocol.md "Several instances on
 *   Redis"), and only then may ACK go to the sender or CHATMSG to anyone. A message
 *   that fails to commit is answered INTERNAL, never acked, so the sender's outbox retries it.
 * - Gap-free replay, then live: a member's Membership is not live while its replay runs, and live
 *   fan-out skips it; the replay reads what was stored meanwhile. readPage() tells the caller the
 *   head with the page, and a caller that goes live after a short page must do so before anything
 *   else runs (the local broker commits only in a task of its own, never in a microtask, so the
 *   continuation of an awaited readPage is still current). Fan-out also skips any seq at or below
 *   membership.delivered, so a message is never delivered twice whatever the timing; a broker whose
 *   fan-out can outrun its reads (Redis pub/sub) fills a seq above delivered + 1 from history first.
 * - Dedup by (room, id) over the retained history: a resent id resolves with the original seq and
 *   time (duplicate: true) and goes to nobody.
 * - Epoch: a room's numbering has an epoch (its creation time); a room forgotten, or a store that
 *   lost its data, starts again at 1 with a new epoch, which join() reports to the client.
 *
 * Callers keep one frame of a connection in flight at a time (relay/frame-queue.ts): a connection's
 * frames are handled in order, each to its end, before the next.
 */
export interface Broker {
  /** True when the room has members or is stored: ENTERROOM may join it. */
  roomExists(room: RoomIdText): Promise<boolean>;
  memberCount(room: RoomIdText): Promise<number>;
  /**
   * Creates the room if missing, makes `peer` a member with `membership` (a rejoin replaces the
   * old one) and, when `announce`, tells the other members JOINED.
   */
  join(room: RoomIdText, peer: Peer, membership: Membership, announce: boolean): Promise<JoinAnswer>;
  /** Takes `peer` out of the room and tells the others LEFT; nothing when it was not a member. */
  leave(room: RoomIdText, peer: Peer): void;
  /**
   * Stores the message (or finds its duplicate) and, once committed, fans a new one out to the
   * room's live members but the sender. `admit` is asked, with the stored size, only for a message
   * that would be stored; when it says no nothing changes and the result is undefined.
   */
  publish(room: RoomIdText, sender: Peer, message: NewMessage, admit: (bytes: number) => boolean): Promise<AppendResult | undefined>;
  /** Retained messages with seq > afterSeq, oldest first, and the room's head as of that read. */
  readPage(room: RoomIdText, afterSeq: number, limit: number): Promise<{ readonly messages: StoredMessage[]; readonly head: number }>;
  /** Sends to one member of the room by id; false when there is no such member. */
  sendTo(room: RoomIdText, to: PeerId, frame: RelayToClient): Promise<boolean>;
  /**
   * Hands an EPHEMERAL frame to the room's live members but the sender, on every instance, storing
   * nothing; a member with unsent bytes does not get it (docs/protocol.md, "Ephemeral broadcasts").
   */
  broadcastEphemeral(room: RoomIdText, sender: Peer, frame: EphemeralDeliverFrame): Promise<void>;
  /** Rooms with members on this relay instance. */
  readonly localRooms: number;
  /** Running totals of the store, for /metrics. */
  stats(): StoreStats;
  /** Drops expired messages and forgets idle rooms without members (docs/protocol.md, "Retention and storage"). */
  prune(now: number): Promise<{ messages: number; rooms: number }>;
  /** Why this instance cannot serve now (its store is unreachable), for /healthz; undefined when it can. */
  unavailable?(): string | undefined;
  /** Commits what is pending, then lets go of the store. */
  close(): Promise<void>;
}

export interface JoinAnswer {
  readonly created: boolean;
  readonly head: number;
  readonly epoch: number;
  /** The other members. */
  readonly members: PeerId[];
}
