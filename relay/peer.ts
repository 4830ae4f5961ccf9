import type { WebSocket } from 'ws';
import { randomBase32 } from '../src/shared/base32.ts';
import { encodeFrame } from '../src/shared/codec.ts';
import { ERROR_CODES, type ErrorCode, type PeerId, type RelayToClient, type RoomIdText } from '../src/shared/protocol.ts';
import type { Metrics } from './metrics.ts';

/** Error codes that end the connection, as opposed to answering one frame. */
export type CloseCode = { [K in ErrorCode]: (typeof ERROR_CODES)[K]['close'] extends number ? K : never }[ErrorCode];

/** One join of one room. A rejoin replaces the object, which is how a stale replay knows to stop. */
export interface Membership {
  /** False while history is being replayed: live messages wait in the store until replay reaches them. */
  live: boolean;
}

export interface PeerOptions {
  readonly maxBufferedBytes: number;
}

export interface ErrorDetails {
  readonly ref?: string | undefined;
  readonly room?: RoomIdText | undefined;
  readonly message?: string | undefined;
}

/** One client connection: its relay-assigned id, its rooms and its outgoing frames. */
export class Peer {
  readonly id: PeerId = `p${randomBase32(16)}`;
  readonly rooms = new Map<RoomIdText, Membership>();
  /** performance.now() of the last frame heard; the idle sweep compares against it. */
  lastHeardAt: number;
  #leaving = false;

  constructor(
    readonly socket: WebSocket,
    private readonly options: PeerOptions,
    private readonly metrics: Metrics,
    /** Runs once, as soon as the relay or the client ends the connection: takes the peer out of its rooms. */
    private readonly onLeave: (peer: Peer) => void,
  ) {
    this.lastHeardAt = performance.now();
  }

  get open(): boolean {
    return !this.#leaving && this.socket.readyState === this.socket.OPEN;
  }

  send(frame: RelayToClient, onFlushed?: (error?: Error) => void): boolean {
    return this.sendEncoded(Buffer.from(encodeFrame(frame)), onFlushed);
  }

  /** For fan-out: the frame is encoded once and the same bytes go to every member. */
  sendEncoded(data: Buffer, onFlushed?: (error?: Error) => void): boolean {
    if (!this.open) return false;
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      // Queueing more would grow memory without bound and make senders wait on this reader.
      this.close('SLOW_CONSUMER');
      return false;
    }
    this.socket.send(data, { binary: false }, onFlushed);
    this.metrics.framesOut++;
    return true;
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
    // A slow consumer's buffer is already full; the close code alone carries the reason.
    if (code !== 'SLOW_CONSUMER') this.send({ type: 'ERROR', code, message: ERROR_CODES[code].text });
    this.#leave();
    this.socket.close(ERROR_CODES[code].close, code);
  }

  /** The socket closed (either side); idempotent. */
  closed(): void {
    this.#leave();
  }

  #leave(): void {
    if (this.#leaving) return;
    this.#leaving = true;
    this.onLeave(this);
  }
}
