import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PopupPage } from '../browser/popup-page.ts';
import { Profile } from '../browser/profile.ts';
import { RelayProcess } from '../browser/relay-process.ts';
import { FirefoxProfile } from './firefox-profile.ts';

// Firefox stops an idle extension event page 30 s after its last extension-API activity
// (extensions.background.idle.timeout), whatever its WebSocket carries; Chrome does not stop a
// worker whose socket is busy. The Firefox build therefore makes one cheap API call every
// STAY_AWAKE_EVERY_MS while a relay link is open (src/shared/browser-target.ts). This test holds
// Firefox with no view open past that 30 s and checks, from the relay's side, that its one
// connection stayed, and, from Chromium's side, that a line said then reached Firefox's store.

/** Firefox's default idle stop of an event page (the pref this test does not change). */
const FIREFOX_IDLE_MS = 30_000;
/** Past the idle stop by more than the stay-awake period's slack, so a stopped page would be gone. */
const HOLD_MS = FIREFOX_IDLE_MS + 5_000;

let relay: RelayProcess;
let alice: Profile;
let fox: FirefoxProfile;
let alicePopup: PopupPage;

interface LogLine { event?: string; peer?: string | number; origin?: string; code?: number }

function relayLog(): LogLine[] {
  return relay.output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** The relay's peer ids of every connection Firefox's extension (a moz-extension:// origin) opened. */
const foxPeers = () => relayLog().filter((l) => l.event === 'connected' && l.origin?.startsWith('moz-extension://')).map((l) => l.peer);
const closedPeers = () => relayLog().filter((l) => l.event === 'disconnected').map((l) => l.peer);

/** Rejects as soon as the relay logs Firefox's connection `peer` closing. */
function failOnClose(peer: LogLine['peer'], since: number): Promise<never> {
  return new Promise((_resolve, reject) => {
    const check = () => {
      if (closedPeers().includes(peer)) {
        reject(new Error(`the relay saw Firefox's connection close ${Math.round((Date.now() - since) / 1000)} s after its popup closed: the event page was stopped`));
      } else if (relay.child) setTimeout(check, 250);
    };
    check();
  });
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${relay.port}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
}

beforeAll(async () => {
  // debug: the relay logs each connection's open and close, with its origin.
  relay = await RelayProcess.start({ LOG_LEVEL: 'debug' });
  [alice, fox] = await Promise.all([new Profile('ff-awake-alice').launch(), new FirefoxProfile('awake-fox').launch()]);
  const foxPopup = await fox.openPopup();
  alicePopup = await alice.openPopup();
  await alicePopup.saveSettings('Alice', relay.url);
  await foxPopup.saveSettings('Fox', relay.url);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), fox?.dispose()]);
  await relay?.kill();
});

describe('Firefox with no Parley view open', () => {
  it('keeps its one relay connection past the 30 s idle stop, and stores a line said meanwhile', async () => {
    const foxPopup = await fox.openPopup();
    const code = await foxPopup.createRoom();
    await foxPopup.waitOnline();
    await alicePopup.joinRoom(code);
    await alicePopup.send('before the popup closes');
    await foxPopup.waitForMessage('before the popup closes');
    // Back to the list: the popup opened later shows the list and marks nothing read.
    await foxPopup.back();
    // Saving the settings tried the relay with a short-lived socket; the room's link is the one open.
    const opened = foxPeers();
    const open = opened.filter((p) => !closedPeers().includes(p));
    expect(open).toHaveLength(1);
    const [peer] = open;
    const acceptedBefore = await metric('parley_relay_connections_total');

    await foxPopup.page.close();
    const closedAt = Date.now();
    const dropped = failOnClose(peer, closedAt);
    dropped.catch(() => {});
    // The idle stop is a timer in Firefox, with no event to await: hold past it, failing at once if
    // the relay sees the connection go.
    await Promise.race([sleep(HOLD_MS), dropped]);

    await alicePopup.send('said while Firefox had no view open');
    // "delivered" in Chromium: Fox's background stored the line and sent its receipt (protocol.md, Receipts).
    await Promise.race([alicePopup.waitForMessage('said while Firefox had no view open', 'delivered'), dropped]);
    // The relay's side: still Fox's room connection, never closed, none opened since.
    expect(foxPeers()).toEqual(opened);
    expect(closedPeers()).not.toContain(peer);
    expect(await metric('parley_relay_connections')).toBe(2);
    expect(await metric('parley_relay_connections_total')).toBe(acceptedBefore);
    expect(Date.now() - closedAt).toBeGreaterThan(FIREFOX_IDLE_MS);

    // What Fox sees when it next looks: the toolbar badge and the room list count the new line.
    const later = await fox.openPopup();
    await later.page.waitForSelector('[data-testid=unread]');
    expect(await later.page.$eval('[data-testid=unread]', (e) => e.textContent)).toBe('1');
    const badge = await later.page.evaluate(() => (globalThis as unknown as { browser: { action: { getBadgeText(d: object): Promise<string> } } }).browser.action.getBadgeText({}));
    expect(badge).toBe('1');
    await later.openRoom();
    await later.waitForMessage('said while Firefox had no view open');
    expect(foxPeers()).toEqual(opened);
  });
});
