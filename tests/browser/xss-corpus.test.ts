import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayReport, popupReport } from './chat-inspect.ts';
import { expectFaithful } from './expect-faithful.ts';
import { startPageServer } from './page-server.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';
import { PAYLOADS } from './xss-payloads.ts';

// Alice sends every hostile text of the corpus through the real relay; Bob's popup and Bob's
// overlay on an ordinary page must show each as exactly that text: nothing runs, nothing becomes
// markup, only http(s) URLs become links, and the layout holds.

let relay: RelayProcess;
let pageServer: Awaited<ReturnType<typeof startPageServer>>;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;
const dialogs: string[] = [];

const SENT = PAYLOADS.map((p) => p.text);

function watchDialogs(page: Page, label: string): void {
  page.on('dialog', (dialog) => {
    dialogs.push(`${label}: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
}

/** Pastes the whole text as one input (long and unusual texts cannot be typed key by key). */
async function paste(popup: PopupPage, text: string): Promise<void> {
  const box = popup.page.getByTestId('composer');
  await box.click();
  await popup.page.keyboard.insertText(text);
  expect(await box.inputValue() === text, 'the composer holds exactly the pasted text').toBe(true);
  await box.press('Enter');
  await popup.page.waitForFunction(() => (document.querySelector('[data-testid=composer]') as HTMLTextAreaElement).value === '');
}

beforeAll(async () => {
  // The corpus goes out as fast as the composer takes it; a generous bucket keeps the test about
  // rendering, not about rate-limit retries.
  relay = await RelayProcess.start({ RATE_PER_SEC: '1000', RATE_BURST: '1000' });
  pageServer = await startPageServer();
  [alice, bob] = await Promise.all([new Profile('xss-alice').launch(), new Profile('xss-bob').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  watchDialogs(alicePopup.page, 'alice popup');
  watchDialogs(bobPopup.page, 'bob popup');
  await alicePopup.saveSettings('Alice', relay.url);
  await bobPopup.saveSettings('Bob', relay.url);
  const code = await alicePopup.createRoom();
  await bobPopup.joinRoom(code);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.kill();
  await pageServer?.close();
});

describe(`an XSS corpus of ${PAYLOADS.length} messages`, () => {
  it('is sent, and the popup on the other side shows each message as exactly its text', async () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(50);
    // A few go in key by key, as a person types; the rest are pasted.
    for (const [i, text] of SENT.entries()) {
      if (i < 3) await alicePopup.send(text);
      else await paste(alicePopup, text);
    }
    await bobPopup.page.waitForFunction((n) => document.querySelectorAll('[data-testid=message]').length >= n, SENT.length, { timeout: 60_000 });
    expectFaithful(await popupReport(bobPopup.page), 'bob popup');

    await alicePopup.page.waitForFunction(() => !document.querySelector('[data-status=sending]'), null, { timeout: 60_000 });
    expectFaithful(await popupReport(alicePopup.page), 'alice popup');

    for (const popup of [alicePopup, bobPopup]) {
      expect(await popup.page.title()).toBe('Parley');
      expect(await popup.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    }
    expect(dialogs).toEqual([]);
  });

  it('shows the same in the overlay on a page, where nothing runs in the page either', async () => {
    const page = await bob.ctx.newPage();
    watchDialogs(page, 'page with overlay');
    await page.goto(pageServer.url);
    const before = await page.evaluate(() => document.documentElement.outerHTML);
    const frame = (await bob.openOverlayFromToolbar(page)).frame!;
    await frame.waitForFunction((n) => document.querySelectorAll('[data-testid=message]').length >= n, SENT.length, { timeout: 60_000 });

    expectFaithful(await overlayReport(frame), 'overlay');
    // The overlay's frame sits inside the page's window.
    const box = (await (await frame.frameElement()).boundingBox())!;
    const { width, height } = page.viewportSize()!;
    expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height, `overlay frame ${JSON.stringify(box)}`).toBe(true);
    // Nothing ran in the overlay's page, nor in the page around it.
    for (const world of [frame, page]) {
      expect(await world.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    }
    expect(await frame.title()).toBe('Parley');
    expect(await page.title()).toBe('A page');
    expect(dialogs).toEqual([]);
    // Outside the closed shadow root the page is as it was, plus the empty host element.
    const after = await page.evaluate(() => document.documentElement.outerHTML);
    expect(after.replace('<parley-overlay></parley-overlay>', '')).toBe(before);
    await page.close();
  });
});
