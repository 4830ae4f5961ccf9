import { decodeRelayFrame, encodeFrame } from '../shared/codec.ts';
import { KEEPALIVE_INTERVAL_MS } from '../shared/constants.ts';
import type { ClientToRelay, RelayToClient } from '../shared/protocol.ts';
import type { ConnectionStatus } from '../shared/view-messages.ts';
import { reconnectDelay } from './backoff.ts';

/** How the last connection ended: what the user is told until the next one opens. */
export interface LastClose {
  code: number;
  reason: string;
  /** Whether that socket had opened (a close before opening is "can't reach"). */
  opened: boolean;
  /** Set when Parley gave up on a socket that did not open within this many ms. */
  timedOutMs?: number;
  /**
   * A failure with no reason of its own that closely follows the relay saying why it turns
   * sockets away without a word (see SILENT_AFTER): that reason still holds.
   */
  after?: SilentReason;
}

/**
 * Codes after which a relay drops further sockets before they open, so the browser sees only 1006:
 * a relay restarting (SHUTTING_DOWN), and one that drops an address's sockets at accept while the
 * address is over its connection rate (CONNECTING_TOO_FAST).
 */
export const SILENT_AFTER = ['SHUTTING_DOWN', 'CONNECTING_TOO_FAST'] as const;
export type SilentReason = (typeof SILENT_AFTER)[number];
const CLOSE_CODE_OF: Record<number, SilentReason> = { 4010: 'SHUTTING_DOWN', 4030: 'CONNECTING_TOO_FAST' };
const isSilentReason = (text: string): text is SilentReason => (SILENT_AFTER as readonly string[]).includes(text);

/** How long a socket may take to open before it is given up and retried (see #open). */
export const OPEN_TIMEOUT_MS = 10_000;
/** How long after such a reason failures without one are still told in its words. */
export const RESTART_GRACE_MS = 2 * 60_000;

export interface RelaySocketOptions {
  openTimeoutMs?: number;
}

export interface RelaySocketEvents {
  onOpen(): void;
  onFrame(frame: RelayToClient): void;
  onStatus(status: ConnectionStatus): void;
  onBadFrame(message: string): void;
  /** A socket closed before it opened (the browser does not say why). */
  onUnopened?(url: string): void;
  /** A socket closed (whatever the cause), with how. */
  onClosed?(close: LastClose): void;
}

/**
 * The one WebSocket to one relay (a RelayLink's: relay-link.ts). Reconnects with backoff while `wanted`, and sends a PING well
 * inside Chrome's 30 s window so an active socket keeps the service worker alive.
 */
export class RelaySocket {
  #ws: WebSocket | null = null;
  #url = '';
  #wanted = false;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  /** Per relay address, the last SILENT_AFTER reason it gave and when; gone once a socket opens. */
  readonly #silentReason = new Map<string, { reason: SilentReason; since: number }>();
  readonly #openTimeoutMs: number;
  status: ConnectionStatus = 'offline';
  /** Why the last socket closed; null once a socket is open (or none was tried). */
  lastClose: LastClose | null = null;
  /** When the next attempt starts, while one is scheduled. */
  retryAt: number | null = null;

  get url(): string {
    return this.#url;
  }

  constructor(private readonly events: RelaySocketEvents, options: RelaySocketOptions = {}) {
    this.#openTimeoutMs = options.openTimeoutMs ?? OPEN_TIMEOUT_MS;
  }

