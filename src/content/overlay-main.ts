import { buildChrome } from './frame-chrome.ts';
import { FrameController } from './frame-controller.ts';
import { hideInFullscreen } from './fullscreen-hide.ts';
import { browser, hostPort } from './host-port.ts';
import { readSelection } from './page-selection.ts';

// Entry: wiring only. Injected on demand into one tab (activeTab), or by a site the user kept. It
// places a frame and its chrome: the chat itself is an extension page inside the frame,
// cross-origin to the page, so the page's scripts cannot read its text, hear its keystrokes, find
// it with window.find, or type into it. Everything here runs in the extension's isolated world,
// invisible to the page.
const OPEN = '__parleyOverlayOpen';
const scope = globalThis as unknown as Record<string, boolean | undefined>;

if (!scope[OPEN]) {
  scope[OPEN] = true;
  const host = document.createElement('parley-overlay');
  // Closed: the page gets null from host.shadowRoot, so it cannot reach the frame. It can still
  // hide, cover or remove the host element itself (tests/browser/page-covers-overlay.test.ts).
  const shadow = host.attachShadow({ mode: 'closed' });
  // The frame asks the background to close; the background tells this script through its port.
  // The port opens before the frame exists: the background serves the frame only in a tab that has it.
  const closed = new AbortController();
  let frame: FrameController | null = null;
  const send = hostPort(closed.signal, (msg) => {
    if (msg.type === 'close-overlay') closed.abort();
    else if (msg.type === 'overlay-place') frame?.remembered(msg.place);
    else if (msg.type === 'overlay-unread' && Number.isSafeInteger(msg.count)) frame?.unread(msg.count);
    else if (msg.type === 'get-selection') send({ type: 'selection', requestId: msg.requestId, ...readSelection() });
  }, () => {
    // A restarted background knows nothing of this overlay: tell it where it is (and if minimised).
    if (frame?.placed) send({ type: 'save-place', place: frame.place });
  });
  const ui = buildChrome(shadow, browser.runtime.getURL('src/overlay/index.html'));
  frame = new FrameController(ui, (place) => send({ type: 'save-place', place }), closed.signal);
  hideInFullscreen(ui.root, closed.signal);
  document.documentElement.append(host);
  closed.signal.addEventListener('abort', () => {
    host.remove();
    scope[OPEN] = false;
  });
}
