import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { keepSiteFromToolbar, keptSiteProfile } from './kept-site-helpers.ts';
import { OverlayView } from './overlay.ts';
import { startPageServer } from './page-server.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// review11b: a kept site whose room the user left. Settings says of it "room left: opens on your
// latest room" (src/popup/kept-sites-list.tsx); the overlay still opens on every load of the site
// (the script stays registered), so it must show a room, not "Connecting…" for ever. The dist copy
// grants http://127.0.0.1/* as in keep-site.test.ts (the user's Allow).

let relay: RelayProcess;
let profile: Profile;
let site: Awaited<ReturnType<typeof startPageServer>>;


beforeAll(async () => {
  relay = await RelayProcess.start();
  site = await startPageServer();
  profile = await keptSiteProfile('kept-room-left', relay.url, [['Staying room', 'a line in the staying room'], ['Kept room', 'a line in the kept room']]);
});

afterAll(async () => {
  await profile?.close();
  await site?.close();
  await relay?.kill();
});

describe('a kept site whose room was left', () => {
  it('opens the overlay on the latest room, as Settings says', async () => {
    const kept: Page = await profile.ctx.newPage();
    await kept.goto(site.url);
    await keepSiteFromToolbar(profile, kept, 'Kept room');
    await (await OverlayView.on(kept)).waitOpen(30_000);
    const popup = await profile.openPopup();
    await popup.page.getByTestId('room').filter({ hasText: 'Kept room' }).click();
    await popup.page.getByTestId('room-view').waitFor();
    const tools = popup.page.getByTestId('room-tools');
    if ((await tools.getAttribute('open')) === null) await tools.locator('summary').click();
    await popup.page.getByTestId('leave-room').click();
    await popup.page.getByTestId('room-list').waitFor();
    await popup.page.getByTestId('open-settings').click();
    await popup.page.getByTestId('kept-site-room').filter({ hasText: 'room left: opens on your latest room' }).waitFor();
    await popup.page.close();
    // A new tab of the kept site, as on any later visit.
    const later = await profile.ctx.newPage();
    await later.goto(`${site.url}later`);
    const overlay = await OverlayView.on(later);
    await overlay.waitOpen(30_000);
    await overlay.waitForMessages((m) => m.includes('a line in the staying room'), 30_000);
  });
});
