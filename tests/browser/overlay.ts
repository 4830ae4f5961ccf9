import type { CDPSession, Page } from 'playwright-core';

/**
 * The overlay lives in a closed shadow root, so neither the page nor Playwright's selectors can
 * reach it. The DevTools protocol can (DOM.getDocument with pierce), which is how a test looks.
 */
export class OverlayView {
  private constructor(private readonly page: Page, private readonly cdp: CDPSession) {}

  static async on(page: Page): Promise<OverlayView> {
    return new OverlayView(page, await page.context().newCDPSession(page));
  }

  /** Node ids of `selector` inside the overlay's shadow root, or [] if it is not there. */
  async #query(selector: string): Promise<number[]> {
    const { root } = await this.cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const host = await this.cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'parley-overlay' });
    if (!host.nodeId) return [];
    const { node } = await this.cdp.send('DOM.describeNode', { nodeId: host.nodeId, depth: 1, pierce: true });
    const shadow = node.shadowRoots?.[0];
    if (!shadow) return [];
    // describeNode gives backend ids; push them to get node ids we can query under.
    const { nodeIds } = await this.cdp.send('DOM.pushNodesByBackendIdsToFrontend', { backendNodeIds: [shadow.backendNodeId] });
    const { nodeIds: found } = await this.cdp.send('DOM.querySelectorAll', { nodeId: nodeIds[0]!, selector });
    return found;
  }

  async #call<T>(nodeId: number, fn: string): Promise<T> {
    const { object } = await this.cdp.send('DOM.resolveNode', { nodeId });
    const { result } = await this.cdp.send('Runtime.callFunctionOn', { objectId: object.objectId!, functionDeclaration: fn, returnByValue: true });
    return result.value as T;
  }

  async isOpen(): Promise<boolean> {
    return (await this.#query('[data-testid=overlay]')).length > 0;
  }

  async messages(): Promise<string[]> {
    const ids = await this.#query('[data-testid=message] .pl-text');
    return Promise.all(ids.map((id) => this.#call<string>(id, 'function () { return this.textContent; }')));
  }

  /** Waits until `predicate` holds for the overlay's messages; re-checks on each DOM change. */
  async waitForMessages(predicate: (texts: string[]) => boolean, timeoutMs = 15_000): Promise<string[]> {
    const end = Date.now() + timeoutMs;
    await this.cdp.send('DOM.enable');
    for (;;) {
      const texts = await this.messages();
      if (predicate(texts)) return texts;
      if (Date.now() > end) throw new Error(`overlay: condition not met; messages are ${JSON.stringify(texts)}`);
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(timer); this.cdp.off('DOM.documentUpdated', done); this.cdp.off('DOM.childNodeCountUpdated', done); this.cdp.off('DOM.childNodeInserted', done); this.cdp.off('DOM.characterDataModified', done); resolve(); };
        const timer = setTimeout(done, 250);
        this.cdp.on('DOM.childNodeInserted', done);
        this.cdp.on('DOM.childNodeCountUpdated', done);
        this.cdp.on('DOM.characterDataModified', done);
        this.cdp.on('DOM.documentUpdated', done);
      });
    }
  }

  async waitOpen(timeoutMs = 15_000): Promise<void> {
    await this.page.waitForFunction(() => !!document.querySelector('parley-overlay'), null, { timeout: timeoutMs });
  }

  /** Types into the overlay's composer with real key events and presses Enter. */
  async send(text: string): Promise<void> {
    const [box] = await this.#query('[data-testid=composer]');
    if (!box) throw new Error('overlay: no composer');
    await this.cdp.send('DOM.focus', { nodeId: box });
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
  }

  async close(): Promise<void> {
    const [button] = await this.#query('[data-testid=close-overlay]');
    if (!button) throw new Error('overlay: no close button');
    await this.#call(button, 'function () { this.click(); }');
  }
}
