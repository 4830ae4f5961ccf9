import type { Runtime } from 'webextension-polyfill';
import type { BackgroundToOffscreen, OffscreenToBackground } from '../shared/offscreen-messages.ts';
import { DIRECT_PATH_HOST } from '../shared/browser-target.ts';
import { OffscreenDocument } from './offscreen-document.ts';
import { PagePeerHost } from './page-peer-host.ts';

// Where the direct path's RTCPeerConnections live (docs/architecture.md "The direct path"): the
// background talks to them only through this, and browser-target.ts's DIRECT_PATH_HOST says which.

/** What the background needs of whatever holds the RTCPeerConnections. */
export interface PeerHost {
  /** One message to the host; it may have to be made first (the messages wait, in order). */
  send(msg: BackgroundToOffscreen): void;
  /** No connection is wanted any more: every one closes, without a word back. */
  release(): void;
  /** An offscreen document's port (index.ts checked its sender); a host with no document refuses it. */
  accept(port: Runtime.Port): void;
}

/** Each host tells the background through these two. `onGone`: every connection went with the host. */
export type HostMessage = (msg: OffscreenToBackground) => void;

export function makePeerHost(onMessage: HostMessage, onGone: () => void): PeerHost {
  return DIRECT_PATH_HOST === 'background-page' ? new PagePeerHost(onMessage) : new OffscreenDocument(onMessage, onGone);
}

/** Whether this browser, as it runs now, can hold the connections at all. */
export function peerHostSupported(): boolean {
  return DIRECT_PATH_HOST === 'background-page' ? PagePeerHost.supported() : OffscreenDocument.supported();
}

/** For the state message: Settings shows the "Direct connections" box off, and these words, when it cannot work here. */
export function directUnavailable(): { directUnavailable?: string } {
  return peerHostSupported() ? {} : { directUnavailable: 'This browser does not let Parley make direct connections (WebRTC is turned off or missing here), so every message goes through the relay.' };
}
