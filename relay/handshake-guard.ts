import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../src/shared/protocol.ts';
import { addressKey } from './address-key.ts';
import type { AddressEntry, AddressLedger } from './address-ledger.ts';
import type { RelayConfig } from './config.ts';

export interface Admitted {
  readonly entry: AddressEntry;
  /** The address opened connections faster than ADDRESS_CONNECTS_PER_MIN allows. */
  readonly tooFast: boolean;
}

interface Pending {
  readonly entry: AddressEntry;
  readonly tooFast: boolean;
  readonly timer: NodeJS.Timeout;
  done: boolean;
}

/**
 * Every TCP socket from its accept until it becomes a WebSocket (or closes): counted per address
 * and in all, and cut if it has not upgraded within HANDSHAKE_TIMEOUT_MS. Plain HTTP requests
 * (/healthz, /metrics) are sockets that never upgrade, so they count the same way and keep-alive
 * sockets are cut after the same time. Refused sockets are dropped without a word: before the
 * upgrade there is no WebSocket to carry a close code, and answering costs what the cap saves.
 */
export class HandshakeGuard {
  readonly #pending = new Map<string, Pending>();

  constructor(
    private readonly ledger: AddressLedger,
    private readonly config: RelayConfig,
    private readonly count: (code: ErrorCode) => void,
  ) {}

  /** The server's 'connection' listener. */
  accept(socket: Socket): void {
    const totals = this.ledger.totals;
    const entry = totals.handshakes < this.config.maxHandshakes ? this.ledger.entry(addressKey(socket.remoteAddress), performance.now()) : undefined;
    if (entry === undefined || entry.handshakes >= this.config.maxHandshakesPerAddress) {
      this.count('TOO_MANY_HANDSHAKES');
      socket.destroy();
      return;
    }
    const id = socketId(socket);
    entry.handshakes++;
    totals.handshakes++;
    const timer = setTimeout(() => {
      this.count('HANDSHAKE_TIMEOUT');
      socket.destroy();
    }, this.config.handshakeTimeoutMs);
    timer.unref();
    const pending: Pending = { entry, tooFast: !entry.connects.take(performance.now()), timer, done: false };
    this.#pending.set(id, pending);
    socket.once('close', () => {
      this.#finish(pending);
      if (this.#pending.get(id) === pending) this.#pending.delete(id);
    });
  }

  /** The handshake of `req`'s socket completed; it now counts as an open connection, not a handshake. */
  upgraded(req: IncomingMessage): Admitted | undefined {
    const id = socketId(req.socket);
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    this.#finish(pending);
    return { entry: pending.entry, tooFast: pending.tooFast };
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
