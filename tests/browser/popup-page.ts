import type { Page } from 'playwright-core';

/** Drives the popup UI the way a person does: through its visible controls. */
export class PopupPage {
  constructor(readonly page: Page) {}

  /** Settings as a person fills them in; `direct`: "Direct connections" ticked or not (else left as it is). */
  async saveSettings(nickname: string, relayUrl: string, options: { direct?: boolean } = {}): Promise<void> {
    await this.page.getByTestId('open-settings').click();
    await this.page.getByTestId('nickname').fill(nickname);
    await this.page.getByTestId('relay-url').fill(relayUrl);
    if (options.direct !== undefined) await this.page.getByTestId('direct-connections').setChecked(options.direct);
    await this.page.getByTestId('save-settings').click();
    await this.page.getByTestId('create-room').waitFor();
  }

  /** The member list opened; resolves once the other member shows `path` (the direct path). */
  async memberShows(path: 'direct' | 'relayed', timeout?: number): Promise<void> {
    const people = this.page.getByTestId('people');
    if (!(await people.evaluate((d) => (d as HTMLDetailsElement).open))) await people.locator('summary').click();
    await people.locator(`[data-testid=person-path][data-path=${path}]`, { hasText: path }).waitFor(timeout === undefined ? {} : { timeout });
  }

  async waitOnline(): Promise<void> {
    await this.page.locator('[data-testid=connection]', { hasText: 'online' }).waitFor();
  }

  /** Creates a room and returns its code as shown to the user. */
  async createRoom(): Promise<string> {
    const shown = this.page.getByTestId('room-code');
    const previous = (await shown.count()) > 0 ? await shown.textContent() : null;
    await this.page.getByTestId('create-room').click();
    // A code only counts once it is a new one: the last room's must never be handed out.
    await this.page.waitForFunction(
      (old) => {
        const el = document.querySelector('[data-testid=room-code]');
        return !!el && el.textContent !== old;
      },
      previous,
    );
    const code = (await shown.textContent())!;
    await this.page.getByTestId('open-created').click();
    await this.page.getByTestId('room-view').waitFor();
    return code;
  }

  async typeJoinCode(code: string): Promise<void> {
    await this.page.getByTestId('join-code').fill(code);
    await this.page.getByTestId('join').click();
  }

  async joinRoom(code: string): Promise<void> {
    await this.typeJoinCode(code);
    await this.page.getByTestId('room-view').waitFor();
  }

  /** The Join box's answer, in words under the field: its typed code and its text. */
  async joinError(): Promise<{ code: string | null; text: string }> {
    const shown = this.page.getByTestId('code-error');
    await shown.waitFor();
    return { code: await shown.getAttribute('data-code'), text: (await shown.textContent()) ?? '' };
  }

  /**
   * What pressing Join led to first: the room opening, the question about a new relay, an
   * error from the background, or the field's own error.
   */
  async joinOutcome(): Promise<'room-view' | 'relay-confirm' | 'error' | 'code-error'> {
    const handle = await this.page.waitForFunction(() => {
      for (const id of ['room-view', 'relay-confirm', 'error', 'code-error']) {
        if (document.querySelector(`[data-testid=${id}]`)) return id;
      }
      return null;
    });
    return (await handle.jsonValue()) as 'room-view' | 'relay-confirm' | 'error' | 'code-error';
  }

  /** Presses a Copy button and returns what it put on the clipboard (the context must grant clipboard access). */
  async copyFrom(testId: 'copy-invite' | 'copy-code', scope = this.page.locator('body')): Promise<string> {
    await scope.getByTestId(testId).click();
    await scope.getByTestId(testId).filter({ hasText: 'Copied' }).waitFor();
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  async openRoom(index = 0): Promise<void> {
    await this.page.getByTestId('room').nth(index).click();
    await this.page.getByTestId('room-view').waitFor();
  }

  async back(): Promise<void> {
    await this.page.getByTestId('back').click();
    await this.page.getByTestId('room-list').waitFor();
  }

  /** Types like a person: Shift+Enter for new lines, Enter to send. */
  async send(text: string): Promise<void> {
    const box = this.page.getByTestId('composer');
    await box.click();
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      if (i > 0) await box.press('Shift+Enter');
      // Long lines go in as one input event (a paste), short ones key by key.
      if (line.length > 200) await this.page.keyboard.insertText(line);
      else if (line) await box.pressSequentially(line);
    }
    await box.press('Enter');
  }

  /** Pastes a whole message and presses Enter: the fast path for long conversations. */
  async sendQuickly(text: string): Promise<void> {
    const box = this.page.getByTestId('composer');
    await box.fill(text);
    await box.press('Enter');
  }

