import type { Redis } from 'ioredis';
import { randomBase32 } from '../src/shared/base32.ts';
import { encodeFrame } from '../src/shared/codec.ts';
import type { EphemeralDeliverFrame, PeerId, RelayToClient, RoomIdText } from '../src/shared/protocol.ts';
import type { Broker, JoinAnswer } from './broker.ts';
import type { RelayConfig } from './config.ts';
import { MESSAGE_OVERHEAD_BYTES, storedSize, type AppendResult, type NewMessage, type StoredMessage, type StoreStats } from './history-store.ts';
import { errorText, type Logger } from './log.ts';
import type { Membership, Peer } from './peer.ts';
import { LocalRoom, RedisFanOut } from './redis-fan-out.ts';
import { RedisPresence } from './redis-presence.ts';
import { ephemeralMessage, readChannelMessage, signalMessage } from './redis-channel.ts';
import { closeRedisConnections, openRedisConnections, redisStartupError, withoutPassword } from './redis-connections.ts';
import { channelRoom, membersKey, roomChannel, roomKeys, type Scripts } from './redis-scripts.ts';

const RESYNC_RETRY_MS = 1_000;

type Connection = 'commands' | 'subscriber';

/**
 * The broker of a relay that is one of several instances on one Redis (REDIS_URL): history,
 * sequence numbers, dedup and presence live in Redis (relay/redis-scripts.ts), every stored message
 * comes back to each instance through its room's pub/sub channel and goes to its local members in
 * seq order (relay/redis-fan-out.ts), and members of other instances are seen through the room's
 * members hash (relay/redis-presence.ts). Two connections: one for commands, which fails fast while
 * Redis is unreachable (no offline queue, no resend), and one for subscriptions. When both are back,
 * every local room is checked (resync): its members registered again, a lost room (new epoch)
 * announced to its members with an unasked ROOM, every live member filled up to the head.
 */
