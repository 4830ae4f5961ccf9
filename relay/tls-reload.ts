import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { Logger } from './log.ts';

export interface TlsPaths {
  readonly cert: string;
  readonly key: string;
}

export interface TlsPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Reads and checks a pair: a key that does not match its certificate throws, like a bad PEM. */
export function loadTlsPair(paths: TlsPaths): TlsPair {
  const pair = { cert: readFileSync(paths.cert), key: readFileSync(paths.key) };
  createSecureContext(pair);
  return pair;
}

/**
 * What the files are now: stat follows symbolic links, so certbot re-pointing live/cert.pem at a
 * new archive file changes the inode even when size and time happen to match.
 */
function stamp(paths: TlsPaths): string {
  return [paths.cert, paths.key].map((path) => {
    try {
      const s = statSync(path);
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (error) {
      return `missing:${(error as NodeJS.ErrnoException).code ?? ''}`;
    }
  }).join('|');
}

/**
 * Swaps a renewed certificate into a running https server (docs/protocol.md, "TLS renewal"): new
 * connections get it, open ones keep theirs. A pair that fails to load leaves the old one serving.
 */
export class TlsReloader {
  #seen: string;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly server: Server,
    private readonly paths: TlsPaths,
    private readonly log: Logger,
    intervalMs: number,
  ) {
    this.#seen = stamp(paths);
    this.#timer = setInterval(() => {
      if (stamp(this.paths) !== this.#seen) this.reload('changed');
    }, intervalMs);
    this.#timer.unref();
  }

  reload(reason: 'signal' | 'changed'): void {
    // Remembered whatever the outcome: a bad pair is retried when it changes again, not every poll.
    this.#seen = stamp(this.paths);
    let pair: TlsPair;
    try {
      pair = loadTlsPair(this.paths);
    } catch (error) {
      this.log.error('tls_reload_failed', { reason, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.server.setSecureContext(pair);
    const cert = new X509Certificate(pair.cert);
    this.log.info('tls_reloaded', { reason, serial: cert.serialNumber, validTo: cert.validTo });
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
