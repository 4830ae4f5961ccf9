import type { RelayConfig } from './config.ts';
import type { Peer } from './peer.ts';
import { RollingQuota } from './rolling-quota.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The per-address storage quotas (docs/protocol.md, "Storage quotas"): bytes stored per day and
 * rooms created per hour. They live as long as the relay process, not the connection.
 */
export class AddressQuotas {
  readonly #addresses = new WeakMap<Peer, string>();
  readonly bytes: RollingQuota;
  readonly rooms: RollingQuota;

  /** `live` tells an address with a connection open: its usage is never forgotten to make room. */
  constructor(config: RelayConfig, live: (key: string) => boolean = () => false, private readonly clock: () => number = Date.now) {
    this.bytes = new RollingQuota({
      limit: config.addressStoredKbPerDay * 1024, windowMs: DAY_MS, slots: 24, maxKeys: config.quotaMaxAddresses, keep: live,
    });
    this.rooms = new RollingQuota({
      limit: config.addressRoomsPerHour, windowMs: HOUR_MS, slots: 12, maxKeys: config.quotaMaxAddresses, keep: live,
    });
  }

  /** Called once per accepted connection with its address key (relay/address-key.ts). */
  bind(peer: Peer, key: string): void {
    this.#addresses.set(peer, key);
  }

  /** Charges `bytes` to the peer's address if its daily quota still holds them. */
  tryStoreBytes(peer: Peer, bytes: number): boolean {
    return this.bytes.tryCharge(this.#key(peer), bytes, this.clock());
  }

  canCreateRoom(peer: Peer): boolean {
    return this.rooms.fits(this.#key(peer), 1, this.clock());
  }

  roomCreated(peer: Peer): void {
    this.rooms.charge(this.#key(peer), 1, this.clock());
  }

  #key(peer: Peer): string {
    return this.#addresses.get(peer) ?? 'unknown';
  }
}
