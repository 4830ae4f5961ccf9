import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Issue 8, "A room lives on its relay": one profile in a room on each of two real relays. Rooms
// stay on the relay they were made on when the default changes; when one relay dies, the room on
// the other keeps chatting, and the dead relay's room says which relay is down.

let r1: RelayProcess;
let r2: RelayProcess;
let profile: Profile;
let popup: PopupPage;
let roomOn1 = '';
let roomOn2 = '';

const roomId = async () => (await popup.page.getByTestId('room-view').getAttribute('data-room-id'))!;
const open = async (id: string) => {
  await popup.page.locator(`[data-testid=room][data-room-id="${id}"]`).click();
  await popup.page.locator(`[data-testid=room-view][data-room-id="${id}"]`).waitFor();
};

beforeAll(async () => {
  [r1, r2] = await Promise.all([RelayProcess.start(), RelayProcess.start()]);
  profile = await new Profile('two-relays').launch();
  popup = await profile.openPopup();
});

afterAll(async () => {
  await profile?.close();
  await Promise.allSettled([r1?.kill(), r2?.kill()]);
});

describe('rooms on two relays', () => {
  it('a room stays on the relay it was made on when the default relay changes', async () => {
    await popup.saveSettings('Ann', r1.url);
    await popup.createRoom();
    roomOn1 = await roomId();
    await popup.back();
    await popup.saveSettings('Ann', r2.url);
    await popup.createRoom();
    roomOn2 = await roomId();
    await popup.waitOnline(); // online only when both relays are
    await popup.send('on relay two');
    await popup.waitForMessage('on relay two', 'sent');
    await popup.back();
    await open(roomOn1);
    await popup.send('on relay one');
    await popup.waitForMessage('on relay one', 'sent');
  });

  it('when one relay dies, the other room keeps chatting and the dead relay\'s room names it', async () => {
    await r2.kill();
    await popup.back();
    const banner = popup.page.locator(`[data-testid=relay-status][data-relay="${r2.url}"]`);
    await banner.filter({ hasText: r2.url }).waitFor();
    expect(await popup.page.locator(`[data-testid=relay-status][data-relay="${r1.url}"]`).count()).toBe(0);
    await expect(popup.page.getByTestId('connection').textContent()).resolves.toBe('connecting');

    await open(roomOn1);
    await popup.send('relay two is down, one still works');
    await popup.waitForMessage('relay two is down, one still works', 'sent');
    expect(await popup.page.getByTestId('relay-status').count()).toBe(0);

    await popup.back();
    await open(roomOn2);
    await popup.page.getByTestId('relay-status').filter({ hasText: r2.url }).waitFor();
    await popup.send('waits for relay two');
    await popup.waitForMessage('waits for relay two', 'sending');

    // Relay two returns: a view opening retries at once, its room's message goes out, and
    // everything is online again.
    await r2.restart();
    await popup.page.reload();
    // The popup reopens on the room it was showing.
    await popup.page.locator(`[data-testid=room-view][data-room-id="${roomOn2}"]`).waitFor();
    await popup.waitForMessage('waits for relay two', 'sent');
    await popup.waitOnline();
  });
});
