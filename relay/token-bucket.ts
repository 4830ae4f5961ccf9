/** Per-connection rate limit: `burst` frames at once, refilled at `ratePerSec`. */
export class TokenBucket {
  #tokens: number;
  #refilledAt: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#refilledAt = now;
  }

  /** `now` in milliseconds from a monotonic clock; a wall clock stepping back would mint tokens. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerSec) / 1000);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token, as of the last `take`. */
  msUntilToken(): number {
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 1000) / this.ratePerSec);
  }
}
