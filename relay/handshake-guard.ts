import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../src/shared/protocol.ts';
import { addressKey } from './address-key.ts';
import type { AddressEntry, AddressLedger } from './address-ledger.ts';
import type { RelayConfig } from './config.ts';

/**
 * How long a turned-away socket gets to take its ERROR and close frames and answer the close.
 * A loopback or internet round trip is well under it; a client that never answers holds a
 * descriptor no longer than this.
 */
export const TURN_AWAY_GRACE_MS = 1_000;

export interface Admitted {
  readonly entry: AddressEntry;
  /** The address opened connections faster than ADDRESS_CONNECTS_PER_MIN allows. */
  readonly tooFast: boolean;
}

interface Pending {
  readonly socket: Socket;
  readonly entry: AddressEntry;
  readonly tooFast: boolean;
  /** From a TRUSTED_PROXIES address: the client's own address is known only at the upgrade. */
  readonly proxied: boolean;
  timer: NodeJS.Timeout;
  done: boolean;
}

/**
 * Every TCP socket from its accept until it is an admitted WebSocket (or closes): counted per
 * address and in all, and cut if it is not admitted within HANDSHAKE_TIMEOUT_MS. A socket that
 * upgrades and is then turned away (CONNECTING_TOO_FAST, TOO_MANY_CONNECTIONS, ...) stays counted
 * until it closes and is cut TURN_AWAY_GRACE_MS after the turn-away, so turned-away sockets are
 * bounded by the same caps as handshakes. Plain HTTP requests (/healthz, /metrics) are sockets
 * that never upgrade, so they count the same way and keep-alive sockets are cut after the same
 * time. Refused sockets are dropped without a word: before the upgrade there is no WebSocket to
 * carry a close code, and answering costs what the cap saves.
 */
export class HandshakeGuard {
  // Insertion order is age order: the first pending of an address is its oldest.
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly ledger: AddressLedger,
    private readonly config: RelayConfig,
    private readonly count: (code: ErrorCode) => void,
    private readonly isTrustedProxy: (remote: string | undefined) => boolean = () => false,
  ) {}

  /** The server's 'connection' listener. */
  accept(socket: Socket): void {
    const totals = this.ledger.totals;
    const now = performance.now();
    const entry = this.ledger.entry(addressKey(socket.remoteAddress), now);
    // A trusted proxy carries many clients: its per-address checks wait for the upgrade's header.
    const proxied = this.isTrustedProxy(socket.remoteAddress);
    if (entry === undefined || (!proxied && entry.handshakes >= this.config.maxHandshakesPerAddress)) return this.#drop(socket, 'TOO_MANY_HANDSHAKES');
    if (totals.handshakes >= this.config.maxHandshakes && !this.#evictFor(entry)) return this.#drop(socket, 'TOO_MANY_HANDSHAKES');
    const tooFast = !proxied && !entry.connects.take(now);
    // The first socket over the rate is upgraded to hear CONNECTING_TOO_FAST in words; the rest,
    // while the bucket stays empty, are not worth the TLS and HTTP work of an upgrade.
    if (tooFast && entry.overConnectRate) return this.#drop(socket, 'CONNECTING_TOO_FAST');
    if (!proxied) entry.overConnectRate = tooFast;
    const id = socketId(socket);
    entry.handshakes++;
    totals.handshakes++;
    const pending: Pending = { socket, entry, tooFast, proxied, timer: this.#cutAfter(socket, this.config.handshakeTimeoutMs, 'HANDSHAKE_TIMEOUT'), done: false };
    this.#pending.set(id, pending);
    socket.once('close', () => {
      this.#finish(pending);
      if (this.#pending.get(id) === pending) this.#pending.delete(id);
    });
  }

  /**
   * The handshake of `req`'s socket, from `clientKey`, completed; it still counts as a handshake
   * until admitted() or it closes. Through a trusted proxy the connect rate is charged here, to
   * the client's entry; undefined if that entry cannot be had (the table is full).
   */
  upgraded(req: IncomingMessage, clientKey: string): Admitted | undefined {
    const pending = this.#pending.get(socketId(req.socket));
    if (pending === undefined) return undefined;
    if (!pending.proxied) return { entry: pending.entry, tooFast: pending.tooFast };
    const now = performance.now();
    const entry = this.ledger.entry(clientKey, now);
    return entry === undefined ? undefined : { entry, tooFast: !entry.connects.take(now) };
  }

  /** `req`'s socket is an open connection now: it stops counting as a handshake. */
  admitted(req: IncomingMessage): void {
    const id = socketId(req.socket);
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    this.#finish(pending);
  }

  /** `req`'s socket was turned away: it keeps counting until it closes, and is cut after the grace. */
  turnedAway(req: IncomingMessage): void {
    const pending = this.#pending.get(socketId(req.socket));
    if (pending === undefined || pending.done) return;
    clearTimeout(pending.timer);
    pending.timer = this.#cutAfter(pending.socket, TURN_AWAY_GRACE_MS);
  }

  /**
   * The relay's handshake slots are full: drops the oldest pending socket of the address holding
   * the most, if that is more than `newcomer`'s address would hold with the new one. So a few
   * addresses cannot keep everyone else out by holding every slot.
   */
  #evictFor(newcomer: AddressEntry): boolean {
    let heaviest: AddressEntry | undefined;
    for (const { entry } of this.#pending.values()) if (heaviest === undefined || entry.handshakes > heaviest.handshakes) heaviest = entry;
    if (heaviest === undefined || heaviest.handshakes <= newcomer.handshakes + 1) return false;
    for (const [id, pending] of this.#pending) {
      if (pending.entry !== heaviest) continue;
      this.#pending.delete(id);
      this.#finish(pending);
      this.count('TOO_MANY_HANDSHAKES');
      pending.socket.destroy();
      return true;
    }
    return false;
  }

  #drop(socket: Socket, code: ErrorCode): void {
    this.count(code);
    socket.destroy();
  }

  #cutAfter(socket: Socket, ms: number, code?: ErrorCode): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (code !== undefined) this.count(code);
      socket.destroy();
    }, ms);
    timer.unref();
    return timer;
  }

  #finish(pending: Pending): void {
    if (pending.done) return;
    pending.done = true;
    clearTimeout(pending.timer);
    pending.entry.handshakes--;
    this.ledger.totals.handshakes--;
  }
}

// A TLS socket and the TCP socket under it share both; the upgrade sees the one, accept the other.
const socketId = (socket: Socket): string => `${socket.remoteAddress}|${socket.remotePort}`;
