export interface RollingQuotaOptions {
  /** Most that may be charged to one key within the window. */
  readonly limit: number;
  readonly windowMs: number;
  /** The window moves in steps of windowMs / slots: more slots, smoother, more memory per key. */
  readonly slots: number;
  /** Keys remembered; beyond it the key charged least recently that is not kept is forgotten. */
  readonly maxKeys: number;
  /** Keys never forgotten to make room (an address with a live connection). */
  readonly keep?: (key: string) => boolean;
}

interface Usage {
  /** Absolute slot number (time / slot length) of the newest charge. */
  slot: number;
  /** Charges per slot, as a ring indexed by slot number modulo the slot count. */
  readonly counts: Float64Array;
  used: number;
}

/**
 * A rolling-window budget per key, in memory: admitted while what the key was charged in the current
 * slot and the slots before it (one window in all), plus this charge, stays within the limit. Keyed
 * by address rather than connection, so reconnecting does not refill it.
 */
export class RollingQuota {
  readonly #keys = new Map<string, Usage>();
  readonly #slotMs: number;

  constructor(private readonly options: RollingQuotaOptions) {
    this.#slotMs = options.windowMs / options.slots;
  }

  /** Keys currently remembered (bounded by maxKeys). */
  get size(): number {
    return this.#keys.size;
  }

  get limit(): number {
    return this.options.limit;
  }

  /** What `key` was charged within the window ending now. */
  used(key: string, now: number): number {
    const usage = this.#keys.get(key);
    if (usage === undefined) return 0;
    this.#advance(usage, now);
    return usage.used;
  }

  fits(key: string, amount: number, now: number): boolean {
    return this.used(key, now) + amount <= this.options.limit;
  }

  charge(key: string, amount: number, now: number): void {
    let usage = this.#keys.get(key);
    if (usage === undefined) {
      if (this.#keys.size >= this.options.maxKeys) this.#forgetStalest();
      usage = { slot: this.#slotOf(now), counts: new Float64Array(this.options.slots), used: 0 };
    } else {
      this.#keys.delete(key);
      this.#advance(usage, now);
    }
    this.#keys.set(key, usage);
    usage.counts[usage.slot % this.options.slots]! += amount;
    usage.used += amount;
  }

  /** Charges and returns true if it fits; otherwise changes nothing and returns false. */
  tryCharge(key: string, amount: number, now: number): boolean {
    if (!this.fits(key, amount, now)) return false;
    this.charge(key, amount, now);
    return true;
  }

  /**
   * Map order is insertion order and every charge re-inserts, so the first key is the stalest.
   * A kept key found on the way moves to the back, so each is passed over once per round, not
   * on every eviction. If every key is kept (config prevents it), the stalest goes anyway.
   */
  #forgetStalest(): void {
    const keep = this.options.keep;
    for (let tries = this.#keys.size; tries > 0; tries--) {
      const [key, usage] = this.#keys.entries().next().value!;
      this.#keys.delete(key);
      if (keep === undefined || !keep(key)) return;
      this.#keys.set(key, usage);
    }
    const stalest = this.#keys.keys().next();
    if (stalest.done !== true) this.#keys.delete(stalest.value);
  }

  #slotOf(now: number): number {
    return Math.floor(now / this.#slotMs);
  }

  /** Empties the slots that fell out of the window since the key's last charge. */
  #advance(usage: Usage, now: number): void {
    const current = this.#slotOf(now);
    if (current <= usage.slot) return;
    const { slots } = this.options;
    if (current - usage.slot >= slots) {
      usage.counts.fill(0);
      usage.used = 0;
    } else {
      for (let slot = usage.slot + 1; slot <= current; slot++) {
        usage.used -= usage.counts[slot % slots]!;
        usage.counts[slot % slots] = 0;
      }
    }
    usage.slot = current;
  }
}
