import type { CDPSession, Frame, Page } from 'playwright-core';

/**
 * The overlay on a page: an extension page in a frame, inside a closed shadow root. Neither the
 * page nor a selector can reach it through the DOM; Playwright reaches the frame itself, which is
 * how a test looks at it and types into it, the way a person would.
 */
export class OverlayView {
  private constructor(readonly page: Page) {}

  static async on(page: Page): Promise<OverlayView> {
    return new OverlayView(page);
  }

  /** The overlay's frame, or null while there is none. */
  get frame(): Frame | null {
    return this.page.frames().find((f) => f.url().startsWith('chrome-extension://')) ?? null;
  }

  async waitOpen(timeoutMs = 15_000): Promise<Frame> {
    await this.page.waitForFunction(() => !!document.querySelector('parley-overlay'), null, { timeout: timeoutMs });
    // Listen first, then look: the frame may navigate to the extension page in between.
    const navigated = this.page.waitForEvent('framenavigated', {
      predicate: (f) => f.url().startsWith('chrome-extension://'), timeout: timeoutMs,
    });
    const frame = this.frame ?? (await navigated);
    navigated.catch(() => {});
    await frame.getByTestId('overlay').waitFor({ timeout: timeoutMs });
    return frame;
  }

  async isOpen(): Promise<boolean> {
    return this.page.evaluate(() => !!document.querySelector('parley-overlay'));
  }

