import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPageServer } from './page-server.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// review11b: docs/security.md stores "the origins of at most 200 sites where you placed the
// overlay", and a never-placed overlay opens bottom right "as it always did" (frame-layout.ts).
// After a stopped worker the content script tells its place again when it was ever *received*,
// even as null (frame-controller.ts `placed`), so the default place of that window is stored as
// if the user had chosen it: the site is remembered, and in a larger window the overlay no longer
// opens at the bottom right but at the old window's coordinates.

let relay: RelayProcess;
let pages: Awaited<ReturnType<typeof startPageServer>>;
let ana: Profile;
let page: Page;

beforeAll(async () => {
  relay = await RelayProcess.start();
  pages = await startPageServer();
  ana = await new Profile('ana-unplaced').launch();
  const popup = await ana.openPopup();
  await popup.saveSettings('Ana', relay.url);
  await popup.createRoom();
  await popup.page.close();
  page = await ana.ctx.newPage();
  await page.setViewportSize({ width: 800, height: 600 });
  await page.goto(pages.url);
});

afterAll(async () => {
  await ana?.close();
  await relay?.kill();
  await pages?.close();
});

describe('an overlay the user never placed', () => {
  it('opens at the bottom right of a larger window, also after the browser stopped the background', async () => {
    let overlay = await ana.openOverlayFromToolbar(page);
    const popup = await ana.openPopupAsIs();
    await ana.stopServiceWorker(popup.page);
    await popup.page.close();
    await overlay.frame!.getByTestId('overlay-connection').filter({ hasText: 'Online' }).waitFor({ timeout: 30_000 });
    await overlay.close();
    await page.setViewportSize({ width: 1200, height: 800 });
    overlay = await ana.openOverlayFromToolbar(page);
    // frame-layout.ts defaultPlace: 320 wide, 420 + the 28 px strip high, 16 px from the corner.
    const box = (await overlay.panel())!;
    expect({ right: 1200 - (box.x + box.width), bottom: 800 - (box.y + box.height) }).toEqual({ right: 16, bottom: 16 });
  });
});
