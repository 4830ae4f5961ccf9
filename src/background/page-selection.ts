import type { Background } from './context.ts';
import type { OverlayHostToBackground } from '../shared/view-messages.ts';
import { MAX_PAGE_URL_CHARS, MAX_QUOTE_CHARS, MAX_QUOTE_CONTEXT_CHARS } from '../shared/constants.ts';

/** The page's selection as its content script read it (OverlayHostToBackground 'selection'). */
export type PageSelection = Omit<Extract<OverlayHostToBackground, { type: 'selection' }>, 'type' | 'requestId'>;

// get-selection asks the content script of a tab; its answer comes back on the host port.
const waiting = new Map<number, (answer: PageSelection | null) => void>();
let nextId = 1;

/** Asks the overlay's content script in `tabId` for the page's selection; null: no answer in time. */
export function requestSelection(bg: Background, tabId: number, timeoutMs = 2_000): Promise<PageSelection | null> {
  const port = bg.overlayHosts.get(tabId);
  if (!port) return Promise.resolve(null);
  const requestId = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(null), timeoutMs);
    function finish(answer: PageSelection | null) {
      clearTimeout(timer);
      waiting.delete(requestId);
      resolve(answer);
    }
    waiting.set(requestId, finish);
    try {
      port.postMessage({ type: 'get-selection', requestId });
    } catch {
      finish(null);
    }
  });
}

const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

/** A selection message from a host port: checked (types and lengths), then given to its request. */
export function selectionAnswered(msg: unknown): void {
  const m = msg as Record<string, unknown>;
  const done = typeof m.requestId === 'number' ? waiting.get(m.requestId) : undefined;
  if (!done) return;
  const ok = str(m.text, MAX_QUOTE_CHARS) && str(m.url, MAX_PAGE_URL_CHARS)
    && str(m.prefix, MAX_QUOTE_CONTEXT_CHARS) && str(m.suffix, MAX_QUOTE_CONTEXT_CHARS);
  done(ok ? { text: m.text as string, url: m.url as string, prefix: m.prefix as string, suffix: m.suffix as string } : null);
}
