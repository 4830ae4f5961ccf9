import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayReport, popupReport, type Box, type ChatReport } from './chat-inspect.ts';
import { startPageServer } from './page-server.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';
import { PAYLOADS } from './xss-payloads.ts';

// Alice sends every hostile text of the corpus through the real relay; Bob's popup and Bob's
// overlay on an ordinary page must show each as exactly that text: nothing runs, nothing becomes
// markup, only http(s) URLs become links, and the layout holds.

let relay: RelayProcess;
let pageServer: Awaited<ReturnType<typeof startPageServer>>;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;
const dialogs: string[] = [];

const SENT = PAYLOADS.map((p) => p.text);
const ALLOWED_TAGS = ['A', 'BDI', 'DIV', 'SPAN'];

function watchDialogs(page: Page, label: string): void {
  page.on('dialog', (dialog) => {
    dialogs.push(`${label}: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
}

/** Pastes the whole text as one input (long and unusual texts cannot be typed key by key). */
async function paste(popup: PopupPage, text: string): Promise<void> {
  const box = popup.page.getByTestId('composer');
  await box.click();
  await popup.page.keyboard.insertText(text);
  expect(await box.inputValue() === text, 'the composer holds exactly the pasted text').toBe(true);
  await box.press('Enter');
  await popup.page.waitForFunction(() => (document.querySelector('[data-testid=composer]') as HTMLTextAreaElement).value === '');
}

const inside = (inner: Box, outer: Box) =>
  inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;

/** Everything a view must show for the corpus; failures name the payload, not a 10,000-character diff. */
function expectFaithful(report: ChatReport, view: string): void {
  expect(report.texts.length, `${view}: one message per payload`).toBe(SENT.length);
  const wrongText = PAYLOADS.filter((p, i) => report.texts[i] !== p.text).map((p) => p.name);
  expect(wrongText, `${view}: messages that do not show exactly what was sent`).toEqual([]);

  const wrongLinks = PAYLOADS.flatMap((p, i) => {
    const expected = (p.links ?? []).map((raw) => ({ href: new URL(raw).href, text: raw }));
    const actual = report.links[i]!.map((l) => ({ href: l.href, text: l.text }));
    return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [`${p.name}: ${JSON.stringify(actual).slice(0, 300)}`];
  });
  expect(wrongLinks, `${view}: links that differ from the http(s) URLs in the text`).toEqual([]);
  for (const link of report.links.flat()) {
    expect(new URL(link.href).protocol, `${view}: link ${link.href.slice(0, 80)}`).toMatch(/^https?:$/);
    expect(link.rel.split(/\s+/), `${view}: rel of ${link.href.slice(0, 80)}`).toContain('noopener');
    expect(link.target).toBe('_blank');
  }

  expect(report.tags.filter((t) => !ALLOWED_TAGS.includes(t)), `${view}: elements made from message text`).toEqual([]);
  expect(report.strayAttributes, `${view}: attributes made from message text`).toEqual([]);
  expect(report.notices, `${view}: messages that failed to open`).toEqual([]);

  const { layout } = report;
  expect(layout.log.scrollWidth, `${view}: the chat log scrolls sideways`).toBeLessThanOrEqual(layout.log.clientWidth);
  expect(layout.overflowing, `${view}: bubbles or texts that overflow`).toEqual([]);
  const scrolling = PAYLOADS.filter((p, i) => layout.textScrolls[i] && !p.unbreakable).map((p) => p.name);
  expect(scrolling, `${view}: texts that do not wrap to the bubble`).toEqual([]);
  expect(inside(layout.log.box, layout.frame), `${view}: log ${JSON.stringify(layout.log.box)} inside ${JSON.stringify(layout.frame)}`).toBe(true);
  const viewport: Box = { left: 0, top: 0, right: layout.viewport.width, bottom: layout.viewport.height, width: layout.viewport.width, height: layout.viewport.height };
  expect(inside(layout.frame, viewport), `${view}: the view ${JSON.stringify(layout.frame)} fits the window ${JSON.stringify(viewport)}`).toBe(true);
  for (const [name, control] of [['composer', layout.composer], ['send button', layout.send]] as const) {
    expect(control, `${view}: ${name} exists`).not.toBeNull();
    expect(control!.visible, `${view}: ${name} is visible and not covered`).toBe(true);
    expect(inside(control!.box, layout.frame), `${view}: ${name} ${JSON.stringify(control!.box)} inside ${JSON.stringify(layout.frame)}`).toBe(true);
  }
}

beforeAll(async () => {
  // The corpus goes out as fast as the composer takes it; a generous bucket keeps the test about
  // rendering, not about rate-limit retries.
  relay = await RelayProcess.start({ RATE_PER_SEC: '1000', RATE_BURST: '1000' });
  pageServer = await startPageServer();
  [alice, bob] = await Promise.all([new Profile('xss-alice').launch(), new Profile('xss-bob').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  watchDialogs(alicePopup.page, 'alice popup');
  watchDialogs(bobPopup.page, 'bob popup');
  await alicePopup.saveSettings('Alice', relay.url);
  await bobPopup.saveSettings('Bob', relay.url);
  const code = await alicePopup.createRoom();
  await bobPopup.joinRoom(code);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.kill();
  await pageServer?.close();
});

describe(`an XSS corpus of ${PAYLOADS.length} messages`, () => {
  it('is sent, and the popup on the other side shows each message as exactly its text', async () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(50);
    // A few go in key by key, as a person types; the rest are pasted.
    for (const [i, text] of SENT.entries()) {
      if (i < 3) await alicePopup.send(text);
      else await paste(alicePopup, text);
    }
    await bobPopup.page.waitForFunction((n) => document.querySelectorAll('[data-testid=message]').length >= n, SENT.length, { timeout: 60_000 });
    expectFaithful(await popupReport(bobPopup.page), 'bob popup');

    await alicePopup.page.waitForFunction(() => !document.querySelector('[data-status=sending]'), null, { timeout: 60_000 });
    expectFaithful(await popupReport(alicePopup.page), 'alice popup');

    for (const popup of [alicePopup, bobPopup]) {
      expect(await popup.page.title()).toBe('Parley');
      expect(await popup.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    }
    expect(dialogs).toEqual([]);
  });

  it('shows the same in the overlay on a page, where nothing runs in the page either', async () => {
    const page = await bob.ctx.newPage();
    watchDialogs(page, 'page with overlay');
    await page.goto(pageServer.url);
    const before = await page.evaluate(() => document.documentElement.outerHTML);
    const frame = (await bob.openOverlayFromToolbar(page)).frame!;
    await frame.waitForFunction((n) => document.querySelectorAll('[data-testid=message]').length >= n, SENT.length, { timeout: 60_000 });

    expectFaithful(await overlayReport(frame), 'overlay');
    // The overlay's frame sits inside the page's window.
    const box = (await (await frame.frameElement()).boundingBox())!;
    const { width, height } = page.viewportSize()!;
    expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height, `overlay frame ${JSON.stringify(box)}`).toBe(true);
    // Nothing ran in the overlay's page, nor in the page around it.
    for (const world of [frame, page]) {
      expect(await world.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    }
    expect(await frame.title()).toBe('Parley');
    expect(await page.title()).toBe('A page');
    expect(dialogs).toEqual([]);
    // Outside the closed shadow root the page is as it was, plus the empty host element.
    const after = await page.evaluate(() => document.documentElement.outerHTML);
    expect(after.replace('<parley-overlay></parley-overlay>', '')).toBe(before);
    await page.close();
  });
});
