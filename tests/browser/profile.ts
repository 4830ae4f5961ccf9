import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page, type Worker } from 'playwright-core';
import { PopupPage } from './popup-page.ts';
import { ActionPopup } from './action-popup.ts';
import { OverlayView } from './overlay.ts';

const DIST = new URL('../../dist', import.meta.url).pathname;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

/** One Chromium profile with the built extension: one independent Parley instance. */
export class Profile {
  ctx!: BrowserContext;
  extensionId = '';
  readonly dir: string;

  /** `args`: more Chromium switches for this profile (a test CA to trust, host names to map). */
  /** `dist`: load this built extension folder instead of dist/ (a copy with a changed manifest). */
  constructor(readonly label: string, dir?: string, readonly options: { args?: string[]; dist?: string } = {}) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), `parley-${label}-`));
  }

  async launch(): Promise<this> {
    const dist = this.options.dist ?? DIST;
    this.ctx = await chromium.launchPersistentContext(this.dir, {
      headless: true,
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox', '--disable-gpu', `--disable-extensions-except=${dist}`, `--load-extension=${dist}`,
        '--disable-background-networking', '--no-first-run', '--disable-sync', '--disable-component-update',
        // Lets the test press the toolbar button (Extensions.triggerAction), which grants activeTab.
        '--enable-unsafe-extension-debugging',
        // WebRTC between two profiles in the loopback-only namespace: candidates are then 127.0.0.1
        // (the direct path; off in Parley unless a test turns "Direct connections" on).
        '--allow-loopback-in-peer-connection',
        ...(this.options.args ?? []),
      ],
    });
    const worker = await this.worker();
    this.extensionId = new URL(worker.url()).host;
    return this;
  }

  async worker(): Promise<Worker> {
    const [existing] = this.ctx.serviceWorkers();
    return existing ?? (await this.ctx.waitForEvent('serviceworker'));
  }

  async close(): Promise<void> {
    await this.ctx.close();
  }

  /** The popup's page opened in a tab: the same UI the toolbar button shows. */
  async openPopup(): Promise<PopupPage> {
    const popup = await this.openPopupAsIs();
    // The popup reopens on the room it last showed; tests start from the room list, as a person
    // who wants the list would press "‹ Rooms".
    if (await popup.page.getByTestId('back').count()) await popup.back();
    return popup;
  }

  /** The popup as it opens: on the room list, or on the room it was last showing. */
  async openPopupAsIs(): Promise<PopupPage> {
    const page = await this.ctx.newPage();
    await page.goto(`chrome-extension://${this.extensionId}/src/popup/index.html`);
    // Its first state decides where it opens (state.lastRoomId).
    await page.locator('main[data-ready=true]').waitFor();
    return new PopupPage(page);
  }

  async badge(): Promise<string> {
    const worker = await this.worker();
    // Runs inside the extension's worker, where `browser` is the extension API.
    return worker.evaluate(() => (globalThis as unknown as { browser: { action: { getBadgeText(d: object): Promise<string> } } }).browser.action.getBadgeText({}));
  }

  /**
   * Stops the extension's service worker the way Chrome does when it idles one out. Speaks to
   * the ServiceWorker domain through one of the extension's own pages (`viaPage`), since workers
   * belong to their origin; resolves once the browser reports the worker stopped.
   */
  async stopServiceWorker(viaPage: Page): Promise<void> {
    const cdp = await this.ctx.newCDPSession(viaPage);
    const prefix = `chrome-extension://${this.extensionId}/`;
    const stopped = new Promise<void>((resolve) => {
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        if (versions.some((v) => v.scriptURL.startsWith(prefix) && v.runningStatus === 'stopped')) resolve();
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await stopped;
    await cdp.detach();
  }

  async browserSession(): Promise<CDPSession> {
    return this.ctx.browser()!.newBrowserCDPSession();
  }

  /**
   * "Chat on this page", the way a person does it: the toolbar button over `page`, the first room
   * in the popup, then the button that opens the overlay. Resolves once the overlay shows.
   */
  async openOverlayFromToolbar(page: Page): Promise<OverlayView> {
    const popup = await this.clickToolbarButton(page);
    // It reopens on the room it last showed: the first room is then one press of "‹ Rooms" away.
    await popup.waitFor('document.querySelector("main[data-ready=true]")');
    await popup.evaluate('document.querySelector("[data-testid=back]")?.click()');
    await popup.click('[data-testid=room]');
    await popup.waitFor('document.querySelector("[data-testid=room-view]")');
    await popup.click('[data-testid=chat-on-page]');
    const overlay = await OverlayView.on(page);
    await overlay.waitOpen();
    return overlay;
  }

  /** Clicks Parley's toolbar button over `page`, as a person would; returns the popup it opens. */
  async clickToolbarButton(page: Page): Promise<ActionPopup> {
    const session = await this.browserSession();
    const { targetInfos: tabs } = await session.send('Target.getTargets', { filter: [{ type: 'tab' }] });
    const tab = tabs.find((t) => t.url === page.url());
    if (!tab) throw new Error(`no tab target for ${page.url()}`);
    return ActionPopup.attach(session, this.extensionId, async () => {
      await session.send('Extensions.triggerAction', { id: this.extensionId, targetId: tab.targetId });
    });
  }
}