  /** Connect (or stay connected) to `url`; a changed url drops the old socket first. */
  want(url: string): void {
    this.#wanted = true;
    if (url !== this.#url) {
      this.#url = url;
      this.#drop();
      this.#attempt = 0;
      this.lastClose = null;
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.retryAt = null;
    }
    if (!this.#ws && this.#retryTimer === undefined) this.#open();
  }

  /**
   * Skips the rest of the backoff: a person looking at Parley (a view opened, "Retry now") should
   * not wait out a delay that was meant for a relay nobody is watching.
   */
  retryNow(): void {
    if (!this.#wanted || this.#ws) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.retryAt = null;
    this.#open();
  }

  stop(): void {
    this.#wanted = false;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.retryAt = null;
    this.lastClose = null;
    this.#silentReason.clear();
    this.#drop();
    this.#setStatus('offline');
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  send(frame: ClientToRelay): boolean {
    if (!this.isOpen) return false;
    this.#ws!.send(encodeFrame(frame));
    return true;
  }

  #open(): void {
    this.#setStatus('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#url);
    } catch (e) {
      this.events.onBadFrame(`Cannot open ${this.#url}: ${(e as Error).message}`);
      this.lastClose = { code: 1006, reason: '', opened: false };
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    let opened = false;
    // A browser gives up on an address that never answers (a blackholed host, a server that
    // accepts and says nothing) only after minutes; until then the banner would have no words.
    const openTimer = setTimeout(() => {
      if (this.#ws !== ws || opened) return;
      this.#drop();
      // No HTTP probe here (relay-status.ts): it would wait on the same silent address.
      this.lastClose = this.#failure({ code: 1006, reason: '', opened: false, timedOutMs: this.#openTimeoutMs });
      this.#setStatus(this.#wanted ? 'connecting' : 'offline');
      if (this.#wanted) this.#scheduleRetry();
    }, this.#openTimeoutMs);
    ws.onopen = () => {
      opened = true;
      clearTimeout(openTimer);
      this.#silentReason.delete(this.#url);
      this.#lastHeard = Date.now();
      this.lastClose = null;
      this.#setStatus('online');
      this.#startKeepalive();
      this.events.onOpen();
    };
    ws.onmessage = (event) => {
      this.#lastHeard = Date.now();
      if (typeof event.data !== 'string') return this.events.onBadFrame('The relay sent a binary frame.');
      const decoded = decodeRelayFrame(event.data);
      // The backoff starts over only once the relay has really served us: a relay that turns the
      // socket away (origin, too many connections) opens it first, and must not be retried twice
      // a second forever.
      if (decoded.ok && decoded.value.type !== 'ERROR') this.#attempt = 0;
      if (decoded.ok) this.events.onFrame(decoded.value);
      else this.events.onBadFrame(decoded.error.message);
    };
    ws.onclose = (event) => {
      clearTimeout(openTimer);
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.heard(this.#url, isSilentReason(event.reason) ? event.reason : CLOSE_CODE_OF[event.code]);
      // A relay that turns a socket away says why in the close (code and the error code as reason).
      this.lastClose = this.#failure({ code: event.code, reason: event.reason, opened });
      if (!opened) this.events.onUnopened?.(this.#url);
      this.events.onClosed?.(this.lastClose);
      this.#stopKeepalive();
      this.#setStatus(this.#wanted ? 'connecting' : 'offline');
      if (this.#wanted) this.#scheduleRetry();
    };
    // Errors are always followed by close, which does the recovery.
    ws.onerror = () => {};
  }

  /**
   * The relay at `url` gave a reason, here or to another socket of ours (the settings check): if
   * it is one after which it drops sockets silently, remember it for the failures that follow.
   */
  heard(url: string, reason: string | undefined): void {
    if (reason !== undefined && isSilentReason(reason)) this.#silentReason.set(url, { reason, since: Date.now() });
  }

  /**
   * A socket that failed without a reason of its own (1006, a timeout) soon after the relay said
   * it was restarting or that we connect too fast is still that, not an unreachable address: say
   * so, for a while.
   */
  #failure(close: LastClose): LastClose {
    const last = this.#silentReason.get(this.#url);
    if (!last || close.opened || close.reason !== '' || Date.now() - last.since > RESTART_GRACE_MS) return close;
    return { ...close, after: last.reason };
  }

  #scheduleRetry(): void {
    clearTimeout(this.#retryTimer);
    const delay = reconnectDelay(this.#attempt++);
    this.retryAt = Date.now() + delay;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.retryAt = null;
      if (this.#wanted && !this.#ws) this.#open();
    }, delay);
    this.events.onStatus(this.status);
  }

  #startKeepalive(): void {
    this.#stopKeepalive();
    this.#keepalive = setInterval(() => {
      // Two silent intervals means the connection is half-open: drop it and reconnect.
      if (Date.now() - this.#lastHeard > 2 * KEEPALIVE_INTERVAL_MS + 5_000) {
        this.#drop();
        this.lastClose = { code: 1006, reason: '', opened: true };
        this.#setStatus('connecting');
        this.#scheduleRetry();
        return;
      }
      this.send({ type: 'PING', t: Date.now() });
    }, KEEPALIVE_INTERVAL_MS);
  }

  #stopKeepalive(): void {
    clearInterval(this.#keepalive);
    this.#keepalive = undefined;
  }

  #drop(): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#stopKeepalive();
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.events.onStatus(status);
  }
}
