import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirefoxProfile } from './firefox-profile.ts';
import type { FirefoxPopup } from './firefox-popup.ts';

// A Firefox whose user turned WebRTC off (media.peerconnection.enabled false, a common privacy
// setting) cannot make direct connections: Settings says so, and the box cannot be ticked, rather
// than being ticked and doing nothing (docs/architecture.md "Where the browsers differ and why").

let fox: FirefoxProfile;
let popup: FirefoxPopup;

beforeAll(async () => {
  fox = await new FirefoxProfile('no-webrtc', { prefs: { 'media.peerconnection.enabled': false } }).launch();
  popup = await fox.openPopup();
});

afterAll(async () => {
  await fox?.dispose();
});

describe('Direct connections in a Firefox without WebRTC', () => {
  it('is shown off and disabled, with the reason in words', async () => {
    await popup.page.locator('[data-testid=open-settings]').click();
    const box = await popup.page.waitForSelector('[data-testid=direct-connections]');
    const note = await popup.page.waitForSelector('[data-testid=direct-unavailable]');
    expect(await note!.evaluate((e) => e.textContent)).toBe('This browser does not let Parley make direct connections (WebRTC is turned off or missing here), so every message goes through the relay.');
    expect(await box!.evaluate((b) => [(b as HTMLInputElement).disabled, (b as HTMLInputElement).checked])).toEqual([true, false]);
    // The words are the box's description, for a screen reader too.
    expect(await box!.evaluate((b) => b.getAttribute('aria-describedby'))).toBe(await note!.evaluate((e) => e.id));
  });
});
