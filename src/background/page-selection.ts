import type { Runtime } from 'webextension-polyfill';
import { QUOTE_SELECTION_TIMEOUT_MS } from '../shared/constants.ts';
import type { BackgroundToOverlayHost, OverlayHostToBackground } from '../shared/view-messages.ts';

type Selection = Extract<OverlayHostToBackground, { type: 'selection' }>;

let nextRequest = 1;

/**
 * Asks the content script that holds a tab's overlay for the page's selection (get-selection) and
 * waits for its answer with the same requestId, at most QUOTE_SELECTION_TIMEOUT_MS; null: no answer
 * (a page that hangs its main thread, an old content script, a closed port). Only the shape is
 * checked here; quote-selection.ts decides what of it is kept.
 */
export function askSelection(port: Runtime.Port, timeoutMs = QUOTE_SELECTION_TIMEOUT_MS): Promise<Selection | null> {
  const requestId = nextRequest++;
  return new Promise((resolve) => {
    const done = (answer: Selection | null) => {
      clearTimeout(timer);
      port.onMessage.removeListener(onMessage);
      port.onDisconnect.removeListener(onGone);
      resolve(answer);
    };
    const onMessage = (msg: unknown) => {
      if (isSelection(msg) && msg.requestId === requestId) done(msg);
    };
    const onGone = () => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    port.onMessage.addListener(onMessage);
    port.onDisconnect.addListener(onGone);
    try {
      port.postMessage({ type: 'get-selection', requestId } satisfies BackgroundToOverlayHost);
    } catch {
      done(null); // the port closed under us
    }
  });
}

function isSelection(msg: unknown): msg is Selection {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as Record<string, unknown>;
  return m.type === 'selection' && typeof m.requestId === 'number'
    && typeof m.text === 'string' && typeof m.url === 'string' && typeof m.prefix === 'string' && typeof m.suffix === 'string';
}
