import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedRoom } from './big-room-seed.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// A long room whose lines are much taller than the log's first guess at a line's height (chat-log.tsx
// places rows it has not measured yet by an estimate). Once, such a log froze the popup: placing
// the window of rows moved the scroll height, which moved the window back, in renders that never
// reached a frame, so the page's main thread never came back. The reader must see the newest
// line, and the page must keep answering.

/** More lines than the log draws in full (chat-log.tsx draws a window beyond 150). */
const COUNT = 200;
/** Eight short lines each: several times one line's height, below the fold ("Show more", 12 lines). */
const tall = (n: number) => [`tall line ${n}`, ...Array.from({ length: 7 }, (_, i) => `part ${i + 2}`)].join('\n');

let relay: RelayProcess;
let profile: Profile;
let code = '';

beforeAll(async () => {
  relay = await RelayProcess.start();
  profile = await new Profile('tall-rows').launch();
  ({ code } = await seedRoom(relay.url, COUNT, { text: tall }));
}, 120_000);

afterAll(async () => {
  await profile?.close();
  await relay?.kill();
});

/** The newest line is drawn inside the log's visible box, and the page still runs a script. */
async function newestShown(popup: PopupPage): Promise<void> {
  await popup.page.waitForFunction((first) => {
    const log = document.querySelector('[data-testid=chat-log]');
    if (!log) return false;
    const box = log.getBoundingClientRect();
    return [...log.querySelectorAll('[data-testid=message] .pl-text')].some((el) => {
      const r = el.getBoundingClientRect();
      return el.textContent?.startsWith(first) && r.bottom > box.top && r.top < box.bottom;
    });
  }, `tall line ${COUNT}\n`, { timeout: 60_000 });
  // A frozen page answers no script: this one must, within the test's time.
  await expect(popup.page.evaluate(() => document.querySelectorAll('[data-testid=message]').length)).resolves.toBeLessThan(COUNT);
}

it('shows the newest of 200 tall lines when joining and when opening the room again, and keeps answering', async () => {
  const popup = await profile.openPopup();
  await popup.saveSettings('Reader', relay.url);
  await popup.joinRoom(code);
  await newestShown(popup);
  await popup.page.close();

  // Opened again, nothing measured yet: every row starts as an estimate.
  const again = await profile.openPopup();
  await again.openRoom();
  await newestShown(again);
  await again.page.close();
});
