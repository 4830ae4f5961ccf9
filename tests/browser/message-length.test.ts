import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS } from '../../src/shared/constants.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// A text over the limit (docs/protocol.md: MAX_TEXT_CHARS = 10,000 characters) must be explained
// in the composer and kept whole, never cut or dropped silently; one at the limit goes through.

let relay: RelayProcess;
let alice: Profile;
let popup: PopupPage;

beforeAll(async () => {
  relay = await RelayProcess.start();
  alice = await new Profile('alice').launch();
  popup = await alice.openPopup();
  await popup.saveSettings('Alice', relay.url);
  await popup.createRoom();
  await popup.waitOnline();
});

afterAll(async () => {
  await alice?.close();
  await relay?.kill();
});

describe('message length', () => {
  it('keeps a pasted text over 10,000 characters whole, says why it cannot be sent, and sends nothing', async () => {
    const box = popup.page.getByTestId('composer');
    const tooLong = 'x'.repeat(10_001);
    await box.fill(tooLong);
    await box.press('Enter');
    await expect(popup.page.getByTestId('composer-length').textContent())
      .resolves.toBe('Too long to send: 10,001 characters, and a message holds at most 10,000. Shorten it or split it into several messages.');
    expect(await box.inputValue()).toBe(tooLong);
    expect(await popup.page.getByTestId('send').isDisabled()).toBe(true);
    expect(await popup.messages()).toEqual([]);
  });

  it('sends a text of exactly 10,000 characters once shortened', async () => {
    expect(MAX_TEXT_CHARS).toBe(10_000);
    const box = popup.page.getByTestId('composer');
    await box.press('End');
    await box.press('Backspace');
    await expect(popup.page.getByTestId('composer-length').textContent()).resolves.toBe('10,000 of 10,000 characters');
    await box.press('Enter');
    await popup.waitForMessage('x'.repeat(10_000), 'sent');
    expect(await box.inputValue()).toBe('');
    expect(await popup.page.getByTestId('composer-length').count()).toBe(0);
  });
});
