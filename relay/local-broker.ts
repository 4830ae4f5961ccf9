import { encodeFrame } from '../src/shared/codec.ts';
import type { EphemeralDeliverFrame, PeerId, RelayToClient, RoomIdText } from '../src/shared/protocol.ts';
import type { Broker, JoinAnswer } from './broker.ts';
import type { AppendResult, HistoryStore, NewMessage, PendingAppend, StoredMessage, StoreStats } from './history-store.ts';
import type { Membership, Peer } from './peer.ts';
import { RoomRegistry } from './room-registry.ts';
import { wireFrame } from './wire-frame.ts';

interface Waiting extends PendingAppend {
  readonly sender: Peer;
  readonly resolve: (result: AppendResult | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The single-process broker: members in memory, history in the SQLite store. Appends are
 * committed in groups: every message that arrives in one event-loop turn is appended in one
 * transaction at the end of the turn (setImmediate), and only after its commit are the messages
 * fanned out, in seq order, and their senders acked. A connection has at most one frame in flight
 * (relay/frame-queue.ts), so a group holds at most one message per connection.
 */
export class LocalBroker implements Broker {
  readonly #registry = new RoomRegistry();
  #waiting: Waiting[] = [];
  #scheduled = false;
  readonly #isLive = (room: RoomIdText): boolean => this.#registry.has(room);

  constructor(private readonly history: HistoryStore) {}

  get localRooms(): number {
    return this.#registry.size;
  }

  roomExists(room: RoomIdText): Promise<boolean> {
    return Promise.resolve(this.#registry.has(room) || this.history.hasRoom(room));
  }

  memberCount(room: RoomIdText): Promise<number> {
    return Promise.resolve(this.#registry.memberCount(room));
  }

  join(room: RoomIdText, peer: Peer, membership: Membership, announce: boolean): Promise<JoinAnswer> {
    const created = this.history.openRoom(room, Date.now(), this.#isLive);
    this.#registry.add(room, peer, membership);
    if (announce) this.#registry.broadcast(room, { type: 'JOINED', room, peer: peer.id }, peer);
    return Promise.resolve({
      created,
      head: this.history.head(room),
      epoch: this.history.epoch(room),
      members: this.#registry.otherMembers(room, peer),
    });
  }

  leave(room: RoomIdText, peer: Peer): void {
    if (!this.#registry.remove(room, peer)) return;
    this.#registry.broadcast(room, { type: 'LEFT', room, peer: peer.id }, peer);
  }

  publish(room: RoomIdText, sender: Peer, message: NewMessage, admit: (bytes: number) => boolean): Promise<AppendResult | undefined> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ room, message, admit, sender, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      // A task, not a microtask: a replay's awaited read stays current until its continuation ran.
      setImmediate(this.#commit);
    });
  }

  readPage(room: RoomIdText, afterSeq: number, limit: number): Promise<{ messages: StoredMessage[]; head: number }> {
    return Promise.resolve({ messages: this.history.readAfter(room, afterSeq, limit), head: this.history.head(room) });
  }

  broadcastEphemeral(room: RoomIdText, sender: Peer, frame: EphemeralDeliverFrame): Promise<void> {
    this.#registry.broadcastEphemeral(room, wireFrame(Buffer.from(encodeFrame(frame))), sender.id);
    return Promise.resolve();
  }

  sendTo(room: RoomIdText, to: PeerId, frame: RelayToClient): Promise<boolean> {
    const target = this.#registry.member(room, to);
    return Promise.resolve(target !== undefined && (target.send(frame), true));
  }

  stats(): StoreStats {
    return this.history.stats();
  }

  prune(now: number): Promise<{ messages: number; rooms: number }> {
    return Promise.resolve(this.history.prune(now, this.#isLive));
  }

  close(): Promise<void> {
    this.#commit();
    this.history.close();
    return Promise.resolve();
  }

  readonly #commit = (): void => {
    this.#scheduled = false;
    const group = this.#waiting;
    if (group.length === 0) return;
    this.#waiting = [];
    let results: (AppendResult | undefined)[];
    try {
      results = this.history.appendBatch(group, Date.now(), this.#isLive);
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
      return;
    }
    for (let i = 0; i < group.length; i++) {
      const result = results[i];
      const waiting = group[i]!;
      if (result !== undefined && !result.duplicate) this.#registry.fanOut(waiting.room, result.message, waiting.sender);
      waiting.resolve(result);
    }
  };
}