  /**
   * Waits until the open room holds `count` messages and none is still sending. A long room's log
   * draws only the rows near its viewport and loads older pages as it is scrolled up, so this
   * scrolls to the top (as a reader would) until nothing older is left, then reads the log's counts.
   */
  async waitForSettled(count: number, timeoutMs = 90_000): Promise<void> {
    await this.page.waitForFunction(
      (n) => {
        const log = document.querySelector<HTMLElement>('[data-testid=chat-log]');
        if (!log) return n === 0 && document.querySelectorAll('[data-testid=message]').length === 0;
        if (log.dataset.hasOlder === 'true') {
          log.scrollTop = 0;
          return false;
        }
        return Number(log.dataset.lines) === n && log.dataset.sending === '0';
      },
      count,
      { timeout: timeoutMs },
    );
  }

  async waitForMessage(text: string, status?: string): Promise<void> {
    await this.page.waitForFunction(
      ([t, s]) => [...document.querySelectorAll('[data-testid=message]')].some(
        // 'sent' (stored by the relay) still holds once the message is also 'delivered' (receipts).
        (m) => m.querySelector('.pl-text')?.textContent === t && (!s || m.getAttribute('data-status') === s || (s === 'sent' && m.getAttribute('data-status') === 'delivered')),
      ),
      [text, status ?? ''] as const,
    );
  }

  /** Every message id in the open room, top to bottom: what the relay's seqs can be compared with. */
  async messageIds(): Promise<string[]> {
    return (await this.readLog()).map((m) => m.id);
  }

  /** Every message text in the open room, top to bottom. */
  async messages(): Promise<string[]> {
    return (await this.readLog()).map((m) => m.text);
  }

  /**
   * Every message the open room has loaded, top to bottom, read as a reader would: the log draws
   * only rows near its viewport, so this scrolls from the top to the bottom, half a screen at a
   * time, and collects each row once (the windows overlap). Ends at the bottom, where a reader
   * left it. Loads nothing older: waitForSettled does that first.
   */
  readLog(): Promise<{ id: string; text: string }[]> {
    return this.page.evaluate(async () => {
      const log = document.querySelector<HTMLElement>('[data-testid=chat-log]');
      if (!log) return [];
      // No named helper functions in here: tsx (scripts) would wrap them in a helper the page lacks.
      const seen = new Map<string, string>();
      // Until it stays at the top: a line changing meanwhile (a receipt) redraws the log, which
      // keeps a reader who was at the bottom there until the scroll itself has been seen.
      do {
        log.scrollTop = 0;
        await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
      } while (log.scrollTop > 0);
      for (;;) {
        for (const m of log.querySelectorAll<HTMLElement>('[data-testid=message]')) {
          const id = m.dataset.id ?? '';
          if (!seen.has(id)) seen.set(id, m.querySelector('.pl-text')?.textContent ?? '');
        }
        if (log.scrollTop + log.clientHeight >= log.scrollHeight - 1) break;
        log.scrollTop += Math.max(1, log.clientHeight / 2);
        await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
      }
      return [...seen].map(([id, text]) => ({ id, text }));
    });
  }

  /**
   * Presses Tab (Shift+Tab with `backwards`) until the focus is on `selector`, as a keyboard user
   * does; fails if it is not reached within `max` presses (not reachable by keyboard).
   */
  async tabTo(selector: string, { backwards = false, max = 40 } = {}): Promise<void> {
    for (let i = 0; i < max; i++) {
      if (await this.page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      await this.page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    }
    throw new Error(`${selector} not reached with ${max} presses of Tab`);
  }

  /** What has the keyboard focus: its data-testid (or tag), and whether a focus ring is drawn around it. */
  focused(): Promise<{ testId: string; ring: boolean }> {
    return this.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const style = el ? getComputedStyle(el) : null;
      return {
        testId: el?.getAttribute('data-testid') ?? el?.tagName.toLowerCase() ?? '',
        ring: !!style && style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2,
      };
    });
  }

  /** The open room's line whose text is exactly `text`. */
  line(text: string) {
    return this.page.locator('[data-testid=message]').filter({ has: this.page.locator('.pl-text', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  }

  /** Opens the actions menu of the line with `text` and presses the item `testId` in it. */
  async lineAction(text: string, testId: string, emoji?: string): Promise<void> {
    const line = this.line(text);
    await line.getByTestId('line-actions').click();
    const item = emoji ? line.locator(`[data-testid=${testId}][data-emoji="${emoji}"]`) : line.getByTestId(testId);
    await item.click();
  }

  /** Every stored line of every room in this profile's IndexedDB, as JSON: what the device keeps. */
  storedLines(): Promise<string> {
    return this.page.evaluate(() => new Promise<string>((resolve, reject) => {
      const open = indexedDB.open('parley');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const req = open.result.transaction('messages').objectStore('messages').getAll();
        req.onsuccess = () => { resolve(JSON.stringify(req.result)); open.result.close(); };
        req.onerror = () => reject(req.error);
      };
    }));
  }
}
