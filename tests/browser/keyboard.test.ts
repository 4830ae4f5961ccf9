import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// The popup with the keyboard alone: Tab, Shift+Tab, Enter, Escape and typing, no clicks. The
// steps build on each other, as one person's visit. Each stop checks where the focus is and that
// a focus ring shows it.

let relay: RelayProcess;
let profile: Profile;
let popup: PopupPage;

beforeAll(async () => {
  relay = await RelayProcess.start();
  profile = await new Profile('keys').launch();
  popup = await profile.openPopup();
  await popup.page.setViewportSize({ width: 360, height: 540 });
  await popup.page.getByTestId('create-room').waitFor();
});

afterAll(async () => {
  await profile?.close();
  await relay?.kill();
});

describe('the popup by keyboard alone', () => {
  it('opens settings, saves a nickname and relay, and comes back to Settings', async () => {
    const { page } = popup;
    await popup.tabTo('[data-testid=open-settings]');
    expect(await popup.focused()).toEqual({ testId: 'open-settings', ring: true });
    await page.keyboard.press('Enter');
    // The first field has the focus: type straight away.
    await page.getByTestId('nickname').waitFor();
    expect((await popup.focused()).testId).toBe('nickname');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Kim');
    await page.keyboard.press('Tab');
    expect(await popup.focused()).toEqual({ testId: 'relay-url', ring: true });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(relay.url);
    await page.keyboard.press('Enter');
    await page.getByTestId('create-room').waitFor();
    expect(await popup.focused()).toEqual({ testId: 'open-settings', ring: true });
  });

  it('Escape leaves settings unsaved', async () => {
    const { page } = popup;
    await page.keyboard.press('Enter');
    await page.getByTestId('nickname').waitFor();
    expect(await page.getByTestId('nickname').inputValue()).toBe('Kim');
    await page.keyboard.type('bo');
    await page.keyboard.press('Escape');
    await page.getByTestId('create-room').waitFor();
    expect((await popup.focused()).testId).toBe('open-settings');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('nickname').inputValue()).toBe('Kim');
    await page.keyboard.press('Escape');
    await page.getByTestId('create-room').waitFor();
  });

  it('creates a room, opens it and sends a message', async () => {
    const { page } = popup;
    await popup.tabTo('[data-testid=create-room]');
    expect(await popup.focused()).toEqual({ testId: 'create-room', ring: true });
    await page.keyboard.press('Enter');
    await page.getByTestId('open-created').waitFor();
    await popup.tabTo('[data-testid=open-created]');
    await page.keyboard.press('Enter');
    await page.getByTestId('room-view').waitFor();
    // Straight into the composer.
    expect((await popup.focused()).testId).toBe('composer');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    await popup.waitForMessage('Typed without a mouse', 'sent');
  });

  it('opens the room tools with Enter and closes them with Escape, focus back on their summary', async () => {
    const { page } = popup;
    await popup.tabTo('[data-testid=room-tools] summary', { backwards: true });
    expect((await popup.focused()).ring).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByTestId('copy-invite').waitFor();
    await page.keyboard.press('Tab');
    expect((await popup.focused()).testId).toBe('copy-invite');
    await page.keyboard.press('Escape');
    await page.getByTestId('copy-invite').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.matches('[data-testid=room-tools] summary'))).toBe(true);
  });

  it('goes back to the room list, lands on the room it left, and reopens it with Enter', async () => {
    const { page } = popup;
    await popup.tabTo('[data-testid=back]', { backwards: true });
    expect(await popup.focused()).toEqual({ testId: 'back', ring: true });
    await page.keyboard.press('Enter');
    await page.getByTestId('room-list').waitFor();
    expect(await popup.focused()).toEqual({ testId: 'room', ring: true });
    await page.keyboard.press('Enter');
    await page.getByTestId('room-view').waitFor();
    await popup.waitForMessage('Typed without a mouse');
  });

  it('keeps what is typed the moment a room opens, before the screen has settled', async () => {
    const { page } = popup;
    await page.getByTestId('back').click();
    await page.getByTestId('room-list').waitFor();
    // Open the room and type into the box as soon as it exists, before the next frame: the
    // composer's after-paint work must not wipe it (it did, and a fast typist lost characters).
    const kept = await page.evaluate(async () => {
      document.querySelector<HTMLElement>('[data-testid=room]')!.click();
      let box: HTMLTextAreaElement | null = null;
      // Preact draws in a microtask; a timer turn after many tries keeps this from spinning if not.
      for (let i = 0; !(box = document.querySelector<HTMLTextAreaElement>('[data-testid=composer]')); i++) {
        await (i < 1000 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, 0)));
      }
      box.value = 'K';
      box.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))));
      return box.value;
    });
    expect(kept).toBe('K');
  });
});
