import browser from 'webextension-polyfill';
import { OFFSCREEN_PORT, type BackgroundToOffscreen, type OffscreenToBackground } from '../shared/offscreen-messages.ts';
import { directConnections } from './peer-connections.ts';

// The offscreen document (reason WEB_RTC): Chrome's service worker has no RTCPeerConnection, so the
// background keeps them here. It decides nothing: it does what the background asks and reports.
// Without its background it has no purpose: when the port closes (the worker was stopped), it
// closes itself and every connection with it; the background falls back to the relay and opens
// a new document when it wants direct connections again.

const port = browser.runtime.connect({ name: OFFSCREEN_PORT });
let connected = true;
// Nothing is posted once the port has closed: postMessage on it would throw.
const post = (msg: OffscreenToBackground): void => { if (connected) port.postMessage(msg); };
const conns = directConnections(post);
port.onMessage.addListener((msg: unknown) => conns.handle(msg as BackgroundToOffscreen));
port.onDisconnect.addListener(() => {
  connected = false;
  conns.closeAll();
  window.close();
});
post({ type: 'ready' });