export class RedisBroker implements Broker {
  readonly #rooms = new Map<RoomIdText, LocalRoom>();
  readonly #pending = new Set<Promise<unknown>>();
  /** Rooms without local members whose member entry could not be removed while Redis was down. */
  readonly #unclean = new Set<RoomIdText>();
  readonly #fanOut: RedisFanOut;
  readonly #presence: RedisPresence;
  readonly #up: Record<Connection, boolean> = { commands: true, subscriber: true };
  #stats: StoreStats = { rooms: 0, messages: 0, bytes: 0 };
  #resyncing: Promise<void> | undefined;
  #resyncAgain = false;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    private readonly config: RelayConfig,
    private readonly log: Logger,
    instance: string,
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly scripts: Scripts,
  ) {
    this.#fanOut = new RedisFanOut((room, after, limit) => this.readPage(room, after, limit), log, config.maxFrameKb * 1024, (room) => this.#retryFill(room));
    this.#presence = new RedisPresence(instance, commands, scripts, config.redisInstanceTtlMs, log, () => this.#scheduleResync());
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#onMessage(channel, message));
    this.#watch('commands', commands);
    this.#watch('subscriber', subscriber);
  }

  /** Connects, loads the scripts and starts the heartbeat; a Redis that cannot be reached stops startup. */
  static async open(config: RelayConfig, log: Logger): Promise<RedisBroker> {
    const url = config.redisUrl;
    if (url === null) throw new Error('RedisBroker needs REDIS_URL');
    const instance = randomBase32(16);
    const { commands, subscriber, scripts } = await openRedisConnections(url, instance);
    const broker = new RedisBroker(config, log, instance, commands, subscriber, scripts);
    try {
      await broker.#presence.start();
    } catch (error) {
      closeRedisConnections({ commands, subscriber });
      throw redisStartupError(url, error);
    }
    log.info('redis_connected', { url: withoutPassword(url), instance });
    return broker;
  }

  /** Why this instance cannot serve now (/healthz answers 503 with it), or undefined. */
  unavailable(): string | undefined {
    const down = (['commands', 'subscriber'] as const).filter((name) => !this.#up[name]);
    return down.length === 0 ? undefined : `redis unreachable (${down.join(', ')})`;
  }

  get localRooms(): number {
    return this.#rooms.size;
  }

  async roomExists(room: RoomIdText): Promise<boolean> {
    const [meta, , , members] = roomKeys(room);
    return this.#rooms.has(room) || (await this.commands.exists(meta, members)) > 0;
  }

  memberCount(room: RoomIdText): Promise<number> {
    return this.commands.hlen(membersKey(room));
  }

  async join(roomId: RoomIdText, peer: Peer, membership: Membership, announce: boolean): Promise<JoinAnswer> {
    let room = this.#rooms.get(roomId);
    if (room === undefined) {
      // Subscribed before the room is read, so nothing stored after the read can be missed.
      room = new LocalRoom(roomId, Promise.all([this.subscriber.subscribe(roomChannel(roomId)), this.#presence.roomJoined(roomId)]));
      this.#rooms.set(roomId, room);
    }
    room.joining.add(peer.id);
    room.heard.set(peer.id, undefined);
    let reply: RegisterReply;
    try {
      await room.subscribed;
      reply = await this.#register(room, announce ? 'announce' : 'quiet', [peer.id]);
    } catch (error) {
      room.joining.delete(peer.id);
      room.heard.delete(peer.id);
      this.#release(room);
      // The register may have run with its reply lost (a timeout): its entry would be a ghost. The
      // room's check takes it out while the room has members here; otherwise prune() or a resync does.
      if (!this.#rooms.has(roomId)) this.#unclean.add(roomId);
      throw error;
    }
    room.joining.delete(peer.id);
    const heard = room.heard.get(peer.id) ?? [];
    room.heard.delete(peer.id);
    const member = { peer, membership, filling: false };
    // A room recreated under its members (it expired, or Redis lost it) is news to them.
    this.#observeEpoch(room, reply.epoch, reply.head, reply.members, peer);
    if (reply.head > room.head) room.head = reply.head;
    room.members.set(peer.id, member);
    this.#fanOut.watchLive(room, member);
    this.#unclean.delete(roomId);
    // JOINED/LEFT published after the register's snapshot and handled before its reply came back
    // (reply and pub/sub arrive on different connections) went to the members of then, not to this one.
    const members = new Set(reply.members);
    for (const event of heard) {
      if (event.kind === 'joined') members.add(event.peer);
      else members.delete(event.peer);
    }
    members.delete(peer.id);
    return { created: reply.created, head: reply.head, epoch: reply.epoch, members: [...members] };
  }

  leave(roomId: RoomIdText, peer: Peer): void {
    const room = this.#rooms.get(roomId);
    if (room === undefined || room.members.get(peer.id)?.peer !== peer) {
      if (room !== undefined) this.#release(room);
      return;
    }
    room.members.delete(peer.id);
    this.#release(room);
    // The script tells the others LEFT through the room's channel, this instance's members included.
    this.#track(this.scripts.parleyRemove([membersKey(roomId)], [this.#presence.instance, roomChannel(roomId), peer.id]), 'redis_leave_failed', () => {
      if (!this.#rooms.has(roomId)) this.#unclean.add(roomId);
    });
  }

  async publish(room: RoomIdText, _sender: Peer, message: NewMessage, admit: (bytes: number) => boolean): Promise<AppendResult | undefined> {
    const keys = roomKeys(room);
    if (!admit(storedSize(message.body))) {
      // A duplicate is never refused.
      const original = await this.commands.hget(keys[2], message.id);
      return original === null ? undefined : duplicateOf(room, message, original);
    }
    const { id, from, body } = message;
    // The script writes the CHATMSG exactly as encodeFrame(toChatFrame(…)) would: these two pieces
    // around the body (base64url, which JSON leaves as it is), then seq and at. The body goes to
    // Redis once.
    const before = `{"type":"CHATMSG","room":${JSON.stringify(room)},"id":${JSON.stringify(id)},"body":"`;
    const after = `","from":${JSON.stringify(from)},"seq":`;
    const { historyMaxCount, historyMaxAgeMs, roomMaxStoredKb } = this.config;
    const reply = (await this.scripts.parleyPublish(keys, [
      id, from, body, before, after, historyMaxCount, historyMaxAgeMs, roomMaxStoredKb * 1024, MESSAGE_OVERHEAD_BYTES, roomChannel(room),
    ])) as [number, number | string, string, string];
    const local = this.#rooms.get(room);
    if (reply[0] === 0) {
      if (local !== undefined && local.epoch !== 0) this.#observeEpoch(local, Number(reply[2]), local.head, undefined);
      return duplicateOf(room, message, String(reply[1]));
    }
    const seq = Number(reply[1]);
    // The script may have found the room lost and numbered it again: the sender must hear the new
    // epoch (unasked ROOM) before the ACK carrying a seq of it, or it files its line in the old one.
    if (local !== undefined && local.epoch !== 0) this.#observeEpoch(local, Number(reply[3]), seq, undefined);
    return { message: { room, seq, id, from, body, at: Number(reply[2]) }, duplicate: false };
  }

  async readPage(room: RoomIdText, afterSeq: number, limit: number): Promise<{ messages: StoredMessage[]; head: number }> {
    const [meta, log] = roomKeys(room);
    const [head, entries] = (await this.scripts.parleyRead([meta, log], [afterSeq, limit])) as [number, [string, string[]][]];
    return { head: Number(head), messages: entries.map(([entryId, f]) => ({ room, seq: Number.parseInt(entryId, 10), id: f[1]!, from: f[3]!, body: f[5]!, at: Number(f[7]) })) };
  }

  /** Through the room's channel to every instance, this one included, which each deliver it locally. */
  async broadcastEphemeral(roomId: RoomIdText, sender: Peer, frame: EphemeralDeliverFrame): Promise<void> {
    await this.commands.publish(roomChannel(roomId), ephemeralMessage(sender.id, encodeFrame(frame)));
  }

  async sendTo(roomId: RoomIdText, to: PeerId, frame: RelayToClient): Promise<boolean> {
    const local = this.#rooms.get(roomId)?.members.get(to);
    if (local !== undefined) return local.peer.send(frame), true;
    const instance = await this.commands.hget(membersKey(roomId), to);
    if (instance === null || instance === this.#presence.instance || this.#presence.isDead(instance)) return false;
    // The instance holding the peer delivers it; it is subscribed, since the peer is its member.
    await this.commands.publish(roomChannel(roomId), signalMessage(to, encodeFrame(frame)));
    return true;
  }

  /** What this instance can say cheaply: the rooms with members here, refreshed by prune() every minute. */
  stats(): StoreStats {
    return this.#stats;
  }

  /**
   * Redis trims on every publish and expires idle rooms itself. This checks every room with members
   * here as after a reconnect, which keeps a quiet one from expiring, notices one that expired or
   * was evicted under its members (a new epoch) within a minute, and refreshes stats().
   */
  async prune(): Promise<{ messages: number; rooms: number }> {
    // The rooms set too: a sweep that took this instance for dead may have deleted it.
    await this.#presence.rooms([...this.#rooms.keys()]);
    const replies = await Promise.all([...this.#rooms.values()].map((room) => this.#check(room)));
    await this.#cleanUp();
    this.#stats = {
      rooms: replies.length,
      messages: replies.reduce((sum, reply) => sum + reply.messages, 0),
      bytes: replies.reduce((sum, reply) => sum + reply.bytes, 0),
    };
    return { messages: 0, rooms: 0 };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    await Promise.allSettled([...this.#pending]);
    const instance = this.#presence.instance;
    try {
      await Promise.all([...this.#rooms.keys()].map((room) => this.scripts.parleyRemove([membersKey(room)], [instance, roomChannel(room)])));
      await this.#presence.close();
      await this.commands.quit();
    } catch (error) {
      this.log.error('redis_close_failed', { error: errorText(error) });
    }
    this.#presence.stop();
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  async #register(room: LocalRoom, mode: 'announce' | 'quiet' | 'resync', peers: readonly PeerId[]): Promise<RegisterReply> {
    const { instance } = this.#presence;
    const [created, head, epoch, flat, messages, bytes] = (await this.scripts.parleyRegister(roomKeys(room.room), [
      this.config.historyMaxAgeMs, instance, roomChannel(room.room), mode, MESSAGE_OVERHEAD_BYTES, ...peers,
    ])) as [number, number, string, string[], number, number];
    const members: PeerId[] = [];
    for (let i = 0; i < flat.length; i += 2) if (!this.#presence.isDead(flat[i + 1]!)) members.push(flat[i]!);
    return { created: created === 1, head: Number(head), epoch: Number(epoch), members, messages: Number(messages), bytes: Number(bytes ?? 0) };
  }

  /**
   * Makes the room's entries of this instance exactly its members here (and the peers whose join is
   * under way, so a join racing this check is not taken out), then tells them of a new epoch, or
   * fills every live member up to the head.
   */
  async #check(room: LocalRoom): Promise<RegisterReply> {
    const reply = await this.#register(room, 'resync', [...room.members.keys(), ...[...room.joining].map((peer) => `~${peer}`)]);
    if (!this.#observeEpoch(room, reply.epoch, reply.head, reply.members)) {
      if (reply.head > room.head) room.head = reply.head;
      this.#fanOut.catchUp(room);
    }
    return reply;
  }

  /**
   * True when the room's numbering is not the one its members here were given: each of them (but
   * `except`, who is being answered already) gets an unasked ROOM with the new epoch, which makes
   * the extension fetch the room again from 0, and is not live until it does.
   */
  #observeEpoch(room: LocalRoom, epoch: number, head: number, members: readonly PeerId[] | undefined, except?: Peer): boolean {
    if (room.epoch === epoch) return false;
    const before = room.epoch;
    room.epoch = epoch;
    room.head = head;
    if (before === 0) return false;
    this.log.warn('redis_room_renumbered', { room: room.room, epoch });
    for (const { peer, membership } of room.members.values()) {
      if (peer === except) continue;
      membership.live = false;
      const others = (members ?? [...room.members.keys()]).filter((id) => id !== peer.id);
      peer.send({ type: 'ROOM', room: room.room, peer: peer.id, members: others, head, epoch, created: false });
    }
    return true;
  }

  /**
   * A fill failed. When the commands connection went down, its 'ready' resyncs and fills every
   * room; but a command that timed out on a connection that stayed up (Redis or this process
   * starved for COMMAND_TIMEOUT_MS) brings no 'ready', and a member skipped for the last messages
   * of a burst would wait for the next message or the minute check. So the room is filled again
   * a little later, once per room however many members failed, until a fill gets through.
   */
  #retryFill(room: LocalRoom): void {
    if (room.fillRetry !== undefined || this.#closed) return;
    room.fillRetry = setTimeout(() => {
      room.fillRetry = undefined;
      // A room let go has no members to fill; a connection that is down leaves it to the resync.
      if (this.#closed || this.#rooms.get(room.room) !== room || !this.#up.commands) return;
      this.#fanOut.catchUp(room);
    }, RESYNC_RETRY_MS);
    room.fillRetry.unref();
  }

  #checkEpoch(room: LocalRoom): void {
    if (room.checkingEpoch) return;
    room.checkingEpoch = true;
    const [meta] = roomKeys(room.room);
    this.commands.hmget(meta, 'epoch', 'head').then(([epoch, head]) => {
      if (epoch !== null && this.#rooms.get(room.room) === room) this.#observeEpoch(room, Number(epoch), Number(head ?? 0), undefined);
    }, (error: unknown) => this.log.error('redis_epoch_check_failed', { room: room.room, error: errorText(error) })).finally(() => {
      room.checkingEpoch = false;
    });
  }

  #onMessage(channel: Buffer, data: Buffer): void {
    const room = this.#rooms.get(channelRoom(channel.toString('latin1')));
    const message = room === undefined ? undefined : readChannelMessage(data);
    if (room === undefined || message === undefined) return;
    if (message.kind === 'chat') {
      if (room.epoch === 0) {
        // A join is still reading the room; its answer sets the epoch, and its replay reads this.
        if (message.seq > room.head) room.head = message.seq;
        return;
      }
      if (message.epoch !== room.epoch) {
        // Not trusted as it is: a message published before a room was recreated can arrive after
        // a join that saw the new epoch. Redis's meta says which numbering is current; until it
        // has, messages of another epoch go to nobody (members fetch the room again on a new one).
        this.#checkEpoch(room);
        return;
      }
      this.#fanOut.deliver(room, message.seq, message.from, message.frame);
      return;
    }
    if (message.kind === 'signal') {
      room.members.get(message.to)?.peer.sendEncoded(message.frame);
      return;
    }
    if (message.kind === 'ephemeral') {
      for (const member of room.members.values()) {
        if (member.peer.id !== message.from && member.membership.live) member.peer.sendIfIdle(message.frame);
      }
      return;
    }
    const { peer } = message;
    for (const [joiner, heard] of room.heard) {
      // A joiner's own JOINED (or its `r` for a quiet rejoin) is where its register's snapshot ended.
      if (heard === undefined) {
        if (peer === joiner && message.kind !== 'left') room.heard.set(joiner, []);
      } else if (message.kind !== 'registered') heard.push({ kind: message.kind, peer });
    }
    if (message.kind === 'registered') return;
    const frame = Buffer.from(encodeFrame({ type: message.kind === 'joined' ? 'JOINED' : 'LEFT', room: room.room, peer }));
    for (const member of room.members.values()) if (member.peer.id !== peer) member.peer.sendEncoded(frame);
  }


  /** Lets go of a room with no members and no join under way: unsubscribes and leaves the rooms set. */
  #release(room: LocalRoom): void {
    if (room.members.size > 0 || room.joining.size > 0 || this.#rooms.get(room.room) !== room) return;
    this.#rooms.delete(room.room);
    this.#track(this.subscriber.unsubscribe(roomChannel(room.room)), 'redis_unsubscribe_failed');
    this.#track(this.#presence.roomLeft(room.room), 'redis_leave_failed');
  }

  #track(promise: Promise<unknown>, event: string, onError?: () => void): void {
    const tracked = promise.catch((error: unknown) => {
      this.log.error(event, { error: errorText(error) });
      onError?.();
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  #watch(name: Connection, connection: Redis): void {
    connection.on('close', () => {
      if (!this.#up[name] || this.#closed) return;
      this.#up[name] = false;
      this.log.error('redis_down', { connection: name });
    });
    connection.on('ready', () => {
      if (this.#up[name]) return;
      this.#up[name] = true;
      this.log.info('redis_up', { connection: name });
      this.#scheduleResync();
    });
  }

  #scheduleResync(): void {
    if (this.#closed) return;
    if (this.#resyncing !== undefined) {
      this.#resyncAgain = true;
      return;
    }
    this.#resyncing = this.#resync().then(
      () => this.log.info('redis_resynced', { rooms: this.#rooms.size }),
      (error: unknown) => {
        this.log.error('redis_resync_failed', { error: errorText(error) });
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => this.#scheduleResync(), RESYNC_RETRY_MS);
        this.#retry.unref();
      },
    ).finally(() => {
      this.#resyncing = undefined;
      if (this.#resyncAgain) {
        this.#resyncAgain = false;
        this.#scheduleResync();
      }
    });
  }

  /** After Redis was unreachable: subscribe again, then check every local room (see the class comment). */
  async #resync(): Promise<void> {
    if (this.commands.status !== 'ready' || this.subscriber.status !== 'ready') return;
    const rooms = [...this.#rooms.values()];
    if (rooms.length > 0) {
      await this.subscriber.subscribe(...rooms.map((room) => roomChannel(room.room)));
      await this.#presence.rooms(rooms.map((room) => room.room));
    }
    await Promise.all(rooms.map((room) => this.#check(room)));
    await this.#cleanUp();
  }

  /** Takes this instance's entries out of rooms it has no members in any more (see #unclean). */
  async #cleanUp(): Promise<void> {
    const { instance } = this.#presence;
    for (const room of [...this.#unclean]) {
      // Checked and sent in one turn: a join starting later registers after this removal.
      if (this.#rooms.has(room)) {
        this.#unclean.delete(room);
        continue;
      }
      await this.scripts.parleyRemove([membersKey(room)], [instance, roomChannel(room)]);
      this.#unclean.delete(room);
    }
  }
}

interface RegisterReply {
  readonly created: boolean;
  readonly head: number;
  readonly epoch: number;
  readonly members: PeerId[];
  /** Retained messages and their stored bytes, for stats(). */
  readonly messages: number;
  readonly bytes: number;
}

/** The original of a resent id, from its dedup entry "seq:at:from". */
function duplicateOf(room: RoomIdText, message: NewMessage, original: string): AppendResult {
  const [seq, at, from] = original.split(':');
  return { message: { room, seq: Number(seq), id: message.id, from: from ?? message.from, body: message.body, at: Number(at) }, duplicate: true };
}
