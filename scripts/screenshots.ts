// `npm run screenshots`: pictures of the real extension for the README, made by driving two
// Chromium profiles through a real relay. Writes docs/screenshots/popup.png and overlay.png (light)
// and popup-dark.png and overlay-dark.png (the system set to dark, which Parley follows), and the
// overlay docked (overlay-docked.png) and minimised to its bubble (overlay-bubble.png).
// Emoji need a colour emoji font on the machine (Debian: fonts-noto-color-emoji), or reactions draw as boxes.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startPageServer } from '../tests/browser/page-server.ts';
import { Profile } from '../tests/browser/profile.ts';
import { RelayProcess } from '../tests/browser/relay-process.ts';

const out = new URL('../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

/** Both schemes of one view: `name`.png in light, `name`-dark.png in dark. */
async function bothSchemes(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: `${out}${name}${colorScheme === 'dark' ? '-dark' : ''}.png` });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

// A conversation as two people have it: lines each way, one after the other from the same
// person, a link, and markup that stays text.
const conversation: ['ana' | 'ben', string][] = [
  ['ben', 'Are you reading the same article?'],
  ['ana', 'Yes! The part about tide pools'],
  ['ben', 'Look at https://example.org/tides\n<b>this stays text</b>'],
  ['ben', 'The photos of the anemones are great'],
  ['ana', 'I had no idea they could move'],
];

const relay = await RelayProcess.start();
const pages = await startPageServer();
const [ana, ben] = await Promise.all([new Profile('ana').launch(), new Profile('ben').launch()]);
try {
  const [a, b] = await Promise.all([ana.openPopup(), ben.openPopup()]);
  await a.page.setViewportSize({ width: 360, height: 540 });
  await a.saveSettings('Ana', relay.url);
  await b.saveSettings('Ben', relay.url);
  const code = await a.createRoom();
  await b.joinRoom(code);
  for (const [who, text] of conversation) {
    const [from, to] = who === 'ana' ? [a, b] : [b, a];
    await from.send(text);
    await to.waitForMessage(text);
  }
  // What issue 10 added, as it looks: an answer quoting a line, a reaction, who is here and who is typing.
  await b.lineAction('Yes! The part about tide pools', 'reply');
  await b.send('Same here, the photos are lovely');
  await a.waitForMessage('Same here, the photos are lovely');
  await b.lineAction('I had no idea they could move', 'react', '👍');
  await a.page.getByTestId('reactions').first().waitFor();
  await a.waitForSettled(conversation.length + 1);
  await b.page.getByTestId('composer').pressSequentially('Did you see');
  await a.page.getByTestId('typing').filter({ hasText: 'Ben is typing…' }).waitFor();
  await bothSchemes(a.page, 'popup');
  // A second room of Ana's, so the overlay shows its room switcher.
  await a.back();
  await a.createRoom();

  const page = await ana.ctx.newPage();
  await page.setViewportSize({ width: 1000, height: 600 });
  await page.goto(pages.url);
  const overlay = await ana.openOverlayFromToolbar(page);
  await overlay.waitForMessages((m) => m.length === conversation.length + 1);
  await bothSchemes(page, 'overlay');
  // The overlay's other states: docked to the right at full height, and minimised to its bubble
  // counting a line that came in meanwhile (Ana's popup closed, so nothing else has read it).
  await overlay.press('Dock chat to the right');
  await overlay.waitChrome(`function () { return this.querySelector('.panel').getBoundingClientRect().top === 0; }`);
  await page.screenshot({ path: `${out}overlay-docked.png` });
  await overlay.press('Float chat');
  await a.page.close();
  await overlay.press('Minimise chat');
  await overlay.waitControl('Open chat');
  await b.page.getByTestId('composer').fill('');
  await b.send('Did you see the last photo?');
  await overlay.waitChrome(`function () { return this.querySelector('.bubble').getAttribute('aria-label') === 'Open chat, 1 unread'; }`);
  await page.screenshot({ path: `${out}overlay-bubble.png` });
  console.log(`screenshots written to ${out}`);
} finally {
  await Promise.allSettled([ana.close(), ben.close()]);
  await relay.kill();
  await pages.close();
}
