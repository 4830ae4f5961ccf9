import type { Browser, Runtime } from 'webextension-polyfill';
import { MAX_QUOTE_CHARS, MAX_QUOTE_CONTEXT_CHARS } from '../shared/constants.ts';
import { OVERLAY_HOST_PORT, type BackgroundToOverlayHost, type OverlayHostToBackground } from '../shared/view-messages.ts';

// The content-script side of "Quote selection" (get-selection, answered with selection on the
// overlay host's port). To be folded into the overlay host script (h11-frame): it should call
// answerSelection(port) on each host port it opens, and the bootstrap at the end goes away.

/** The page's selection and a few words around it, read in the isolated world. */
export function readSelection(): { text: string; url: string; prefix: string; suffix: string } {
  const url = location.href;
  const sel = document.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return { text: '', url, prefix: '', suffix: '' };
  const range = sel.getRangeAt(0);
  // A little over the limit: the background cuts at a word and cleans it again (it trusts none of this).
  const text = sel.toString().slice(0, MAX_QUOTE_CHARS + 200);
  const before = document.createRange();
  before.setStart(blockOf(range.startContainer), 0);
  before.setEnd(range.startContainer, range.startOffset);
  const after = document.createRange();
  const endBlock = blockOf(range.endContainer);
  after.setStart(range.endContainer, range.endOffset);
  after.setEnd(endBlock, endBlock.childNodes.length);
  return { text, url, prefix: before.toString().slice(-MAX_QUOTE_CONTEXT_CHARS), suffix: after.toString().slice(0, MAX_QUOTE_CONTEXT_CHARS) };
}

/** The nearest block-level element around `node`: a text fragment's context stays in its paragraph. */
function blockOf(node: Node): Node {
  for (let n: Node | null = node; n; n = n.parentNode) {
    if (n instanceof Element && !getComputedStyle(n).display.startsWith('inline')) return n;
  }
  return document.body ?? document.documentElement;
}

/** Answers the background's get-selection on this host port. */
export function answerSelection(port: Runtime.Port): void {
  port.onMessage.addListener((msg: unknown) => {
    const m = msg as BackgroundToOverlayHost;
    if (m?.type !== 'get-selection') return;
    port.postMessage({ type: 'selection', requestId: m.requestId, ...readSelection() } satisfies OverlayHostToBackground);
  });
}

// Bootstrap until then: injected just before the host script, in the same isolated world, it
// answers on every host port that script opens (also those it opens again after a worker restart).
const scope = globalThis as unknown as { browser?: Browser; chrome?: Browser; __parleySelectionAnswer?: boolean };
if (!scope.__parleySelectionAnswer) {
  scope.__parleySelectionAnswer = true;
  for (const runtime of new Set([scope.browser?.runtime, scope.chrome?.runtime])) {
    if (!runtime) continue;
    const connect = runtime.connect.bind(runtime);
    runtime.connect = ((info?: Runtime.ConnectConnectInfoType) => {
      const port = connect(info);
      if (info?.name === OVERLAY_HOST_PORT) answerSelection(port);
      return port;
    }) as typeof runtime.connect;
  }
}
