import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import type { BackgroundToView, ViewToBackground } from '../shared/view-messages.ts';

/**
 * A view's port to the background that outlives the service worker. Chrome stops idle workers
 * (and a test may kill one); their ports then disconnect. Opening a new port wakes the worker,
 * so the link reconnects at once and says again which room it is watching: a view never goes
 * stale and an intent sent meanwhile is not lost.
 */
export class BackgroundLink {
  #port: Runtime.Port | null = null;
  #watch: ViewToBackground | null = null;
  /** Messages typed here that the background has not yet shown back as stored, by id. */
  #unconfirmed = new Map<string, ViewToBackground>();
  /**
   * A join sent and not yet answered (room-ready or an error) nor cancelled. Nothing of a waiting
   * join is stored, so a worker that restarted meanwhile never heard of it: it is sent again.
   */
  #join: ViewToBackground | null = null;
  #closed = false;
  #openedAt = 0;
  #refusals = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly name: string, private readonly onMessage: (msg: BackgroundToView) => void) {
    this.#connect();
  }

  #connect(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#openedAt = Date.now();
    const port = browser.runtime.connect({ name: this.name });
    // Attached as the port opens: the background answers at once.
    port.onMessage.addListener((msg: unknown) => {
      this.#confirm(msg as BackgroundToView);
      this.#settleJoin(msg as BackgroundToView);
      this.onMessage(msg as BackgroundToView);
    });
    port.onDisconnect.addListener(() => {
      if (this.#port !== port) return;
      this.#port = null;
      if (this.#closed) return;
      // A worker that restarted is met at once. A port dropped right after opening was refused
      // (an overlay framed where the user did not open it): back off instead of spinning.
      this.#refusals = Date.now() - this.#openedAt < 1_000 ? this.#refusals + 1 : 0;
      if (this.#refusals === 0) this.#connect();
      else this.#retry = setTimeout(() => this.#connect(), Math.min(250 * 2 ** this.#refusals, 30_000));
    });
    this.#port = port;
    if (this.#watch) port.postMessage(this.#watch);
    // A worker that died between Enter and storing the message never saw it: say it again.
    for (const msg of this.#unconfirmed.values()) port.postMessage(msg);
    if (this.#join) port.postMessage(this.#join);
  }

  #confirm(msg: BackgroundToView): void {
    if (this.#unconfirmed.size === 0) return;
    if (msg.type === 'room-item') this.#unconfirmed.delete(msg.item.id);
    if (msg.type === 'room-history') for (const item of msg.items) this.#unconfirmed.delete(item.id);
    if (msg.type === 'error') this.#unconfirmed.clear(); // refused (too long, room gone): not to be retried
  }

  #settleJoin(msg: BackgroundToView): void {
    if (msg.type === 'error' || (msg.type === 'room-ready' && !msg.created)) this.#join = null;
  }

  send(msg: ViewToBackground): void {
    if (msg.type === 'watch-room') this.#watch = msg;
    if (msg.type === 'send-message') this.#unconfirmed.set(msg.id, msg);
    if (msg.type === 'join-room') this.#join = msg;
    if (msg.type === 'cancel-join') this.#join = null;
    if (!this.#port) this.#connect();
    try {
      this.#port!.postMessage(msg);
    } catch {
      // The port died between our check and the post: a fresh one carries the message.
      this.#port = null;
      this.#connect();
      // #connect already sent the watch and every unconfirmed message, this one included.
      if (msg.type !== 'watch-room' && msg.type !== 'send-message' && msg.type !== 'join-room') this.#port!.postMessage(msg);
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#port?.disconnect();
    this.#port = null;
  }
}
