import { render } from 'preact';
import overlayCss from './overlay.css?inline';
import chatCss from '../ui/chat.css?inline';
import { Overlay } from './overlay.tsx';

// Injected on demand into one tab (activeTab). Runs in the extension's isolated world, so this
// flag and everything else here is invisible to the page's own scripts.
const OPEN = '__parleyOverlayOpen';
const scope = globalThis as unknown as Record<string, boolean | undefined>;

if (!scope[OPEN]) {
  scope[OPEN] = true;
  const host = document.createElement('parley-overlay');
  // Closed: the page gets null from host.shadowRoot and cannot read or restyle the chat.
  const root = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = chatCss + overlayCss;
  root.append(style);
  const mount = document.createElement('div');
  root.append(mount);
  document.documentElement.append(host);

  const controller = new AbortController();
  controller.signal.addEventListener('abort', () => {
    render(null, mount);
    host.remove();
    scope[OPEN] = false;
  });
  render(<Overlay close={() => controller.abort()} />, mount);
}
