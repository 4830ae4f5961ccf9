import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { TokenBucket } from './token-bucket.ts';

/** Paths written as they are; anything else is "other", so no raw path (a mangled invite) is logged. */
const LOGGED_PATHS = new Set(['/healthz', '/metrics', '/join', '/']);

export const loggedPath = (path: string): string => (LOGGED_PATHS.has(path) ? path : 'other');

/**
 * The http_request records (docs/protocol.md, "Access records"), rate-limited per address and in
 * all, so a client pipelining requests cannot make the relay fill its disk with log lines.
 */
export class AccessLog {
  readonly #total: TokenBucket;
  /** Least recently used first; bounded, and the relay-wide bucket bounds the rest. */
  readonly #perAddress = new Map<string, TokenBucket>();

  constructor(
    private readonly config: RelayConfig,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.#total = new TokenBucket(config.accessLogPerSec, config.accessLogBurst, performance.now());
  }

  record(req: IncomingMessage, res: ServerResponse, path: string, address: string): void {
    const now = performance.now();
    const own = this.#bucket(address, now);
    if (!own.canTake(now) || !this.#total.canTake(now)) {
      this.metrics.accessRecordsDropped++;
      return;
    }
    own.take(now);
    this.#total.take(now);
    this.log.info('http_request', { method: req.method, path: loggedPath(path), status: res.statusCode, address });
  }

  #bucket(address: string, now: number): TokenBucket {
    let bucket = this.#perAddress.get(address);
    if (bucket !== undefined) {
      this.#perAddress.delete(address);
    } else {
      // Forgetting the least recently used address gives it a fresh burst at most; the total still holds.
      if (this.#perAddress.size >= this.config.maxTrackedAddresses) this.#perAddress.delete(this.#perAddress.keys().next().value!);
      bucket = new TokenBucket(this.config.addressAccessLogPerSec, this.config.addressAccessLogBurst, now);
    }
    this.#perAddress.set(address, bucket);
    return bucket;
  }
}
