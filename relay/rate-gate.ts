import type { RawData } from 'ws';
import type { WebSocket } from 'ws';
import { TokenBucket } from './token-bucket.ts';

export interface RateGateOptions {
  readonly ratePerSec: number;
  readonly rateBurst: number;
  readonly byteRatePerSec: number;
  readonly byteBurst: number;
  /** Frames over this size are the codec's to refuse (FRAME_TOO_LARGE), not the budget's. */
  readonly maxFrameBytes: number;
}

interface Held {
  data: RawData;
  isBinary: boolean;
  bytes: number;
}

/**
 * A connection's rate limit, in frames and in bytes. A frame over budget is held, in order, and
 * the relay stops reading the socket until the budget refills, so a client that bursts (an outbox
 * flushed after a reconnect) is slowed down without losing or reordering anything. Only what no
 * longer fits in the hold (one burst's worth) is refused with RATE_LIMITED: that is a flood.
 */
export class RateGate {
  readonly #frames: TokenBucket;
  readonly #bytes: TokenBucket;
  #held: Held[] = [];
  #heldBytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: RateGateOptions,
    private readonly pass: (data: RawData, isBinary: boolean) => void,
    private readonly refuse: () => void,
    now: number,
  ) {
    this.#frames = new TokenBucket(options.ratePerSec, options.rateBurst, now);
    this.#bytes = new TokenBucket(options.byteRatePerSec, options.byteBurst, now);
  }

  offer(data: RawData, isBinary: boolean, now: number): void {
    const bytes = byteLength(data);
    if (this.#held.length === 0 && this.#pay(now, bytes)) return this.pass(data, isBinary);
    if (this.#held.length >= this.options.rateBurst || this.#heldBytes + bytes > this.options.byteBurst) {
      this.refuse();
      return;
    }
    this.#held.push({ data, isBinary, bytes });
    this.#heldBytes += bytes;
    if (this.#held.length === 1) {
      this.socket.pause();
      this.#schedule();
    }
  }

  /** Drops whatever is held; the connection is gone. */
  close(): void {
    clearTimeout(this.#timer);
    this.#held = [];
    this.#heldBytes = 0;
  }

  #pay(now: number, bytes: number): boolean {
    if (!this.#frames.take(now)) return false;
    if (this.#bytes.take(now, bytes <= this.options.maxFrameBytes ? bytes : 0)) return true;
    this.#frames.refund();
    return false;
  }

  #schedule(): void {
    const wait = Math.max(this.#frames.msUntilToken(), this.#bytes.msUntilToken(), 1);
    this.#timer = setTimeout(() => this.#drain(), wait);
    this.#timer.unref();
  }

  #drain(): void {
    while (this.#held.length > 0) {
      const next = this.#held[0]!;
      if (!this.#pay(performance.now(), next.bytes)) return this.#schedule();
      this.#held.shift();
      this.#heldBytes -= next.bytes;
      this.pass(next.data, next.isBinary);
    }
    if (this.socket.readyState === this.socket.OPEN) this.socket.resume();
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}
