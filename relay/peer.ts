import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { randomBase32 } from '../src/shared/base32.ts';
import { encodeFrame } from '../src/shared/codec.ts';
import { ERROR_CODES, type ErrorCode, type PeerId, type RelayToClient, type RoomIdText } from '../src/shared/protocol.ts';
import type { Metrics } from './metrics.ts';
import type { WireFrame } from './wire-frame.ts';

/** Error codes that end the connection, as opposed to answering one frame. */
export type CloseCode = { [K in ErrorCode]: (typeof ERROR_CODES)[K]['close'] extends number ? K : never }[ErrorCode];

/** One join of one room. A rejoin replaces the object, which is how a stale replay knows to stop. */
export interface Membership {
  /** False while history is being replayed: live messages wait in the store until replay reaches them. */
  live: boolean;
  /** Set when the replay goes live: the head it read. Fan-out never sends a seq at or below it. */
  delivered: number;
}

export interface PeerOptions {
  readonly maxBufferedBytes: number;
  readonly maxAddressBufferedBytes: number;
  readonly maxTotalBufferedBytes: number;
  /** After a close, how long the client gets to take the close frame before the socket is cut. */
  readonly closeGraceMs: number;
}

/** Unsent bytes, counted where they are shared: the peer's address and the whole relay. */
export interface QueueAccount {
  queuedBytes: number;
  /** Fired whenever bytes counted here are written out or released. */
  readonly freed: BufferSignal;
  /** The peers with unsent bytes counted here: when the bound is full, the one holding most is cut. */
  readonly holders: Set<Peer>;
}

const SEND_TEXT = { binary: false } as const;
const EMPTY = Buffer.alloc(0);

/**
 * The stream under a ws socket (ws's own bufferedAmount reads it). A write on it goes after every
 * frame ws has handed it, since this relay uses neither compression nor blobs, the only things ws
 * holds back in its own queue.
 */
const streamOf = (socket: WebSocket): Writable | undefined => (socket as unknown as { _socket?: Writable })._socket ?? undefined;

/**
 * The stream to write to directly, or undefined when that is not safe: no stream under ws (a ws
 * release that renamed the field: every frame then takes the counted path with a callback), or an
 * extension negotiated (with compression ws queues frames itself, and a direct write would
 * overtake them). relay/server.ts turns compression off.
 */
const directStream = (socket: WebSocket): Writable | undefined => (socket.extensions === '' ? streamOf(socket) : undefined);

const newAccount = (): QueueAccount => ({ queuedBytes: 0, freed: new BufferSignal(), holders: new Set() });

/** Wakes replays waiting for room in a buffer budget when bytes counted in it leave. */
export class BufferSignal {
  #waiting: { promise: Promise<void>; resolve: () => void } | undefined;

  freed(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve();
  }

  next(): Promise<void> {
    if (this.#waiting === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#waiting = { promise, resolve };
    }
    return this.#waiting.promise;
  }
}

export interface ErrorDetails {
  readonly ref?: string | undefined;
  readonly room?: RoomIdText | undefined;
  readonly message?: string | undefined;
}

/**
 * One client connection: its relay-assigned id, its rooms and its outgoing frames. Every byte
 * handed to the socket is counted until the socket has written it out, for this peer, its address
 * and the relay, so live fan-out and every replay of every room share one bound per socket.
 */
export class Peer {
  readonly id: PeerId = `p${randomBase32(16)}`;
  readonly rooms = new Map<RoomIdText, Membership>();
  /** performance.now() of the last frame heard; the idle sweep compares against it. */
  lastHeardAt: number;
  /** Bytes handed to the socket and not yet written out. */
  queuedBytes = 0;
  /** performance.now() when the socket last wrote something out, or went from empty to queued. */
  #progressAt: number;
  #leaving = false;
  #ownFlush: BufferSignal = new BufferSignal();

  constructor(
    readonly socket: WebSocket,
    private readonly options: PeerOptions,
    private readonly metrics: Metrics,
    /** Runs once, as soon as the relay or the client ends the connection: takes the peer out of its rooms. */
    private readonly onLeave: (peer: Peer) => void,
    private readonly address: QueueAccount = newAccount(),
    private readonly total: QueueAccount = newAccount(),
  ) {
    this.lastHeardAt = performance.now();
    this.#progressAt = this.lastHeardAt;
  }

