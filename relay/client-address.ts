import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** An IPv4 address mapped into IPv6 is the IPv4 address; anything else as it is. */
export const plainAddress = (remote: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote)?.[1] ?? remote;

/**
 * Who a request comes from (docs/protocol.md, "Handshake policies"): the TCP peer, or, when the
 * peer is a listed proxy, the last X-Forwarded-For entry: the one that proxy added. Earlier
 * entries come from the client and are never read.
 */
export function clientAddresses(trustedProxies: readonly string[]): {
  readonly isTrustedProxy: (remote: string | undefined) => boolean;
  readonly of: (req: IncomingMessage) => string | undefined;
} {
  const trusted = new Set(trustedProxies.map(plainAddress));
  const isTrustedProxy = (remote: string | undefined): boolean => remote !== undefined && trusted.has(plainAddress(remote));
  const of = (req: IncomingMessage): string | undefined => {
    const remote = req.socket.remoteAddress;
    if (!isTrustedProxy(remote)) return remote;
    const header = req.headers['x-forwarded-for'];
    const last = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').at(-1)?.trim() ?? '';
    return isIP(last) === 0 ? remote : last;
  };
  return { isTrustedProxy, of };
}
