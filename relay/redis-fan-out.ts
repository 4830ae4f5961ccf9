import { encodeFrame } from '../src/shared/codec.ts';
import type { PeerId, RoomIdText } from '../src/shared/protocol.ts';
import { toChatFrame, type StoredMessage } from './history-store.ts';
import type { Logger } from './log.ts';
import { errorText } from './log.ts';
import type { Membership, Peer } from './peer.ts';
import { wireFrame, type WireFrame } from './wire-frame.ts';

/** Messages read from the room's stream per round of a gap fill. */
const FILL_PAGE = 64;
/** A fill, like a replay (relay/replay.ts), takes at most this share of each buffer bound. */
const FILL_SHARE = 0.5;

export interface LocalMember {
  readonly peer: Peer;
  readonly membership: Membership;
  /** A fill is reading the stream for this member; live messages wait in the stream meanwhile. */
  filling: boolean;
}

/** One room with members on this instance: who they are and what this instance knows of the room. */
export class LocalRoom {
  readonly members = new Map<PeerId, LocalMember>();
  /** The numbering this instance's members were given (0: not known yet). */
  epoch = 0;
  /** The highest seq this instance knows was stored in this epoch. */
  head = 0;
  /** Peers whose join is under way; the room is not let go (unsubscribed) while there are any. */
  readonly joining = new Set<PeerId>();
  /**
   * Per joining peer, JOINED/LEFT heard after its register's snapshot (undefined: its own JOINED or
   * `r` has not come yet, so what is heard is older than the snapshot), for its ROOM's member list.
   */
  readonly heard = new Map<PeerId, { kind: 'joined' | 'left'; peer: PeerId }[] | undefined>();
  /** Pub/sub brought a message of another epoch and Redis is being asked which one is current. */
  checkingEpoch = false;
  /** A failed fill's retry for the room's live members (relay/redis-broker.ts); one at most. */
  fillRetry: NodeJS.Timeout | undefined;
  constructor(readonly room: RoomIdText, readonly subscribed: Promise<unknown>) {}
}

type ReadPage = (room: RoomIdText, afterSeq: number, limit: number) => Promise<{ messages: StoredMessage[]; head: number }>;

/**
 * Per-member in-order delivery of a room's messages as they come from pub/sub. Redis publishes in
 * seq order, but a member can still miss seqs: its replay read the stream at one instant and pub/sub
 * ran ahead of it, or the subscription dropped. A member is given seq s only when s is delivered + 1;
 * a seq beyond that is a hole, filled from the stream (in order, up to the newest head this instance
 * knows) before anything else goes to that member, so nothing queues in memory: what arrives during
 * a fill is read back from the stream. Seqs the stream no longer holds become a GAP, as in a replay.
 */
export class RedisFanOut {
  /**
   * Reads in flight, by room and afterSeq: one missed pub/sub message leaves every live member of
   * the room with the same hole, and they share one read of it rather than one read each.
   */
  readonly #reads = new Map<string, { readonly limit: number; readonly page: ReturnType<ReadPage> }>();

  constructor(
    private readonly readPage: ReadPage,
    private readonly log: Logger,
    private readonly frameBytes: number,
    /** A fill's read failed: the member is left behind the head until someone fills it again. */
    private readonly onFillFailed: (room: LocalRoom) => void = () => {},
  ) {}

  #read(room: RoomIdText, afterSeq: number, limit: number): ReturnType<ReadPage> {
    const key = `${room} ${afterSeq}`;
    const shared = this.#reads.get(key);
    if (shared !== undefined && shared.limit >= limit) return shared.page;
    const page = this.readPage(room, afterSeq, limit);
    const entry = { limit, page };
    this.#reads.set(key, entry);
    const forget = () => {
      if (this.#reads.get(key) === entry) this.#reads.delete(key);
    };
    page.then(forget, forget);
    return page;
  }

  /** A stored message from pub/sub: `data` is the encoded CHATMSG, the same bytes for every member. */
  deliver(room: LocalRoom, seq: number, from: PeerId, data: Buffer): void {
    if (seq > room.head) room.head = seq;
    // Framed for the wire once, on first use, as local fan-out does (relay/wire-frame.ts).
    let frame: WireFrame | undefined;
    for (const member of room.members.values()) {
      const { membership, peer } = member;
      if (!membership.live || seq <= membership.delivered || member.filling) continue;
      if (seq === membership.delivered + 1) {
        membership.delivered = seq;
        if (peer.id !== from) peer.sendEncoded((frame ??= wireFrame(data)));
      } else void this.fill(room, member);
    }
  }

  /** Brings every live member of the room (that is not filling already) up to the room's head. */
  catchUp(room: LocalRoom): void {
    for (const member of room.members.values()) if (member.membership.live) void this.fill(room, member);
  }

  /**
   * relay/replay.ts turns a member live straight after its last read, but pub/sub may have brought
   * newer seqs while it was not live, and those were skipped: so the moment it goes live, it is
   * filled up to the head this instance knows. The flag stays a plain field for every reader.
   */
  watchLive(room: LocalRoom, member: LocalMember): void {
    let live = member.membership.live;
    Object.defineProperty(member.membership, 'live', {
      enumerable: true,
      configurable: true,
      get: () => live,
      set: (value: boolean) => {
        live = value;
        if (value && room.head > member.membership.delivered) queueMicrotask(() => void this.fill(room, member));
      },
    });
  }

  async fill(room: LocalRoom, member: LocalMember): Promise<void> {
    const { peer, membership } = member;
    if (member.filling) return;
    member.filling = true;
    let failed = false;
    const current = () => membership.live && peer.open && room.members.get(peer.id) === member && peer.rooms.get(room.room) === membership;
    try {
      while (current() && membership.delivered < room.head) {
        // Paced by the socket as a replay is, so a long hole never sits in relay memory; a reader
        // that stops reading is cut by the stall sweep, which ends the wait.
        let fits = Math.min(FILL_PAGE, Math.floor(peer.sendRoom(FILL_SHARE) / this.frameBytes));
        if (fits < 1 && peer.queuedBytes === 0 && peer.sendRoom() >= this.frameBytes) fits = 1;
        if (fits < 1) {
          await peer.whenFreed(FILL_SHARE);
          continue;
        }
        const page = await this.#read(room.room, membership.delivered, fits);
        const { head } = page;
        const messages = page.messages.slice(0, fits);
        if (!current()) return;
        if (head > room.head) room.head = head;
        const first = messages[0]?.seq ?? head + 1;
        if (first > membership.delivered + 1) {
          const to = Math.min(first - 1, head);
          if (to > membership.delivered) peer.send({ type: 'GAP', room: room.room, from: membership.delivered + 1, to });
          membership.delivered = to;
        }
        for (const message of messages) {
          if (message.seq <= membership.delivered) continue;
          membership.delivered = message.seq;
          if (message.from !== peer.id && !peer.sendEncoded(Buffer.from(encodeFrame(toChatFrame(message))))) return;
        }
        // A head below what this instance saw means the numbering began again; the epoch check handles it.
        if (messages.length === 0 && head <= membership.delivered) return;
      }
    } catch (error) {
      // Nothing later may come to reveal the hole again (the last message of a burst), so the
      // broker fills the room again: at once after a reconnect, or later after a timeout.
      this.log.error('redis_fill_failed', { room: room.room, error: errorText(error) });
      failed = true;
    } finally {
      member.filling = false;
    }
    if (failed) this.onFillFailed(room);
  }
}
