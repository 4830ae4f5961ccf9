// `npm run screenshots`: pictures of the real extension for the README, made by driving two
// Chromium profiles through a real relay. Writes docs/screenshots/popup.png and overlay.png.
import { mkdirSync } from 'node:fs';
import { startPageServer } from '../tests/browser/page-server.ts';
import { Profile } from '../tests/browser/profile.ts';
import { RelayProcess } from '../tests/browser/relay-process.ts';

const out = new URL('../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

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
  await b.send('Are you reading the same article?');
  await a.waitForMessage('Are you reading the same article?');
  await a.send('Yes! The part about tide pools');
  await b.waitForMessage('Yes! The part about tide pools');
  await b.send('Look at https://example.org/tides\n<b>this stays text</b>');
  await a.waitForMessage('Look at https://example.org/tides\n<b>this stays text</b>');
  await a.page.screenshot({ path: `${out}popup.png` });

  const page = await ana.ctx.newPage();
  await page.setViewportSize({ width: 1000, height: 600 });
  await page.goto(pages.url);
  const overlay = await ana.openOverlayFromToolbar(page);
  await overlay.waitForMessages((m) => m.length === 3);
  await page.screenshot({ path: `${out}overlay.png` });
  console.log(`screenshots written to ${out}`);
} finally {
  await Promise.allSettled([ana.close(), ben.close()]);
  await relay.kill();
  await pages.close();
}
