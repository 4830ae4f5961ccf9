import type { RawData } from 'ws';
import type { WebSocket } from 'ws';
import type { TokenBucket } from './token-bucket.ts';

/** One frame budget and one byte budget; a connection pays its own and its address's. */
export interface Budget {
  readonly frames: TokenBucket;
  readonly bytes: TokenBucket;
}

export interface RateGateOptions {
  /** Most frames, and most bytes, held waiting for budget before new ones are refused. */
  readonly holdFrames: number;
  readonly holdBytes: number;
}

interface Held {
  data: RawData;
  isBinary: boolean;
  bytes: number;
}

/**
 * A connection's rate limit, in frames and in bytes, paid from the connection's budget and from its
 * address's (shared by all that address's connections, so reconnecting refills nothing). Every
 * byte read is charged, including frames too large to handle and frames refused. A frame over
 * budget is held, in order, and the relay stops reading the socket until the budget refills, so a
 * client that bursts (an outbox flushed after a reconnect) is slowed down without losing or
 * reordering anything. Only what no longer fits in the hold is refused with RATE_LIMITED.
 */
export class RateGate {
  #held: Held[] = [];
  #heldBytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly budgets: readonly Budget[],
    private readonly options: RateGateOptions,
    private readonly pass: (data: RawData, isBinary: boolean) => void,
    private readonly refuse: () => void,
  ) {}

  /** Frames are waiting for budget: the client is alive, only slowed down. */
  get holding(): boolean {
    return this.#held.length > 0;
  }

  offer(data: RawData, isBinary: boolean, now: number): void {
    const bytes = byteLength(data);
    if (this.#held.length === 0 && this.#payable(now, bytes)) {
      this.#pay(now, bytes);
      return this.pass(data, isBinary);
    }
    if (this.#held.length > 0 && (this.#held.length >= this.options.holdFrames || this.#heldBytes + bytes > this.options.holdBytes)) {
      for (const budget of this.budgets) budget.bytes.charge(now, bytes);
      this.refuse();
      return;
    }
    this.#held.push({ data, isBinary, bytes });
    this.#heldBytes += bytes;
    if (this.#held.length === 1) {
      this.socket.pause();
      this.#schedule(now);
    }
  }

  /** Drops whatever is held; the connection is gone. */
  close(): void {
    clearTimeout(this.#timer);
    this.#held = [];
    this.#heldBytes = 0;
  }

  #payable(now: number, bytes: number): boolean {
    // A loop, not every(): this runs for every frame, and a callback would be a closure each time.
    for (const budget of this.budgets) if (!budget.frames.canTake(now) || !budget.bytes.canTake(now, bytes)) return false;
    return true;
  }

  #pay(now: number, bytes: number): void {
    for (const budget of this.budgets) {
      budget.frames.take(now);
      budget.bytes.charge(now, bytes);
    }
  }

  #schedule(now: number): void {
    const bytes = this.#held[0]!.bytes;
    let wait = 1;
    for (const budget of this.budgets) wait = Math.max(wait, budget.frames.waitMs(now), budget.bytes.waitMs(now, bytes));
    this.#timer = setTimeout(() => this.#drain(), wait);
    this.#timer.unref();
  }

  #drain(): void {
    const now = performance.now();
    while (this.#held.length > 0) {
      const next = this.#held[0]!;
      // Other connections of the address may have spent the budget meanwhile: wait again.
      if (!this.#payable(now, next.bytes)) return this.#schedule(now);
      this.#pay(now, next.bytes);
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
