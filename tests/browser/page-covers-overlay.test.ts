import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { OverlayView } from './overlay.ts';
import { startPageServer } from './page-server.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// What a page CAN do to the overlay, so docs/security.md says it plainly: the host element lives
// in the page's own DOM, so the page can hide it, draw over it, or remove it. It still cannot read
// the chat or type into it (hostile-page.test.ts); but the overlay's look is no proof that it is
// Parley: a page can show a look-alike. The toolbar popup is the view a page cannot imitate.

let relay: RelayProcess;
let pageServer: Awaited<ReturnType<typeof startPageServer>>;
let alice: Profile;
let page: Page;
let overlay: OverlayView;

/** Where the overlay's frame is drawn, or null if it is not drawn at all. */
async function frameBox() {
  return (await overlay.frame!.frameElement()).boundingBox();
}

beforeAll(async () => {
  relay = await RelayProcess.start();
  pageServer = await startPageServer();
  alice = await new Profile('covered').launch();
  const popup = await alice.openPopup();
  await popup.saveSettings('Alice', relay.url);
  await popup.createRoom();
  await popup.send('visible in the overlay');
  page = await alice.ctx.newPage();
  await page.goto(pageServer.url);
  overlay = await alice.openOverlayFromToolbar(page);
  await overlay.waitForMessages((m) => m.includes('visible in the overlay'));
});

afterAll(async () => {
  await Promise.allSettled([alice?.close()]);
  await relay?.kill();
  await pageServer?.close();
});

describe('a page with the overlay open', () => {
  it('can hide the overlay by styling its host element', async () => {
    expect(await frameBox()).not.toBeNull();
    await page.evaluate(() => ((document.querySelector('parley-overlay') as HTMLElement).style.display = 'none'));
    expect(await frameBox()).toBeNull();
    await page.evaluate(() => (document.querySelector('parley-overlay') as HTMLElement).style.removeProperty('display'));
    expect(await frameBox()).not.toBeNull();
  });

  it('can draw its own element over the overlay, where the user would click and type', async () => {
    const box = (await frameBox())!;
    const center = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const hit = await page.evaluate(({ x, y }) => {
      const cover = document.createElement('div');
      cover.id = 'look-alike';
      cover.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:#fff';
      document.documentElement.append(cover);
      return document.elementFromPoint(x, y)?.id ?? null;
    }, center);
    expect(hit).toBe('look-alike');
    await page.evaluate(() => document.getElementById('look-alike')!.remove());
  });

  it('can remove the overlay from the page', async () => {
    await page.evaluate(() => document.querySelector('parley-overlay')!.remove());
    expect(await overlay.isOpen()).toBe(false);
    expect(page.frames().some((f) => f.url().startsWith('chrome-extension://'))).toBe(false);
  });
});