  #frame(): Frame {
    const frame = this.frame;
    if (!frame) throw new Error('overlay: not open');
    return frame;
  }

  messages(): Promise<string[]> {
    return this.#frame().$$eval('[data-testid=message] .pl-text', (els) => els.map((e) => e.textContent ?? ''));
  }

  /** Waits until `predicate` holds for the overlay's messages, re-checking on each change. */
  async waitForMessages(predicate: (texts: string[]) => boolean, timeoutMs = 15_000): Promise<string[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const texts = await this.messages();
      if (predicate(texts)) return texts;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`overlay: condition not met; messages are ${JSON.stringify(texts)}`);
      const signature = texts.join('\u0000');
      await this.#frame().waitForFunction(
        (sig) => [...document.querySelectorAll('[data-testid=message] .pl-text')].map((e) => e.textContent ?? '').join('\u0000') !== sig,
        signature,
        { timeout: left },
      ).catch(() => {});
    }
  }

  /** Types into the overlay's composer with real key events and presses Enter. */
  async send(text: string): Promise<void> {
    const box = this.#frame().getByTestId('composer');
    await box.click();
    await box.pressSequentially(text);
    await box.press('Enter');
  }

  /**
   * Clicks the overlay's close button and resolves once the page no longer has the overlay.
   * The click removes the very frame it lands in: Playwright's click still has work to do in that
   * frame after the pointer goes down (the button up, then its hit-target report), and when the
   * host script removes the frame first, which a loaded machine makes likely, that click never
   * returns. So the outcome the user sees, the overlay gone from the page (which outlives the
   * frame), decides; a click that fails while the overlay is still there is reported as such.
   */
  async close(): Promise<void> {
    const gone = this.page.waitForFunction(() => !document.querySelector('parley-overlay')).then(() => true, () => false);
    const clicked = this.#frame().getByTestId('close-overlay').click().then(() => null, (error: unknown) => error);
    const first = await Promise.race([gone, clicked]);
    if (first === true) return;
    if (first === null) {
      if (await gone) return;
      throw new Error('overlay: still on the page after its close button was clicked');
    }
    if (!(await this.isOpen())) return; // the click failed only because its frame was gone
    throw first;
  }

  // ---- The chrome around the frame (drag handle, dock, minimise, bubble, resize grip) ----------
  // It lives in the content script's closed shadow root, out of reach of the page and of
  // selectors. The test reaches it the way DevTools does (CDP resolves the shadow root as an
  // object), only to find where a control is drawn and what it says; it acts on it with the real
  // mouse, as a person would, so the content script sees trusted events.

  #cdp: CDPSession | null = null;

  /** Runs `fn` with `this` bound to the overlay's shadow root (in the page's main world, on the test's behalf). */
  async #inShadow<T>(fn: string, arg?: unknown): Promise<T> {
    this.#cdp ??= await this.page.context().newCDPSession(this.page);
    const cdp = this.#cdp;
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    type Node = { nodeName: string; backendNodeId: number; children?: Node[]; shadowRoots?: Node[] };
    const find = (n: Node): Node | null => {
      if (n.nodeName === 'PARLEY-OVERLAY' && n.shadowRoots?.[0]) return n.shadowRoots[0];
      for (const c of n.children ?? []) {
        const hit = find(c);
        if (hit) return hit;
      }
      return null;
    };
    const shadow = find(root as Node);
    if (!shadow) throw new Error('overlay: no shadow root on the page');
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: shadow.backendNodeId });
    const { result, exceptionDetails } = await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId!, functionDeclaration: fn, arguments: [{ value: arg ?? null }], awaitPromise: true, returnByValue: true,
    });
    await cdp.send('Runtime.releaseObject', { objectId: object.objectId! });
    if (exceptionDetails) throw new Error(`overlay: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as T;
  }

  /** Where the control whose accessible name starts with `label` is drawn; null while it is not shown. */
  control(label: string): Promise<{ x: number; y: number; width: number; height: number } | null> {
    return this.#inShadow(`function (label) {
      const el = [...this.querySelectorAll('[aria-label]')].find((e) => e.getAttribute('aria-label').startsWith(label));
      const r = el && el.getBoundingClientRect();
      return r && r.width > 0 ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
    }`, label);
  }

  /** The accessible name of the shown control starting with `label` (the bubble's says the unread count). */
  label(label: string): Promise<string | null> {
    return this.#inShadow(`function (label) {
      const el = [...this.querySelectorAll('[aria-label]')].find((e) => e.getAttribute('aria-label').startsWith(label) && e.getBoundingClientRect().width > 0);
      return el ? el.getAttribute('aria-label') : null;
    }`, label);
  }

  /** The whole panel (handle strip, chat frame), or null while minimised or hidden. */
  panel(): Promise<{ x: number; y: number; width: number; height: number } | null> {
    return this.#inShadow(`function () {
      const r = this.querySelector('.panel').getBoundingClientRect();
      return r.width > 0 ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
    }`);
  }

  /**
   * Waits until `test` (a function source taking the shadow root as `this` and `arg`) holds,
   * re-checking on each change of the chrome's DOM, styles included, and on window resizes.
   */
  async waitChrome(test: string, arg?: unknown, timeoutMs = 15_000): Promise<void> {
    const ok = await this.#inShadow<boolean>(`function (arg) {
      const test = (${test}).bind(this);
      return new Promise((resolve) => {
        const done = (v) => { observer.disconnect(); removeEventListener('resize', check); clearTimeout(timer); resolve(v); };
        const check = () => { if (test(arg)) done(true); };
        const observer = new MutationObserver(check);
        observer.observe(this, { subtree: true, childList: true, attributes: true, characterData: true });
        addEventListener('resize', check);
        const timer = setTimeout(() => done(false), ${timeoutMs});
        check();
      });
    }`, arg);
    if (!ok) throw new Error(`overlay: chrome condition not met: ${test} ${JSON.stringify(arg)}`);
  }

  /** Waits until a control whose accessible name starts with `label` is shown. */
  waitControl(label: string, timeoutMs = 15_000): Promise<void> {
    return this.waitChrome(`function (label) {
      const el = [...this.querySelectorAll('[aria-label]')].find((e) => e.getAttribute('aria-label').startsWith(label));
      return !!el && el.getBoundingClientRect().width > 0;
    }`, label, timeoutMs);
  }

  /** Clicks the control whose accessible name starts with `label`, with the real mouse. */
  async press(label: string): Promise<void> {
    const box = await this.control(label);
    if (!box) throw new Error(`overlay: no control "${label}" shown`);
    await this.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  }

  /** Drags the control starting with `label` by (dx, dy) with the real mouse, in small moves. */
  async drag(label: string, dx: number, dy: number): Promise<void> {
    const box = await this.control(label);
    if (!box) throw new Error(`overlay: no control "${label}" shown`);
    const x = box.x + Math.min(40, box.width / 2);
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + dx, y + dy, { steps: 10 });
    await this.page.mouse.up();
  }

  /** The accessible name of the focused control of the chrome, or null when focus is elsewhere. */
  focused(): Promise<string | null> {
    return this.#inShadow(`function () { return this.activeElement ? this.activeElement.getAttribute('aria-label') : null; }`);
  }

  /** Presses Tab (at most `max` times) until the chrome's control starting with `label` has focus. */
  async tabTo(label: string, max = 20): Promise<void> {
    for (let i = 0; i < max; i++) {
      if ((await this.focused())?.startsWith(label)) return;
      await this.page.keyboard.press('Tab');
    }
    throw new Error(`overlay: Tab never reached "${label}"`);
  }
}
