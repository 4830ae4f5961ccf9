import type { CDPSession } from 'playwright-core';

interface Reply {
  result?: { result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } };
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

  /**
   * Runs `trigger` (the toolbar click) and attaches to the popup it opens. The popup is told apart
   * by being new: the popup page opened in a tab (PopupPage) has the same address, and attaching
   * to that one instead drove the tab, not the toolbar popup.
   */
  static async attach(session: CDPSession, extensionId: string, trigger: () => Promise<void>): Promise<ActionPopup> {
    const prefix = `chrome-extension://${extensionId}/src/popup/`;
    // Listen first, then look, then click: a popup target created at any point is seen.
    const seen: { targetId: string; url: string }[] = [];
    let wake: (() => void) | undefined;
    const note = (info: { targetId: string; url: string }) => {
      seen.push(info);
      wake?.();
    };
    session.on('Target.targetCreated', (e) => note(e.targetInfo));
    session.on('Target.targetInfoChanged', (e) => note(e.targetInfo));
    await session.send('Target.setDiscoverTargets', { discover: true });
    const { targetInfos } = await session.send('Target.getTargets');
    const before = new Set(targetInfos.map((t) => t.targetId));
    await trigger();
    const popupTarget = () => seen.find((t) => t.url.startsWith(prefix) && !before.has(t.targetId));
    const deadline = Date.now() + 15_000;
    while (!popupTarget()) {
      if (Date.now() >= deadline) throw new Error('popup: the toolbar button opened no popup within 15 s');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, deadline - Date.now());
      });
    }
    const { sessionId } = await session.send('Target.attachToTarget', { targetId: popupTarget()!.targetId, flatten: false });
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
    // A script that throws in the popup must fail the test, not come back as undefined.
    const thrown = answer.result?.exceptionDetails;
    if (thrown) throw new Error(`popup: ${thrown.exception?.description ?? thrown.text} (evaluating ${expression.slice(0, 200)})`);
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

  /**
   * Clicks like `click`, but as a user's gesture (Runtime.evaluate's userGesture): what the
   * browser asks of permissions.request, which a script's plain click() is refused.
   */
  async clickAsUser(selector: string): Promise<void> {
    const query = `document.querySelector(${JSON.stringify(selector)})`;
    await this.waitFor(query);
    const id = this.#nextId++;
    const reply = new Promise<Reply>((resolve) => this.#pending.set(id, resolve));
    await this.session.send('Target.sendMessageToTarget', {
      sessionId: this.sessionId,
      message: JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression: `${query}.click()`, userGesture: true } }),
    });
    const answer = await reply;
    this.#pending.delete(id);
    if (answer.error) throw new Error(answer.error.message);
  }
}
