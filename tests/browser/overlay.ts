import type { Frame, Page } from 'playwright-core';

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
}
