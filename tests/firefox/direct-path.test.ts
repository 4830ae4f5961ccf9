import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PopupPage } from '../browser/popup-page.ts';
import { Profile } from '../browser/profile.ts';
import { RelayProcess } from '../browser/relay-process.ts';
import { FirefoxProfile } from './firefox-profile.ts';
import type { FirefoxPopup } from './firefox-popup.ts';

// A Firefox profile (Fox) and a Chromium profile (Alice), both with "Direct connections" on, meet
// in a room on a real relay and connect over a WebRTC data channel: Firefox holds its
// RTCPeerConnections in its background page, Chromium in its offscreen document. They chat both
// ways; then the relay is killed and messages still arrive, also after Firefox's 30 s idle stop of
// an event page with no view open. The steps build on each other, as one conversation.

/** Firefox's default idle stop of an event page (extensions.background.idle.timeout, not changed here). */
const FIREFOX_IDLE_MS = 30_000;
/** Past the idle stop by more than the stay-awake period's slack, so a stopped page would be gone. */
const HOLD_MS = FIREFOX_IDLE_MS + 5_000;

let relay: RelayProcess;
let alice: Profile;
let fox: FirefoxProfile;
let alicePopup: PopupPage;
let foxPopup: FirefoxPopup;

const sel = (testId: string) => `[data-testid=${testId}]`;

/** Chromium's Settings as a person fills them in, with "Direct connections" ticked. */
async function aliceSettings(relayUrl: string): Promise<void> {
  const page = alicePopup.page;
  await page.getByTestId('open-settings').click();
  await page.getByTestId('nickname').fill('Alice');
  await page.getByTestId('relay-url').fill(relayUrl);
  await page.getByTestId('direct-connections').check();
  await page.getByTestId('save-settings').click();
  await page.getByTestId('create-room').waitFor();
}

/** Firefox's Settings, the same way. */
async function foxSettings(relayUrl: string): Promise<void> {
  const page = foxPopup.page;
  await page.locator(sel('open-settings')).click();
  await page.locator(sel('nickname')).fill('Fox');
  await page.locator(sel('relay-url')).fill(relayUrl);
  // The box is there and can be ticked: Firefox can host the connections.
  expect(await page.$eval(sel('direct-connections'), (b) => (b as HTMLInputElement).disabled)).toBe(false);
  expect(await page.$(sel('direct-unavailable'))).toBeNull();
  await page.locator(sel('direct-connections')).click();
  expect(await page.$eval(sel('direct-connections'), (b) => (b as HTMLInputElement).checked)).toBe(true);
  await page.locator(sel('save-settings')).click();
  await page.waitForSelector(sel('create-room'));
}

/** Alice's member list opened; resolves once Fox shows `path`. */
async function aliceSeesFox(path: 'direct' | 'relayed'): Promise<void> {
  const people = alicePopup.page.getByTestId('people');
  if (!(await people.evaluate((d) => (d as HTMLDetailsElement).open))) await people.locator('summary').click();
  await people.locator(`[data-testid=person-path][data-path=${path}]`, { hasText: path }).waitFor();
}

/** Fox's member list opened; resolves once Alice shows `path`. */
async function foxSeesAlice(path: 'direct' | 'relayed'): Promise<void> {
  const page = foxPopup.page;
  if (!(await page.$eval(sel('people'), (d) => (d as HTMLDetailsElement).open))) await page.$eval(`${sel('people')} summary`, (s) => (s as HTMLElement).click());
  await page.waitForFunction(
    (p) => document.querySelector(`[data-testid=people] [data-testid=person-path][data-path=${p}]`)?.textContent === p,
    {},
    path,
  );
}

beforeAll(async () => {
  relay = await RelayProcess.start();
  [alice, fox] = await Promise.all([new Profile('ff-direct-alice').launch(), new FirefoxProfile('direct-fox').launch()]);
  [alicePopup, foxPopup] = await Promise.all([alice.openPopup(), fox.openPopup()]);
  await aliceSettings(relay.url);
  await foxSettings(relay.url);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), fox?.dispose()]);
  await relay?.kill();
});

describe('the direct path between Firefox and Chromium', () => {
  it('connects Firefox and Chromium directly, shown as "direct" in People on both, and chats both ways', async () => {
    const code = await foxPopup.createRoom();
    await foxPopup.waitOnline();
    await alicePopup.joinRoom(code);
    await Promise.all([aliceSeesFox('direct'), foxSeesAlice('direct')]);
    await foxPopup.send('hello from Firefox, directly');
    await alicePopup.waitForMessage('hello from Firefox, directly');
    await alicePopup.send('hello back from Chromium');
    await foxPopup.waitForMessage('hello back from Chromium');
  });

  it('carries on over the data channel when the relay is killed', async () => {
    await relay.kill('SIGKILL');
    await alicePopup.page.locator('[data-testid=connection]:not(:has-text("online"))').waitFor();
    await foxPopup.page.waitForFunction(() => document.querySelector('[data-testid=connection]')?.textContent !== 'online');
    await foxPopup.send('the relay is gone');
    await alicePopup.waitForMessage('the relay is gone');
    await alicePopup.send('still here');
    await foxPopup.waitForMessage('still here');
    const all = ['hello from Firefox, directly', 'hello back from Chromium', 'the relay is gone', 'still here'];
    expect(await foxPopup.messages()).toEqual(all);
    expect(await alicePopup.messages()).toEqual(all);
  });

  it('keeps Firefox\'s channel past its 30 s idle stop with no view open and the relay down', async () => {
    // Firefox stops an idle event page whatever its sockets and channels do (firefox-stays-awake.test.ts);
    // with the relay down, no relay socket keeps it up: only the open channel can.
    await foxPopup.back();
    await foxPopup.page.close();
    // A timer in Firefox, with no event to await: hold past it.
    await sleep(HOLD_MS);
    // With the relay down, only the channel can bring it: had the page stopped, it went with its
    // connection, and the line would wait in Alice's outbox.
    await alicePopup.send('said while Firefox had no view open');
    foxPopup = await fox.openPopup();
    await foxPopup.openRoom();
    await foxPopup.waitForMessage('said while Firefox had no view open');
    expect(await foxPopup.page.$eval('[data-testid=connection]', (e) => e.textContent)).not.toBe('online');
  });
});
