import type { Browser, Runtime } from 'webextension-polyfill';
import { OVERLAY_HOST_PORT, type BackgroundToOverlayHost, type OverlayHostToBackground } from '../shared/view-messages.ts';

// Only synchronous APIs are used here (connect, getURL), which Chrome's `chrome` and every
// `browser` share, so the page is not handed the 10 KB polyfill.
export const browser = ((globalThis as { browser?: Browser }).browser ?? (globalThis as unknown as { chrome: Browser }).chrome);

/**
 * The content script's port to the background. A restarted service worker drops it, so it is
 * opened again (and `reopened` told) until `signal` aborts.
 */
export function hostPort(signal: AbortSignal, onMessage: (msg: BackgroundToOverlayHost) => void, reopened: () => void): (msg: OverlayHostToBackground) => void {
  let port: Runtime.Port = open();
  function open(): Runtime.Port {
    const opened = browser.runtime.connect({ name: OVERLAY_HOST_PORT });
    opened.onMessage.addListener((msg: unknown) => {
      if (typeof msg === 'object' && msg !== null && typeof (msg as { type?: unknown }).type === 'string') onMessage(msg as BackgroundToOverlayHost);
    });
    opened.onDisconnect.addListener(() => {
      if (signal.aborted) return;
      port = open();
      reopened();
    });
    return opened;
  }
  signal.addEventListener('abort', () => port.disconnect());
  return (msg) => {
    try {
      port.postMessage(msg);
    } catch {
      // Between a worker's restart and our reconnect; the place is told again on reopening.
    }
  };
}
