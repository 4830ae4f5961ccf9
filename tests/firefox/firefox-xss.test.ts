import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaithful } from '../browser/expect-faithful.ts';
import type { PopupPage } from '../browser/popup-page.ts';
import { Profile } from '../browser/profile.ts';
import { RelayProcess } from '../browser/relay-process.ts';
import { PAYLOADS } from '../browser/xss-payloads.ts';
import { FirefoxProfile } from './firefox-profile.ts';
import type { FirefoxPopup } from './firefox-popup.ts';

// Alice (Chromium) sends every hostile text of the corpus through the real relay; Fox's popup in
// Firefox must show each as exactly that text: nothing runs, nothing becomes markup, only http(s)
// URLs become links, and the layout holds in Firefox's engine too.

let relay: RelayProcess;
let alice: Profile;
let fox: FirefoxProfile;
let alicePopup: PopupPage;
let foxPopup: FirefoxPopup;
const dialogs: string[] = [];
const SENT = PAYLOADS.map((p) => p.text);

/** Pastes the whole text as one input (long and unusual texts cannot be typed key by key). */
async function paste(page: Page, text: string): Promise<void> {
  const box = page.getByTestId('composer');
  await box.click();
  await page.keyboard.insertText(text);
  expect(await box.inputValue() === text, 'the composer holds exactly the pasted text').toBe(true);
  await box.press('Enter');
  await page.waitForFunction(() => (document.querySelector('[data-testid=composer]') as HTMLTextAreaElement).value === '');
}

beforeAll(async () => {
  // The corpus goes out as fast as the composer takes it; a generous bucket keeps the test about
  // rendering, not about rate-limit retries.
  relay = await RelayProcess.start({ RATE_PER_SEC: '1000', RATE_BURST: '1000' });
  [alice, fox] = await Promise.all([new Profile('ff-xss-alice').launch(), new FirefoxProfile('xss-fox').launch()]);
  [alicePopup, foxPopup] = await Promise.all([alice.openPopup(), fox.openPopup()]);
  alicePopup.page.on('dialog', (d) => { dialogs.push(`alice popup: ${d.type()} ${d.message()}`); void d.dismiss().catch(() => {}); });
  foxPopup.page.on('dialog', (d) => { dialogs.push(`firefox popup: ${d.type()} ${d.message()}`); void d.dismiss().catch(() => {}); });
  await alicePopup.saveSettings('Alice', relay.url);
  await foxPopup.saveSettings('Fox', relay.url);
  await foxPopup.joinRoom(await alicePopup.createRoom());
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), fox?.dispose()]);
  await relay?.kill();
});

describe(`an XSS corpus of ${PAYLOADS.length} messages from Chromium`, () => {
  it('shows in the Firefox popup as exactly its text, and nothing runs', async () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(50);
    for (const text of SENT) await paste(alicePopup.page, text);
    await foxPopup.page.waitForFunction((n) => document.querySelectorAll('[data-testid=message]').length >= n, { timeout: 60_000 }, SENT.length);

    expectFaithful(await foxPopup.report(), 'firefox popup');
    expect(await foxPopup.page.title()).toBe('Parley');
    expect(await foxPopup.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });
});