  get open(): boolean {
    return !this.#leaving && this.socket.readyState === this.socket.OPEN;
  }

  /**
   * Bytes this peer may queue now without passing `share` of its own, its address's or the
   * relay's bound. Replays ask for half, so live traffic always finds room behind them.
   */
  sendRoom(share = 1): number {
    return Math.min(this.#ownRoom(share), this.#sharedRoom(share));
  }

  /**
   * Resolves when some of the budget that binds this peer has been freed, or the peer is gone:
   * its own socket's writes if its own bound binds, its address's sockets' if the address bound
   * binds, and any socket's only when the relay's bound binds, so a write wakes only the replays
   * it can help.
   */
  whenFreed(share = 1): Promise<void> {
    if (!this.open) return Promise.resolve();
    const addressRoom = this.options.maxAddressBufferedBytes * share - this.address.queuedBytes;
    const totalRoom = this.options.maxTotalBufferedBytes * share - this.total.queuedBytes;
    if (this.queuedBytes > 0 && this.#ownRoom(share) <= Math.min(addressRoom, totalRoom)) return this.#ownFlush.next();
    const shared = addressRoom <= totalRoom ? this.address : this.total;
    return Promise.race([this.#ownFlush.next(), shared.freed.next()]);
  }

  /** Has had unsent bytes for `stallMs` without writing any out: a reader that stopped reading. */
  stalled(now: number, stallMs: number): boolean {
    return this.queuedBytes > 0 && now - this.#progressAt > stallMs;
  }

  send(frame: RelayToClient, onFlushed?: (error?: Error) => void): boolean {
    return this.sendEncoded(Buffer.from(encodeFrame(frame)), onFlushed);
  }

  /** For fan-out: the frame is encoded once and the same bytes go to every member. */
  sendEncoded(frame: Buffer | WireFrame, onFlushed?: (error?: Error) => void): boolean {
    if (!this.open) return false;
    const data = Buffer.isBuffer(frame) ? frame : frame.payload;
    const size = data.length;
    // Queueing more would grow memory without bound and make senders wait on this reader.
    if (this.queuedBytes + size > this.options.maxBufferedBytes) return this.#refuse('SLOW_CONSUMER');
    if (!this.#makeRoom(this.address, this.options.maxAddressBufferedBytes, size, 'ADDRESS_BUFFERS_FULL')) return false;
    if (!this.#makeRoom(this.total, this.options.maxTotalBufferedBytes, size, 'RELAY_BUFFERS_FULL')) return false;
    this.metrics.framesOut++;
    const stream = this.queuedBytes === 0 && onFlushed === undefined ? directStream(this.socket) : undefined;
    if (stream !== undefined) {
      // Nothing of this peer's is waiting, so the socket most likely takes the frame at once: sent
      // without a callback, node skips the per-write tick and closure, and bytes that went straight
      // to the kernel were never the relay's to count.
      if (Buffer.isBuffer(frame)) this.socket.send(data, SEND_TEXT);
      else stream.write(frame.wire);
      if (this.socket.bufferedAmount === 0) return true;
      // Some of it stayed in the stream's buffer (always so on TLS, which writes in a later turn):
      // count all of it, as for any queued frame, and learn when it is out from an empty write
      // behind it (writes complete in order).
      this.#progressAt = performance.now();
      this.#queue(size);
      stream.write(EMPTY, () => this.#written(size));
      return true;
    }
    if (this.queuedBytes === 0) this.#progressAt = performance.now();
    this.#queue(size);
    this.socket.send(data, SEND_TEXT, (error) => {
      this.#written(size);
      onFlushed?.(error);
    });
    return true;
  }

  /**
   * For EPHEMERAL: sends only when this socket has nothing unsent and every buffer bound has room,
   * so such a frame is never held for a slow reader nor the reason anyone is cut; otherwise it is
   * dropped for this peer and counted. False when it was not sent.
   */
  sendIfIdle(frame: Buffer | WireFrame): boolean {
    if (!this.open) return false;
    const size = Buffer.isBuffer(frame) ? frame.length : frame.payload.length;
    if (this.queuedBytes > 0 || this.sendRoom() < size) {
      this.metrics.ephemeralDropped++;
      return false;
    }
    return this.sendEncoded(frame);
  }

  error(code: Exclude<ErrorCode, CloseCode>, details: ErrorDetails = {}): void {
    this.metrics.countError(code);
    this.send({
      type: 'ERROR',
      code,
      message: details.message ?? ERROR_CODES[code].text,
      ...(details.ref === undefined ? {} : { ref: details.ref.slice(0, 100) }),
      ...(details.room === undefined ? {} : { room: details.room }),
    });
  }

  /** Ends the connection with the code's close code, after an ERROR frame saying why. */
  close(code: CloseCode): void {
    if (this.#leaving) return;
    this.metrics.countError(code);
    // A slow consumer's buffer is already full; the close code alone carries the reason. Otherwise
    // the few bytes of ERROR go out past the buffer bounds: they are what tells the client why.
    if (code !== 'SLOW_CONSUMER' && this.open) {
      this.socket.send(encodeFrame({ type: 'ERROR', code, message: ERROR_CODES[code].text }), { binary: false });
      this.metrics.framesOut++;
    }
    this.#leave();
    this.socket.close(ERROR_CODES[code].close, code);
    // A client that stops reading never answers the close either; its buffers must go now, not in
    // ws's 30 s close timeout.
    setTimeout(() => this.socket.terminate(), this.options.closeGraceMs).unref();
  }

  /**
   * Cuts the connection at once and frees what it had queued: for the reader holding the most of a
   * full shared bound. Its close frame would sit behind the bytes it is not reading, so there is
   * none; the code is counted.
   */
  cut(code: CloseCode): void {
    this.metrics.countError(code);
    this.#leave();
    this.socket.terminate();
    if (this.queuedBytes > 0) this.#written(this.queuedBytes);
  }

  /** The socket closed (either side); idempotent. Whatever it had unsent is no longer held. */
  closed(): void {
    this.#leave();
    if (this.queuedBytes > 0) this.#written(this.queuedBytes);
  }

  #ownRoom(share: number): number {
    return this.options.maxBufferedBytes * share - this.queuedBytes;
  }

  #sharedRoom(share: number): number {
    return Math.min(
      this.options.maxAddressBufferedBytes * share - this.address.queuedBytes,
      this.options.maxTotalBufferedBytes * share - this.total.queuedBytes,
    );
  }

  /**
   * Makes room for `size` more bytes in a shared bound by cutting whoever holds the most unsent
   * bytes in it (the stalled reader), not whoever the next frame happens to go to. False, after
   * closing this peer, when this peer is that reader.
   */
  #makeRoom(account: QueueAccount, bound: number, size: number, code: CloseCode): boolean {
    while (account.queuedBytes + size > bound) {
      let heaviest: Peer = this;
      for (const holder of account.holders) if (holder.queuedBytes > heaviest.queuedBytes) heaviest = holder;
      if (heaviest === this) return this.#refuse(code);
      heaviest.cut(code);
    }
    return true;
  }

  #refuse(code: CloseCode): false {
    this.close(code);
    return false;
  }

  #queue(size: number): void {
    if (this.queuedBytes === 0) {
      this.address.holders.add(this);
      this.total.holders.add(this);
    }
    this.queuedBytes += size;
    this.address.queuedBytes += size;
    this.total.queuedBytes += size;
  }

  #written(size: number): void {
    // After closed() released everything, late write callbacks have nothing left to release.
    const released = Math.min(size, this.queuedBytes);
    if (released <= 0) return;
    this.queuedBytes -= released;
    this.address.queuedBytes -= released;
    this.total.queuedBytes -= released;
    if (this.queuedBytes === 0) {
      this.address.holders.delete(this);
      this.total.holders.delete(this);
    }
    this.#progressAt = performance.now();
    this.#ownFlush.freed();
    this.address.freed.freed();
    this.total.freed.freed();
  }

  #leave(): void {
    if (this.#leaving) return;
    this.#leaving = true;
    this.#ownFlush.freed();
    this.onLeave(this);
  }
}
