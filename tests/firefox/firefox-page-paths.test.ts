import type { Page as ChromiumPage } from 'playwright-core';
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionPopup } from '../browser/action-popup.ts';
import { startPageServer } from '../browser/page-server.ts';
import type { PopupPage } from '../browser/popup-page.ts';
import { Profile } from '../browser/profile.ts';
import { RelayProcess } from '../browser/relay-process.ts';
import { FirefoxProfile, pressExtensionShortcut } from './firefox-profile.ts';

// The paths that act on the page the user is reading, in real Firefox: "Chat on this page" (activeTab
// from the toolbar button, then scripting.executeScript of the overlay), the overlay's frame (an
// extension page a web page may frame: moz-extension web_accessible_resources), and "Chat about
// this page" (the page's public room). Alice in Chromium is on the other end through a real relay.

let relay: RelayProcess;
let site: { url: string; close: () => Promise<void> };
let alice: Profile;
let fox: FirefoxProfile;
let alicePopup: PopupPage;
let foxPage: Page;
let alicePage: ChromiumPage;

beforeAll(async () => {
  relay = await RelayProcess.start();
  site = await startPageServer();
  [alice, fox] = await Promise.all([new Profile('ff-page-alice').launch(), new FirefoxProfile('page-fox').launch()]);
  alicePopup = await alice.openPopup();
  await alicePopup.saveSettings('Alice', relay.url);
  const foxPopup = await fox.openPopup();
  await foxPopup.saveSettings('Fox', relay.url);
  await foxPopup.page.close();
  foxPage = await fox.browser!.newPage();
  await foxPage.goto(site.url);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), fox?.dispose()]);
  await relay?.kill();
  await site?.close();
});

/**
 * The overlay's frame in `page`: the extension's page, inside Parley's closed shadow root.
 * Puppeteer is not told of a frame's navigation to a moz-extension:// page (its url stays
 * about:blank there), so the frame is found by asking each child frame where it is.
 */
async function overlayFrame(page: Page): Promise<Frame> {
  await page.waitForFunction(() => !!document.querySelector('parley-overlay'), { timeout: 15_000, polling: 100 });
  const frame = page.mainFrame().childFrames()[0];
  if (!frame) throw new Error('the overlay host holds no frame');
  await frame.waitForFunction(() => location.protocol === 'moz-extension:' && !!document.querySelector('[data-testid=overlay]'), { timeout: 15_000, polling: 100 });
  return frame;
}

describe('on a web page in Firefox', () => {
  it('"Chat on this page" opens the overlay over the page; its frame chats with Chromium', async () => {
    const setup = await fox.openPopup();
    const code = await setup.createRoom();
    await setup.waitOnline();
    await setup.page.close();
    await alicePopup.joinRoom(code);
    await alicePopup.send('from Chromium, before the overlay');

    // The toolbar button over the page, the room, then its "Chat on this page".
    const popup = await fox.popupOver(foxPage);
    await popup.page.$eval('[data-testid=room]', (b) => (b as HTMLElement).click());
    await popup.page.waitForSelector('[data-testid=chat-on-page]');
    await popup.page.$eval('[data-testid=chat-on-page]', (b) => (b as HTMLElement).click());

    const frame = await overlayFrame(foxPage);
    expect(await frame.$eval('[data-testid=overlay]', (e) => e.textContent)).toContain('from Chromium, before the overlay');
    // Typed into the overlay on the page, read in Chromium.
    await frame.locator('[data-testid=composer]').click();
    await foxPage.keyboard.type('typed in the overlay on a Firefox page');
    await foxPage.keyboard.press('Enter');
    await alicePopup.waitForMessage('typed in the overlay on a Firefox page');
    await alicePopup.send('seen in the overlay too');
    await frame.waitForFunction(
      () => [...document.querySelectorAll('[data-testid=message] .pl-text')].some((e) => e.textContent === 'seen in the overlay too'),
      { polling: 100 },
    );
    // The page itself cannot reach the overlay's inside: the shadow root is closed.
    expect(await foxPage.evaluate(() => document.querySelector('parley-overlay')?.shadowRoot ?? null)).toBeNull();
    await popup.page.close();
  });

  it('the keyboard shortcut (Alt+Shift+P) opens the overlay on another page, on the last room', async () => {
    const other = await fox.browser!.newPage();
    await other.goto(site.url);
    await pressExtensionShortcut(fox.browser!, other, 'P', 'alt,shift');
    const frame = await overlayFrame(other);
    await frame.waitForFunction(
      () => [...document.querySelectorAll('[data-testid=message] .pl-text')].some((e) => e.textContent === 'seen in the overlay too'),
      { polling: 100 },
    );
    await other.close();
  });

  it('"Chat about this page" joins the page\'s public room, the same one Chromium finds for that page', async () => {
    const popup = await fox.popupOver(foxPage);
    await popup.page.waitForSelector('[data-testid=chat-about-page]');
    await popup.page.$eval('[data-testid=chat-about-page]', (b) => (b as HTMLElement).click());
    const warning = await popup.page.waitForSelector('[data-testid=page-room-warning]');
    expect(await warning!.evaluate((e) => e.textContent)).toMatch(/anyone who can guess this page's address can join and read it/i);
    await popup.page.$eval('[data-testid=join-page-room]', (b) => (b as HTMLElement).click());
    await popup.page.waitForSelector('[data-testid=room-view] [data-testid=page-room-public]', { timeout: 60_000 });
    const foxRoom = await popup.page.$eval('[data-testid=room-view]', (e) => (e as HTMLElement).dataset.roomId);

    alicePage = await alice.ctx.newPage();
    await alicePage.goto(site.url);
    const a: ActionPopup = await alice.clickToolbarButton(alicePage);
    await a.waitFor('document.querySelector("main[data-ready=true]")');
    await a.evaluate('document.querySelector("[data-testid=back]")?.click()');
    await a.click('[data-testid=chat-about-page]');
    await a.click('[data-testid=join-page-room]');
    await a.waitFor('document.querySelector("[data-testid=room-view] [data-testid=page-room-public]")', 60_000);
    expect(await a.evaluate<string>('document.querySelector("[data-testid=room-view]").dataset.roomId')).toBe(foxRoom);
    await a.evaluate('window.close()');

    // The popup has read its page: in front now, it is driven like any popup.
    await popup.page.bringToFront();
    await popup.send('Firefox, about this page');
    await alicePopup.back();
    await alicePopup.page.locator(`[data-testid=room][data-room-id="${foxRoom}"]`).click();
    await alicePopup.waitForMessage('Firefox, about this page');
    await alicePopup.send('Chromium, about it too');
    await popup.waitForMessage('Chromium, about it too');
  });
});
