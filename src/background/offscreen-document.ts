import type { Runtime } from 'webextension-polyfill';
import type { BackgroundToOffscreen, OffscreenToBackground } from '../shared/offscreen-messages.ts';
import type { PeerHost } from './peer-host.ts';

// Chrome's PeerHost (peer-host.ts): the offscreen document that hosts the direct path's
// RTCPeerConnections (src/offscreen/), because its service worker has none. Made
// on demand, closed when no connection is wanted. Its messages go to it over the port it opens;
// until that port is up they wait here, in order.

/** As built: the page keeps its source path (vite.config.ts names it as an input). */
export const OFFSCREEN_URL = 'src/offscreen/index.html';

interface OffscreenApi {
  createDocument(p: { url: string; reasons: string[]; justification: string }): Promise<void>;
  closeDocument(): Promise<void>;
  hasDocument?(): Promise<boolean>;
}
const offscreenApi = (): OffscreenApi | undefined => (globalThis as unknown as { chrome?: { offscreen?: OffscreenApi } }).chrome?.offscreen;

export class OffscreenDocument implements PeerHost {
  #port: Runtime.Port | null = null;
  #waiting: BackgroundToOffscreen[] = [];
  /** Create and close one at a time, in the order asked. */
  #ops: Promise<void> = Promise.resolve();
  #wanted = false;

  constructor(private readonly onMessage: (msg: OffscreenToBackground) => void, private readonly onGone: () => void) {}

  /** Whether this browser can host one at all (Chrome's offscreen API; Firefox uses page-peer-host.ts). */
  static supported(): boolean {
    return offscreenApi() !== undefined && typeof offscreenApi()!.createDocument === 'function';
  }

  send(msg: BackgroundToOffscreen): void {
    if (this.#port) {
      this.#port.postMessage(msg);
      return;
    }
    this.#waiting.push(msg);
    this.#want(true);
  }

  /** No connection is wanted any more: the document goes. */
  release(): void {
    this.#waiting = [];
    this.#want(false);
  }

  /** The document's port (index.ts hands it over after checking the sender). */
  accept(port: Runtime.Port): void {
    if (!this.#wanted) return port.disconnect();
    this.#port?.disconnect();
    this.#port = port;
    port.onMessage.addListener((msg: unknown) => this.onMessage(msg as OffscreenToBackground));
    port.onDisconnect.addListener(() => {
      if (this.#port !== port) return;
      this.#port = null;
      this.#wanted = false;
      this.onGone();
    });
    for (const msg of this.#waiting.splice(0)) port.postMessage(msg);
  }

  #want(on: boolean): void {
    if (this.#wanted === on) return;
    this.#wanted = on;
    const api = offscreenApi();
    if (!api) return;
    this.#ops = this.#ops.then(async () => {
      if (on) await this.#create(api);
      else {
        const port = this.#port;
        this.#port = null;
        port?.disconnect();
        await api.closeDocument().catch(() => {});
      }
    }).catch((e: unknown) => console.warn('parley: offscreen document', e));
  }

  async #create(api: OffscreenApi): Promise<void> {
    const create = () => api.createDocument({
      url: OFFSCREEN_URL, reasons: ['WEB_RTC'],
      justification: 'Direct, end-to-end encrypted connections between members of a room (WebRTC data channels).',
    });
    try {
      await create();
    } catch {
      // One left from a stopped worker (closing itself, or not yet): closed and made anew, so it
      // holds no connection this background does not know of.
      await api.closeDocument().catch(() => {});
      await create();
    }
  }
}
