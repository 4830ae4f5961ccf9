import { isIPv6 } from 'node:net';

/**
 * The key the relay accounts an address under. IPv4 (also when mapped into IPv6) is one address;
 * IPv6 is its /64, because one subscriber usually gets a whole /64 and could otherwise take a
 * fresh address, and a fresh budget, for every connection.
 */
export function addressKey(remote: string | undefined): string {
  if (remote === undefined) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  if (mapped !== null) return mapped[1]!;
  if (!isIPv6(remote)) return remote;
  return `${expand(remote).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, with `::` filled in and zone ids dropped. */
function expand(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  return [...left, ...zeros, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
