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

  constructor(config: RelayConfig, private readonly clock: () => number = Date.now) {
    this.bytes = new RollingQuota({
      limit: config.addressStoredKbPerDay * 1024, windowMs: DAY_MS, slots: 24, maxKeys: config.quotaMaxAddresses,
    });
    this.rooms = new RollingQuota({
      limit: config.addressRoomsPerHour, windowMs: HOUR_MS, slots: 12, maxKeys: config.quotaMaxAddresses,
    });
  }

  /** Called once per accepted connection with its TCP peer address. */
  bind(peer: Peer, address: string): void {
    this.#addresses.set(peer, quotaKey(address));
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

/**
 * One quota key per address a client cannot easily multiply: an IPv4 address as is (also when it
 * arrives IPv4-mapped), an IPv6 address by its /64, since a single host is usually given a whole /64.
 */
export function quotaKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0]!;
  const [head = '', tail] = bare.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups];
  const prefix = groups.slice(0, 4).map((group) => (Number.parseInt(group, 16) || 0).toString(16));
  return `${prefix.join(':')}::/64`;
}
