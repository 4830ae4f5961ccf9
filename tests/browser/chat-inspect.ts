import type { Frame, Page } from 'playwright-core';

/** What a chat view shows, read from its DOM (the popup's document or the overlay frame's). */
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
 * Runs in the view. `root` is the view's document; `frameSelector`
 * names the element the view lives in (the popup body, the overlay panel). Kept as source text
 * so no build helper leaks into it.
 */
export const REPORT_SOURCE = `function (root, frameSelector) {
  const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; };
  const log = root.querySelector('[data-testid=chat-log]');
  const frameEl = root.querySelector(frameSelector);
  const frame = box(frameEl);
  const messages = [...log.querySelectorAll('[data-testid=message]')];
  const allowed = new Set(['class', 'role', 'aria-live', 'dir', 'href', 'target', 'rel']);
  const stray = [];
  // The line's own controls (chat-line.tsx: actions menu, Show more, reactions, quote) are made by
  // Parley, not from message text: their buttons and aria attributes are left out of the count.
  const controls = '[data-testid=line-actions],[data-testid=line-menu],[data-testid=show-more],[data-testid=reactions],[data-testid=quote],[data-testid=edited]';
  const made = [...log.querySelectorAll('*')].filter((el) => !el.closest(controls));
  for (const el of made) {
    // The virtualized log's spacers (chat-log.tsx) are the one place a style attribute belongs.
    for (const a of el.attributes) if (!allowed.has(a.name) && !a.name.startsWith('data-') && !(a.name === 'style' && el.classList.contains('pl-spacer'))) stray.push(el.tagName + '[' + a.name + ']');
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
    tags: [...new Set(made.map((e) => e.tagName))].sort(),
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
 * The page overlay's chat is an extension page in a frame (inside a closed shadow root that page
 * scripts cannot reach); Playwright reaches the frame itself. Its document is the root, the
 * overlay panel the frame.
 */
export async function overlayReport(frame: Frame): Promise<ChatReport> {
  return frame.evaluate(`(${REPORT_SOURCE})(document, '[data-testid=overlay]')`);
}

/** Counts how often each text shows as a message. */
export const occurrences = (texts: string[], text: string): number => texts.filter((t) => t === text).length;
