import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIG_ROOM_RELAY_ENV, seedRoom, seededText } from './big-room-seed.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Issue 10, big rooms: a relay holds 10,000 messages of a room; a profile joins it and sees them
// all (the newest at once, the first by scrolling up), with only a screenful of rows in the DOM;
// the popup reopened shows the newest lines; lines that came while the room was not open are
// marked by the "new messages" divider.

const COUNT = 10_000;
/** Rows in the DOM at most, whatever the room's size (chat-log.tsx keeps a window). */
const MAX_ROWS = 200;

let relay: RelayProcess;
let profile: Profile;
let code = '';

beforeAll(async () => {
  relay = await RelayProcess.start(BIG_ROOM_RELAY_ENV);
  profile = await new Profile('big-room').launch();
  ({ code } = await seedRoom(relay.url, COUNT));
}, 120_000);

afterAll(async () => {
  await profile?.close();
  await relay?.kill();
});

/** `text` is drawn inside the chat log's visible box. */
const visible = (popup: PopupPage, text: string) => popup.page.waitForFunction((t) => {
  const log = document.querySelector('[data-testid=chat-log]');
  if (!log) return false;
  const box = log.getBoundingClientRect();
  return [...log.querySelectorAll('[data-testid=message] .pl-text')].some((el) => {
    const r = el.getBoundingClientRect();
    return el.textContent === t && r.bottom > box.top && r.top < box.bottom;
  });
}, text, { timeout: 60_000 });

/**
 * Scrolls to the top again and again, as a reader dragging the scroll bar up, until `first` is
 * in the log: each time older lines come in above and the line at the top stays put, so the log
 * is no longer at its top.
 */
async function scrollToFirst(popup: PopupPage, first: string): Promise<void> {
  for (let pages = 0; pages < COUNT; pages++) {
    if (await popup.page.getByText(first, { exact: true }).count()) return;
    await popup.page.evaluate(() => { document.querySelector('[data-testid=chat-log]')!.scrollTop = 0; });
    await popup.page.waitForFunction((t) => document.querySelector('[data-testid=chat-log]')!.scrollTop > 0
      || [...document.querySelectorAll('[data-testid=message] .pl-text')].some((e) => e.textContent === t), first);
  }
}

const rows = (popup: PopupPage) => popup.page.locator('[data-testid=message]').count();

it('joins a room of 10,000 messages: the newest shown, a bounded DOM, and scrolling up reaches the first', async () => {
  const popup = await profile.openPopup();
  await popup.saveSettings('Reader', relay.url);
  await popup.joinRoom(code);
  await visible(popup, seededText(COUNT));
  expect(await rows(popup)).toBeLessThan(MAX_ROWS);
  await popup.page.close();

  // Reopened: the newest page from this device's store, then older pages as the reader scrolls up.
  const again = await profile.openPopup();
  await again.openRoom();
  await visible(again, seededText(COUNT));
  expect(await rows(again)).toBeLessThan(MAX_ROWS);
  await scrollToFirst(again, seededText(1));
  await visible(again, seededText(1));
  await visible(again, seededText(2));
  expect(await rows(again)).toBeLessThan(MAX_ROWS);
  // In order from the first line down.
  const shown = await again.messages();
  expect(shown.slice(0, 5)).toEqual([1, 2, 3, 4, 5].map(seededText));
  await again.page.close();
}, 300_000);

it('marks the first line that came while the room was not open with the "new messages" divider', async () => {
  const popup = await profile.openPopup();
  await popup.page.getByTestId('room').first().waitFor();
  await seedRoom(relay.url, 3, { code, first: COUNT + 1, nick: 'Late' });
  await popup.page.locator('[data-testid=unread]', { hasText: '3' }).waitFor();
  await popup.openRoom();
  await visible(popup, seededText(COUNT + 3));
  const divider = popup.page.getByTestId('new-divider');
  await divider.waitFor();
  expect(await divider.getAttribute('role')).toBe('separator');
  expect(await divider.textContent()).toBe('New messages');
  // Right above the first of the three, and nowhere else.
  expect(await popup.page.locator('[data-testid=new-divider] + [data-testid=message] .pl-text').textContent()).toBe(seededText(COUNT + 1));
  expect(await popup.page.getByTestId('new-divider').count()).toBe(1);
}, 120_000);

it('keeps only as many lines per room as Settings says, the newest', async () => {
  const popup = await profile.openPopup();
  await popup.page.getByTestId('open-settings').click();
  await popup.page.getByTestId('keep-per-room').fill('4950');
  await popup.page.getByTestId('save-settings').click();
  await popup.page.getByTestId('create-room').waitFor();
  await popup.page.getByTestId('open-settings').click();
  expect(await popup.page.getByTestId('keep-per-room').inputValue()).toBe('4950');
  await popup.page.getByTestId('back').click();
  await popup.openRoom();
  await visible(popup, seededText(COUNT + 3));
  // 10,003 stored, 4,950 kept: scrolling up ends at line 5,054. (Not a page boundary: untrimmed,
  // the page holding it would start at line 5,004.)
  const oldestKept = seededText(COUNT + 3 - 4950 + 1);
  await scrollToFirst(popup, oldestKept);
  await visible(popup, oldestKept);
  expect((await popup.messages())[0]).toBe(oldestKept);
}, 120_000);
