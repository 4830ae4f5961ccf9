/**
 * A rate limit: `burst` tokens at once, refilled at `ratePerSec` (frames, bytes or connections).
 * Shared by every connection of an address when it is an address's budget.
 *
 * A cost larger than the burst is admitted once the bucket is full and leaves it in debt, so every
 * byte read is paid for, even in a frame the relay then refuses as too large.
 */
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
  canTake(now: number, cost = 1): boolean {
    this.#refill(now);
    return this.#tokens >= Math.min(cost, this.burst);
  }

  /** Takes `cost` if `canTake`; returns whether it did. */
  take(now: number, cost = 1): boolean {
    if (!this.canTake(now, cost)) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Takes `cost` whatever the balance: bytes that were read are spent, admitted or not. */
  charge(now: number, cost: number): void {
    this.#refill(now);
    this.#tokens -= cost;
  }

  /** Milliseconds until `canTake(cost)` holds. */
  waitMs(now: number, cost = 1): number {
    this.#refill(now);
    const missing = Math.min(cost, this.burst) - this.#tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.ratePerSec);
  }

  /** Full again: forgetting the bucket now gives its owner nothing it would not have anyway. */
  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.burst;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerSec) / 1000);
    this.#refilledAt = Math.max(this.#refilledAt, now);
  }
}
