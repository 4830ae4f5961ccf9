import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { seriousViolations } from './axe.ts';
import { startPageServer } from './page-server.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// axe-core over every screen of the real popup and the overlay, in light and in dark (the system
// setting, emulated): no violation of impact serious or critical. One function per screen: a new
// screen or panel is one more function in `screens`. No rule is excluded.

let relay: RelayProcess;
let pages: Awaited<ReturnType<typeof startPageServer>>;
let ana: Profile;
let ben: Profile;
let popup: PopupPage;
let webPage: Page;
let overlay: Frame;

beforeAll(async () => {
  relay = await RelayProcess.start();
  pages = await startPageServer();
  [ana, ben] = await Promise.all([new Profile('ana').launch(), new Profile('ben').launch()]);
  const [a, b] = await Promise.all([ana.openPopup(), ben.openPopup()]);
  popup = a;
  await a.page.setViewportSize({ width: 360, height: 540 });
  await a.saveSettings('Ana', relay.url);
  await b.saveSettings('Ben', relay.url);
  // A room with a conversation both ways (someone else's lines, one's own, a link).
  const code = await a.createRoom();
  await b.joinRoom(code);
  await b.sendQuickly('Are you reading the same article?');
  await a.waitForMessage('Are you reading the same article?');
  await a.sendQuickly('Yes! The part about tide pools');
  await b.sendQuickly('Look at https://example.org/tides');
  await a.waitForMessage('Look at https://example.org/tides');
  // Enough lines that the log scrolls, as a room's log does after a while.
  for (let i = 1; i <= 10; i++) await b.sendQuickly(`Line ${i} of a longer talk`);
  await a.waitForMessage('Line 10 of a longer talk');
  // A second room, left unread, so the list shows a count.
  await a.back();
  await b.back();
  const second = await b.createRoom();
  await a.joinRoom(second);
  await b.sendQuickly('Lunch at noon?');
  await a.waitForMessage('Lunch at noon?');
  await a.back();
  webPage = await ana.ctx.newPage();
  await webPage.goto(pages.url);
  overlay = await (await ana.openOverlayFromToolbar(webPage)).waitOpen();
  await overlay.getByTestId('message').first().waitFor();
});

afterAll(async () => {
  await Promise.allSettled([ana?.close(), ben?.close()]);
  await relay?.kill();
  await pages?.close();
});

/** Each screen as a person reaches it from the room list; returns what to check. */
const screens: Record<string, () => Promise<Page | Frame>> = {
  'room list': async () => {
    await popup.page.getByTestId('room-list').waitFor();
    return popup.page;
  },
  'the join box explaining a mistyped code': async () => {
    await popup.typeJoinCode('hello');
    await popup.page.getByTestId('code-error').waitFor();
    return popup.page;
  },
  'a room with messages, its panels open': async () => {
    await popup.openRoom(0);
    await popup.page.getByTestId('message').first().waitFor();
    for (const panel of ['room-tools', 'people']) await popup.page.getByTestId(panel).locator('summary').click();
    return popup.page;
  },
  settings: async () => {
    await popup.page.getByTestId('open-settings').click();
    await popup.page.getByTestId('nickname').waitFor();
    return popup.page;
  },
  'the overlay on a page': async () => overlay,
};

/** Back to the room list between screens, the way a person goes. */
async function home(): Promise<void> {
  if (await popup.page.getByTestId('back').count()) await popup.back();
  if (await popup.page.getByTestId('save-settings').count()) await popup.page.keyboard.press('Escape');
  await popup.page.getByTestId('room-list').waitFor();
  // Editing the box clears its answer.
  await popup.page.getByTestId('join-code').fill('');
}

describe.each(['light', 'dark'] as const)('accessibility in %s mode', (colorScheme) => {
  beforeAll(async () => {
    await Promise.all([popup.page.emulateMedia({ colorScheme }), webPage.emulateMedia({ colorScheme })]);
  });

  it('follows the system setting: the popup and the overlay are drawn in its colours', async () => {
    const dark = colorScheme === 'dark';
    for (const target of [popup.page, overlay]) {
      const { bg, fg } = await target.evaluate(() => {
        const el = document.querySelector('.pl-popup, .pl-overlay')!;
        const style = getComputedStyle(el);
        // The popup's colour is the body's; the overlay paints its own box.
        return { bg: getComputedStyle(el.classList.contains('pl-popup') ? document.body : el).backgroundColor, fg: style.color };
      });
      expect(lightness(bg) < 0.5, `background ${bg}`).toBe(dark);
      expect(lightness(fg) > 0.5, `text ${fg}`).toBe(dark);
    }
    // The frame on the page shows its own colour until the chat inside has drawn: never a white
    // box in dark mode.
    const frameBg = await (await overlay.frameElement()).evaluate((el) => getComputedStyle(el as Element).backgroundColor);
    expect(lightness(frameBg) < 0.5, `frame ${frameBg}`).toBe(dark);
  });

  it.each(Object.keys(screens))('%s: no serious or critical axe violation', async (name) => {
    await home();
    const target = await screens[name]!();
    expect(await seriousViolations(target)).toEqual([]);
  });
});

/** 0 (black) to 1 (white), from a computed `rgb(r, g, b)`. */
function lightness(rgb: string): number {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g)!.map(Number);
  return (Math.max(r!, g!, b!) + Math.min(r!, g!, b!)) / 2 / 255;
}
