import type { Page } from 'puppeteer-core';
import { REPORT_SOURCE, type ChatReport } from '../browser/chat-inspect.ts';

const id = (testId: string) => `[data-testid=${testId}]`;

/**
 * Drives Parley's popup in Firefox the way a person does, through its visible controls: the
 * puppeteer (WebDriver BiDi) twin of tests/browser/popup-page.ts, with the same steps and names.
 */
export class FirefoxPopup {
  constructor(readonly page: Page) {}

  async saveSettings(nickname: string, relayUrl: string): Promise<void> {
    await this.page.locator(id('open-settings')).click();
    await this.page.locator(id('nickname')).fill(nickname);
    await this.page.locator(id('relay-url')).fill(relayUrl);
    await this.page.locator(id('save-settings')).click();
    await this.page.waitForSelector(id('create-room'));
  }

  async waitOnline(): Promise<void> {
    await this.page.waitForFunction(() => document.querySelector('[data-testid=connection]')?.textContent === 'online');
  }

  /** Creates a room, opens it, and returns its code as shown to the user. */
  async createRoom(): Promise<string> {
    const previous = await this.page.$eval(id('room-code'), (el) => el.textContent).catch(() => null);
    await this.page.locator(id('create-room')).click();
    const shown = await this.page.waitForFunction(
      (old) => {
        const text = document.querySelector('[data-testid=room-code]')?.textContent;
        return text && text !== old ? text : null;
      },
      {},
      previous,
    );
    const code = (await shown.jsonValue()) as string;
    await this.page.locator(id('open-created')).click();
    await this.page.waitForSelector(id('room-view'));
    return code;
  }

  async joinRoom(code: string): Promise<void> {
    await this.page.locator(id('join-code')).fill(code);
    await this.page.locator(id('join')).click();
    await this.page.waitForSelector(id('room-view'));
  }

  async openRoom(index = 0): Promise<void> {
    const rooms = await this.page.$$(id('room'));
    if (!rooms[index]) throw new Error(`no room ${index} in the list`);
    await rooms[index].click();
    await this.page.waitForSelector(id('room-view'));
  }

  /** Opens the room whose relay room id is `roomId` (the same in every browser that has it). */
  async openRoomById(roomId: string): Promise<void> {
    await this.page.locator(`[data-testid=room][data-room-id="${roomId}"]`).click();
    await this.page.waitForSelector(id('room-view'));
  }

  /** The room ids in the list, top to bottom. */
  roomIds(): Promise<string[]> {
    return this.page.$$eval(id('room'), (els) => els.map((e) => e.getAttribute('data-room-id') ?? ''));
  }

  /** What the open room's log shows, read from its DOM (tests/browser/chat-inspect.ts). */
  report(): Promise<ChatReport> {
    return this.page.evaluate(`(${REPORT_SOURCE})(document, 'body')`) as Promise<ChatReport>;
  }

  async back(): Promise<void> {
    await this.page.locator(id('back')).click();
    await this.page.waitForSelector(id('room-list'));
  }

  /** The room names in the list, top to bottom. */
  roomNames(): Promise<string[]> {
    return this.page.$$eval(id('room-name'), (els) => els.map((e) => e.textContent ?? ''));
  }

  /** Types like a person: Shift+Enter for new lines, Enter to send. */
  async send(text: string): Promise<void> {
    const box = await this.page.waitForSelector(id('composer'));
    await box!.click();
    for (const [i, line] of text.split('\n').entries()) {
      if (i > 0) {
        await this.page.keyboard.down('Shift');
        await this.page.keyboard.press('Enter');
        await this.page.keyboard.up('Shift');
      }
      if (line) await this.page.keyboard.type(line);
    }
    await this.page.keyboard.press('Enter');
    await this.page.waitForFunction(() => (document.querySelector('[data-testid=composer]') as HTMLTextAreaElement).value === '');
  }

  /** Waits until the open room shows a line that is exactly `text` (with `status`, if given: 'sent' also matches 'delivered'). */
  async waitForMessage(text: string, status?: string, timeout = 30_000): Promise<void> {
    await this.page.waitForFunction(
      (t, s) => [...document.querySelectorAll('[data-testid=message]')].some((m) => {
        if (m.querySelector('.pl-text')?.textContent !== t) return false;
        const shown = m.getAttribute('data-status');
        return !s || shown === s || (s === 'sent' && shown === 'delivered');
      }),
      { timeout },
      text,
      status ?? '',
    );
  }

  /** Every message text in the open room, top to bottom (rooms small enough to be drawn whole). */
  messages(): Promise<string[]> {
    return this.page.$$eval(`${id('chat-log')} ${id('message')}`, (els) => els.map((m) => m.querySelector('.pl-text')?.textContent ?? ''));
  }
}
