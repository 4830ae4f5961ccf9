import type { CDPSession } from 'playwright-core';

interface Reply {
  result?: { result: { value?: unknown } };
  error?: { message: string };
}

/**
 * The popup the toolbar button opens. Playwright does not surface it as a Page, so this speaks
 * the DevTools protocol to it directly; it only needs to evaluate and wait.
 */
export class ActionPopup {
  #nextId = 1;
  #pending = new Map<number, (reply: Reply) => void>();

  private constructor(private readonly session: CDPSession, private readonly sessionId: string) {
    session.on('Target.receivedMessageFromTarget', (event) => {
      if (event.sessionId !== this.sessionId) return;
      const reply = JSON.parse(event.message) as Reply & { id?: number };
      if (reply.id !== undefined) this.#pending.get(reply.id)?.(reply);
    });
  }

  static async attach(session: CDPSession, extensionId: string): Promise<ActionPopup> {
    const prefix = `chrome-extension://${extensionId}/src/popup/`;
    let target: { targetId: string } | undefined;
    // The popup target appears a moment after the click; wait for the browser to report it.
    await session.send('Target.setDiscoverTargets', { discover: true });
    const found = new Promise<string>((resolve) => {
      session.on('Target.targetCreated', (e) => { if (e.targetInfo.url.startsWith(prefix)) resolve(e.targetInfo.targetId); });
      session.on('Target.targetInfoChanged', (e) => { if (e.targetInfo.url.startsWith(prefix)) resolve(e.targetInfo.targetId); });
    });
    const { targetInfos } = await session.send('Target.getTargets');
    target = targetInfos.find((t) => t.url.startsWith(prefix));
    const targetId = target?.targetId ?? (await found);
    const { sessionId } = await session.send('Target.attachToTarget', { targetId, flatten: false });
    const popup = new ActionPopup(session, sessionId);
    await popup.waitFor('document.readyState === "complete" && !!document.querySelector("[data-testid=connection]")');
    return popup;
  }

  async evaluate<T>(expression: string): Promise<T> {
    const id = this.#nextId++;
    const reply = new Promise<Reply>((resolve) => this.#pending.set(id, resolve));
    await this.session.send('Target.sendMessageToTarget', {
      sessionId: this.sessionId,
      message: JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression, returnByValue: true, awaitPromise: true } }),
    });
    const answer = await reply;
    this.#pending.delete(id);
    if (answer.error) throw new Error(answer.error.message);
    return answer.result?.result.value as T;
  }

  /** Resolves when `expression` becomes truthy in the popup, checked on every DOM change. */
  async waitFor(expression: string, timeoutMs = 15_000): Promise<void> {
    const ok = await this.evaluate<boolean>(`new Promise((resolve) => {
      const test = () => { try { return !!(${expression}); } catch { return false; } };
      if (test()) return resolve(true);
      const observer = new MutationObserver(() => { if (test()) { observer.disconnect(); resolve(true); } });
      observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
      setTimeout(() => { observer.disconnect(); resolve(test()); }, ${timeoutMs});
    })`);
    if (!ok) throw new Error(`popup: timed out waiting for ${expression}`);
  }

  /**
   * Clicks the first element matching `selector` once there is one. The popup draws its frame
   * (and the connection badge `attach` waits for) before the background's first state arrives,
   * so the room list, for one, may not be there yet.
   */
  async click(selector: string): Promise<void> {
    const query = `document.querySelector(${JSON.stringify(selector)})`;
    await this.waitFor(query);
    await this.evaluate(`${query}.click()`);
  }
}
