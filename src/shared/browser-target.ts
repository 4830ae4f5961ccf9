// Where Chrome and Firefox differ at run time, in one place (the manifest's differences are in
// build/firefox-manifest.ts; why, in docs/architecture.md "Where the browsers differ and why").
// The build says which browser: `vite build --mode firefox` defines __PARLEY_BROWSER__ as
// 'firefox'. Unit tests run without the define and get Chrome's answers.

declare const __PARLEY_BROWSER__: 'chrome' | 'firefox' | undefined;

export type BrowserName = 'chrome' | 'firefox';
export const BROWSER: BrowserName = typeof __PARLEY_BROWSER__ !== 'undefined' && __PARLEY_BROWSER__ === 'firefox' ? 'firefox' : 'chrome';

/** How often, while a relay link is online or a data channel is open, the background tells the browser it is still busy. */
export const STAY_AWAKE_EVERY_MS = 20_000;

/**
 * Chrome (116+) keeps a service worker alive while its WebSocket carries traffic within 30 s, which
 * the socket's keepalive does. Firefox stops an idle event page after 30 s
 * (extensions.background.idle.timeout) whatever its sockets do: without this call the relay saw
 * the connection close at 30 s and come back only with the next one-minute alarm
 * (tests/firefox/firefox-stays-awake.test.ts fails at 30 s without it). Any extension API call that Firefox answers in its
 * parent process restarts that timer, so while a relay link is open the Firefox build makes one
 * cheap call per STAY_AWAKE_EVERY_MS. With no room joined (no link) it makes none, and the page
 * sleeps as it should.
 */
export function stayAwake(): void {
  // The browser's own API object (not the polyfill, which would load on import in unit tests).
  // Chrome too: with the relay down only data channels may be open, and they carry no traffic the
  // worker's lifetime counts (they live in the offscreen document); an extension API call resets
  // its idle timer as Firefox's does (Chrome 110+).
  type Api = { runtime?: { getPlatformInfo?(): Promise<unknown> } };
  const g = globalThis as unknown as { browser?: Api; chrome?: Api };
  void (g.browser ?? g.chrome)?.runtime?.getPlatformInfo?.()?.catch(() => {});
}

interface NotificationScope {
  registration?: { showNotification(title: string, options: { body: string; tag: string; data: unknown }): Promise<void> };
  Notification?: { permission: string; new (title: string, options: { body: string; tag: string }): { onclick: (() => void) | null; onerror: (() => void) | null; close(): void } };
}

/** Whether this background can show a desktop notification now (the user allowed them). */
export function canNotify(): boolean {
  const scope = globalThis as unknown as NotificationScope;
  if (scope.Notification?.permission !== 'granted') return false;
  // Chrome's worker shows them through its registration; Firefox's event page is a window and
  // constructs them.
  return Boolean(scope.registration) || typeof scope.Notification === 'function';
}

/**
 * Shows one notification per `tag` (a newer one replaces it). `onClick` is called with the tag
 * when Firefox's notification is clicked; Chrome's worker hears clicks as `notificationclick`
 * events (notifications.ts listens for those).
 */
export async function showNotification(title: string, body: string, tag: string, data: unknown, onClick: (tag: string) => void): Promise<void> {
  const scope = globalThis as unknown as NotificationScope;
  if (scope.registration) return scope.registration.showNotification(title, { body, tag, data });
  if (typeof scope.Notification !== 'function') return;
  const shown = new scope.Notification(title, { body, tag });
  shown.onclick = () => {
    shown.close();
    onClick(tag);
  };
  // Firefox without a notification service (headless, some desktops) fails here, after the call.
  shown.onerror = () => console.warn('parley: notification not shown');
}

/**
 * Where the direct path's RTCPeerConnections live (src/background/peer-host.ts makes it). Chrome's
 * service worker has none: an offscreen document (chrome.offscreen, reason WEB_RTC) holds them.
 * Firefox has no offscreen API, but its background is an event page, a window that has
 * RTCPeerConnection: the connections live in the background itself (page-peer-host.ts), behind the
 * same BackgroundToOffscreen / OffscreenToBackground messages. The event page stops after 30 s
 * idle and takes its connections with it, so while a channel is open the background keeps itself
 * awake (stayAwake above, background/index.ts) even when no relay socket is online.
 */
export const DIRECT_PATH_HOST: 'offscreen-document' | 'background-page' = BROWSER === 'firefox' ? 'background-page' : 'offscreen-document';
