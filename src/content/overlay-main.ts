import type { Browser } from 'webextension-polyfill';
import { OVERLAY_HOST_PORT, type BackgroundToOverlayHost } from '../shared/view-messages.ts';

// Only synchronous APIs are used here (connect, getURL), which Chrome's `chrome` and every
// `browser` share, so the page is not handed the 10 KB polyfill.
const browser = ((globalThis as { browser?: Browser }).browser ?? (globalThis as unknown as { chrome: Browser }).chrome);

// Injected on demand into one tab (activeTab). It only places a frame: the chat itself is an
// extension page inside it, cross-origin to the page, so the page's scripts cannot read its text,
// hear its keystrokes, find it with window.find, or type into it. Everything here runs in the
// extension's isolated world, invisible to the page.
const OPEN = '__parleyOverlayOpen';
const scope = globalThis as unknown as Record<string, boolean | undefined>;

// The frame's colour scheme is the overlay page's own (light dark, theme.css): where the two differ,
// Chromium paints an opaque backdrop in the frame element's scheme, a white box under a dark chat.
// Canvas is that scheme's page colour, shown until the chat has drawn.
const FRAME_STYLE = `
  :host { all: initial; }
  iframe {
    position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; width: 320px; height: 420px;
    border: 0; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); background: Canvas;
    color-scheme: light dark;
  }`;

if (!scope[OPEN]) {
  scope[OPEN] = true;
  const host = document.createElement('parley-overlay');
  // Closed: the page gets null from host.shadowRoot, so it cannot reach the frame. It can still
  // hide, cover or remove the host element itself (tests/browser/page-covers-overlay.test.ts).
  const root = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = FRAME_STYLE;
  const frame = document.createElement('iframe');
  frame.title = 'Parley chat';
  frame.src = browser.runtime.getURL('src/overlay/index.html');
  // The frame asks the background to close; the background tells this script through its port.
  // A restarted service worker drops the port, so it is opened again until the overlay closes.
  // It opens before the frame exists: the background serves the frame only in a tab that has it.
  const closed = new AbortController();
  let port = listen();
  root.append(style, frame);
  document.documentElement.append(host);
  closed.signal.addEventListener('abort', () => {
    host.remove();
    port.disconnect();
    scope[OPEN] = false;
  });

  function listen() {
    const opened = browser.runtime.connect({ name: OVERLAY_HOST_PORT });
    opened.onMessage.addListener((msg: unknown) => {
      if ((msg as BackgroundToOverlayHost).type === 'close-overlay') closed.abort();
    });
    opened.onDisconnect.addListener(() => {
      if (!closed.signal.aborted) port = listen();
    });
    return opened;
  }
}
