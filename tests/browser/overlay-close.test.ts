import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPageServer } from './page-server.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// The overlay's close button removes the frame it is drawn in. On a loaded machine the browser
// can finish that removal while the test's click is still completing inside the frame; the
// harness's close must then still return, and the page must be left as it was. The race is made
// certain here: the button's own click runs as the pointer goes down, so the frame is gone before
// the click has finished.

let relay: RelayProcess;
let pageServer: Awaited<ReturnType<typeof startPageServer>>;
let ana: Profile;

beforeAll(async () => {
  relay = await RelayProcess.start();
  pageServer = await startPageServer();
  ana = await new Profile('ana').launch();
  const popup = await ana.openPopup();
  await popup.saveSettings('Ana', relay.url);
  await popup.createRoom();
});

afterAll(async () => {
  await ana?.close();
  await relay?.kill();
  await pageServer?.close();
});

it('closes the overlay even when the frame is gone before the click completes', async () => {
  const page = await ana.ctx.newPage();
  await page.goto(pageServer.url);
  const before = await page.evaluate(() => document.documentElement.outerHTML);
  const overlay = await ana.openOverlayFromToolbar(page);
  await overlay.frame!.evaluate(() => {
    const button = document.querySelector<HTMLButtonElement>('[data-testid=close-overlay]')!;
    button.addEventListener('pointerdown', () => {
      button.click();
      // Holds this frame's thread while the background and the page's host script remove it.
      const until = performance.now() + 500;
      while (performance.now() < until);
    }, { once: true });
  });
  await overlay.close();
  expect(await overlay.isOpen()).toBe(false);
  expect(await page.evaluate(() => document.documentElement.outerHTML)).toBe(before);
});
