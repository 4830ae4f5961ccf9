import type { Runtime } from 'webextension-polyfill';
import type { BackgroundToOffscreen, OffscreenToBackground } from '../shared/offscreen-messages.ts';
// The same connection code the offscreen document runs: in Firefox the background page is a
// window with RTCPeerConnection, so it hosts them itself (docs/architecture.md "The direct path").
import { directConnections } from '../offscreen/peer-connections.ts';

type Connections = ReturnType<typeof directConnections>;

/**
 * Firefox's host: the connections live in the background page itself, behind the same messages as
 * Chrome's offscreen document. Made on the first message after a release, as a document would be;
 * a release closes them all and ends their messages. It never goes on its own: when Firefox stops
 * the event page, the page's state goes with it, and a new page starts with none.
 */
export class PagePeerHost {
  #conns: { handle: Connections['handle']; end(): void } | null = null;

  constructor(private readonly onMessage: (msg: OffscreenToBackground) => void) {}

  static supported(): boolean {
    // Firefox without WebRTC (media.peerconnection.enabled false) has no such constructor.
    return typeof (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function';
  }

  send(msg: BackgroundToOffscreen): void {
    (this.#conns ??= this.#make()).handle(msg);
  }

  release(): void {
    const conns = this.#conns;
    this.#conns = null;
    conns?.end();
  }

  accept(port: Runtime.Port): void {
    port.disconnect();
  }

  #make(): { handle: Connections['handle']; end(): void } {
    let live = true;
    // As over a port: what the connections say reaches the background later, never inside the
    // background's own call that caused it, and nothing once released.
    const post = (msg: OffscreenToBackground): void => {
      if (!live) return;
      queueMicrotask(() => { if (live) this.onMessage(msg); });
    };
    const conns = directConnections(post);
    return {
      handle: conns.handle,
      end: () => {
        live = false;
        conns.closeAll();
      },
    };
  }
}
