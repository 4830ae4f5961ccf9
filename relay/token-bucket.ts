/** Per-connection rate limit: `burst` tokens at once, refilled at `ratePerSec` (frames or bytes). */
export class TokenBucket {
  #tokens: number;
  #refilledAt: number;
  #wanted = 1;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#refilledAt = now;
  }

  /** `now` in milliseconds from a monotonic clock; a wall clock stepping back would mint tokens. */
  take(now: number, cost = 1): boolean {
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerSec) / 1000);
    this.#refilledAt = now;
    if (this.#tokens < cost) {
      this.#wanted = cost;
      return false;
    }
    this.#tokens -= cost;
    return true;
  }

  /** Gives back one token taken for a frame that another budget then refused. */
  refund(): void {
    this.#tokens = Math.min(this.burst, this.#tokens + 1);
  }

  /** Milliseconds until the refused `take` would succeed, as of that `take`. */
  msUntilToken(): number {
    return this.#tokens >= this.#wanted ? 0 : Math.ceil(((this.#wanted - this.#tokens) * 1000) / this.ratePerSec);
  }
}
