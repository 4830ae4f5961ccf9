import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OverlayView } from './overlay.ts';
import { startPageServer } from './page-server.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// review11b: the room the user switched the overlay to must survive a stopped service worker
// (Chrome stops an idle one after 30 s). The overlay's port reconnects and the background, which
// forgot overlayRooms, answers overlay-room with overlayRooms.get(tab) ?? lastRoomId, before it
// handles the frame's own watch-room: the overlay jumps to the room the popup showed last.

let relay: RelayProcess;
let pages: Awaited<ReturnType<typeof startPageServer>>;
let ana: Profile;
let page: Page;
let overlay: OverlayView;

async function roomWithLine(popup: PopupPage, name: string, line: string): Promise<void> {
  await popup.page.getByTestId('new-room-name').fill(name);
  await popup.createRoom();
  await popup.send(line);
  await popup.waitForMessage(line, 'sent');
  await popup.back();
}

beforeAll(async () => {
  relay = await RelayProcess.start();
  pages = await startPageServer();
  ana = await new Profile('ana-room-restart').launch();
  const popup = await ana.openPopup();
  await popup.saveSettings('Ana', relay.url);
  await roomWithLine(popup, 'Room one', 'a line in room one');
  await roomWithLine(popup, 'Room two', 'a line in room two');
  await popup.page.close();
  page = await ana.ctx.newPage();
  await page.goto(pages.url);
  // The toolbar's popup opens its first room and opens the overlay there: that room is now
  // also the popup's last room.
  overlay = await ana.openOverlayFromToolbar(page);
});

afterAll(async () => {
  await ana?.close();
  await relay?.kill();
  await pages?.close();
});

describe('the overlay\'s room after the browser stopped the background', () => {
  it('stays on the room chosen in the overlay', async () => {
    const frame = overlay.frame!;
    const select = frame.getByTestId('overlay-room');
    const title = frame.locator('#pl-overlay-title');
    const first = (await title.textContent())!;
    const other = first === 'Room one' ? 'Room two' : 'Room one';
    await select.selectOption({ label: other });
    await title.filter({ hasText: other }).waitFor({ timeout: 15_000 });
    await overlay.waitForMessages((m) => m.includes(`a line in ${other.toLowerCase()}`));
    // As it opens, on the room it showed last (openPopup would press "‹ Rooms" and forget it).
    const popup = await ana.openPopupAsIs();
    await ana.stopServiceWorker(popup.page);
    await popup.page.close();
    // Typed after the restart: the background answers the frame's reconnect (overlay-room) before
    // this line, so once the line shows in the overlay, any room change has reached the frame.
    await overlay.send('typed after the restart');
    await overlay.waitForMessages((m) => m.includes('typed after the restart'), 30_000);
    expect(await title.textContent()).toBe(other);
  });
});
