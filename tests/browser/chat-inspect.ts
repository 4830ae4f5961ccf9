import type { CDPSession, Page } from 'playwright-core';

/** What a chat view shows, read from its DOM (the popup's document or the overlay's shadow root). */
export interface ChatReport {
  texts: string[];
  links: Array<Array<{ href: string; text: string; rel: string; target: string }>>;
  notices: string[];
  /** Every distinct tag name inside the chat log. */
  tags: string[];
  /** Attributes inside the chat log that no chat component sets (event handlers, src, style...). */
  strayAttributes: string[];
  layout: {
    frame: Box;
    viewport: { width: number; height: number };
    log: { scrollWidth: number; clientWidth: number; box: Box };
    /** Message bubbles that stick out of the log, or whose content overflows them sideways. */
    overflowing: string[];
    /** Per message: does its text need to scroll sideways inside its own bubble? */
    textScrolls: boolean[];
    composer: { box: Box; visible: boolean } | null;
    send: { box: Box; visible: boolean } | null;
  };
}

export interface Box { left: number; top: number; right: number; bottom: number; width: number; height: number }

/**
 * Runs in the view. `root` is the popup's document or the overlay's shadow root; `frameSelector`
 * names the element the view lives in (the popup body, the overlay panel). Kept as source text
 * so no build helper leaks into it.
 */
const REPORT_SOURCE = `function (root, frameSelector) {
  const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; };
  const log = root.querySelector('[data-testid=chat-log]');
  const frameEl = root.querySelector(frameSelector);
  const frame = box(frameEl);
  const messages = [...log.querySelectorAll('[data-testid=message]')];
  const allowed = new Set(['class', 'role', 'aria-live', 'dir', 'href', 'target', 'rel']);
  const stray = [];
  for (const el of log.querySelectorAll('*')) {
    for (const a of el.attributes) if (!allowed.has(a.name) && !a.name.startsWith('data-')) stray.push(el.tagName + '[' + a.name + ']');
  }
  const overflowing = [];
  const logBox = box(log);
  for (const [i, m] of messages.entries()) {
    const b = box(m);
    const text = m.querySelector('.pl-text');
    if (b.left < logBox.left - 0.5 || b.right > logBox.right + 0.5) overflowing.push('bubble ' + i + ' ' + JSON.stringify(b));
    if (m.scrollWidth > m.clientWidth + 1) overflowing.push('bubble content ' + i + ' ' + m.scrollWidth + '>' + m.clientWidth);
    const t = box(text);
    if (t.left < b.left - 0.5 || t.right > b.right + 0.5) overflowing.push('text box ' + i + ' ' + JSON.stringify(t));
  }
  const seen = (el) => {
    if (!el) return null;
    const b = box(el);
    const hit = root.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
    return { box: b, visible: b.width > 0 && b.height > 0 && (hit === el || el.contains(hit)) };
  };
  return {
    texts: messages.map((m) => m.querySelector('.pl-text').textContent),
    links: messages.map((m) => [...m.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href'), text: a.textContent, rel: a.rel, target: a.target }))),
    notices: [...log.querySelectorAll('[data-testid=notice]')].map((n) => n.textContent),
    tags: [...new Set([...log.querySelectorAll('*')].map((e) => e.tagName))].sort(),
    strayAttributes: [...new Set(stray)],
    layout: {
      frame,
      viewport: { width: innerWidth, height: innerHeight },
      log: { scrollWidth: log.scrollWidth, clientWidth: log.clientWidth, box: logBox },
      overflowing,
      textScrolls: messages.map((m) => { const t = m.querySelector('.pl-text'); return t.scrollWidth > t.clientWidth + 1; }),
      composer: seen(root.querySelector('[data-testid=composer]')),
      send: seen(root.querySelector('[data-testid=send]')),
    },
  };
}`;

/** The popup (opened in a tab): its document is the root, its body the frame. */
export async function popupReport(page: Page): Promise<ChatReport> {
  return page.evaluate(`(${REPORT_SOURCE})(document, 'body')`);
}

/**
 * The page overlay lives in a closed shadow root that page scripts cannot reach; the DevTools
 * protocol can (DOM.getDocument with pierce), which is how a test looks inside.
 */
export class ShadowInspector {
  private constructor(private readonly cdp: CDPSession) {}

  static async on(page: Page): Promise<ShadowInspector> {
    return new ShadowInspector(await page.context().newCDPSession(page));
  }

  /** Calls `fnSource` (a function's source text) with `this` = the overlay's shadow root. */
  async call<T>(fnSource: string, ...args: unknown[]): Promise<T> {
    const { root } = await this.cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const host = await this.cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'parley-overlay' });
    if (!host.nodeId) throw new Error('no parley-overlay on the page');
    const { node } = await this.cdp.send('DOM.describeNode', { nodeId: host.nodeId, depth: 1, pierce: true });
    const shadow = node.shadowRoots?.[0];
    if (!shadow) throw new Error('parley-overlay has no shadow root');
    const { object } = await this.cdp.send('DOM.resolveNode', { backendNodeId: shadow.backendNodeId });
    const { result, exceptionDetails } = await this.cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId!,
      functionDeclaration: fnSource,
      arguments: args.map((value) => ({ value })),
      returnByValue: true,
      awaitPromise: true,
    });
    if (exceptionDetails) throw new Error(`overlay: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as T;
  }

  report(): Promise<ChatReport> {
    return this.call(`function () { return (${REPORT_SOURCE})(this, '[data-testid=overlay]'); }`);
  }

  /** Resolves once `expression` (with `root` = the shadow root) is truthy; checked on each change. */
  async waitFor(expression: string, timeoutMs = 30_000): Promise<void> {
    const ok = await this.call<boolean>(`function () {
      const root = this;
      const test = () => { try { return !!(${expression}); } catch { return false; } };
      return new Promise((resolve) => {
        if (test()) return resolve(true);
        const observer = new MutationObserver(() => { if (test()) { observer.disconnect(); clearTimeout(timer); resolve(true); } });
        observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
        const timer = setTimeout(() => { observer.disconnect(); resolve(test()); }, ${timeoutMs});
      });
    }`);
    if (!ok) throw new Error(`overlay: timed out waiting for ${expression}`);
  }

  composerValue(): Promise<string> {
    return this.call(`function () { return this.querySelector('[data-testid=composer]').value; }`);
  }

  async detach(): Promise<void> {
    await this.cdp.detach();
  }
}

/** Counts how often each text shows as a message. */
export const occurrences = (texts: string[], text: string): number => texts.filter((t) => t === text).length;
