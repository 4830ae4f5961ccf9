import type { RelayConfig } from './config.ts';
import { addressByteBurstKb } from './config.ts';
import { BufferSignal, type QueueAccount } from './peer.ts';
import type { Budget } from './rate-gate.ts';
import { TokenBucket } from './token-bucket.ts';

/** What one address has open, in progress and buffered, and the budgets all its connections share. */
export interface AddressEntry extends QueueAccount {
  readonly key: string;
  open: number;
  handshakes: number;
  readonly budget: Budget;
  readonly connects: TokenBucket;
  /** The last socket found the connect bucket empty: further ones are dropped at accept while it stays empty. */
  overConnectRate: boolean;
}

/** Relay-wide counts, so the caps in all need no scan. */
export interface LedgerTotals extends QueueAccount {
  open: number;
  handshakes: number;
}

/**
 * Per-address accounting. An entry outlives its address's last connection until all its budgets
 * have refilled, so reconnecting gains nothing; then it is forgotten, which loses nothing. The
 * table is bounded: when full, the least recently used address with nothing open is forgotten
 * early (config guarantees room for every address that has something open).
 */
export class AddressLedger {
  readonly totals: LedgerTotals = { open: 0, handshakes: 0, queuedBytes: 0, freed: new BufferSignal(), holders: new Set() };
  readonly #entries = new Map<string, AddressEntry>();

  constructor(private readonly config: RelayConfig) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The address's entry, created if needed and marked as recently used; undefined if the table is full. */
  entry(key: string, now: number): AddressEntry | undefined {
    let entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return entry;
    }
    if (this.#entries.size >= this.config.maxTrackedAddresses && !this.#evictOne()) return undefined;
    const c = this.config;
    entry = {
      key,
      open: 0,
      handshakes: 0,
      queuedBytes: 0,
      freed: new BufferSignal(),
      holders: new Set(),
      overConnectRate: false,
      budget: {
        frames: new TokenBucket(c.addressRatePerSec, c.addressRateBurst, now),
        bytes: new TokenBucket(c.addressRateKbPerSec * 1024, addressByteBurstKb(c) * 1024, now),
      },
      connects: new TokenBucket(c.addressConnectsPerMin / 60, c.addressConnectBurst, now),
    };
    this.#entries.set(key, entry);
    return entry;
  }

  /** The address's entry if it has one, without marking it used. */
  peek(key: string): AddressEntry | undefined {
    return this.#entries.get(key);
  }

  /** Forgets addresses with nothing open whose budgets are full again. */
  sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (idle(entry) && refilled(entry, now)) this.#entries.delete(key);
    }
  }

  #evictOne(): boolean {
    for (const [key, entry] of this.#entries) {
      if (!idle(entry)) continue;
      this.#entries.delete(key);
      return true;
    }
    return false;
  }
}

const idle = (entry: AddressEntry): boolean => entry.open === 0 && entry.handshakes === 0 && entry.queuedBytes === 0;

const refilled = (entry: AddressEntry, now: number): boolean =>
  entry.connects.isFull(now) && entry.budget.frames.isFull(now) && entry.budget.bytes.isFull(now);
