import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { seriousViolations } from './axe.ts';
import { RelayProcess } from './relay-process.ts';

// "Quote the page" (issue 11): Ann selects a passage far down a long article and quotes it from
// the overlay; Ben sees the quote in his popup, clicks it, and a tab opens on the article scrolled
// to that passage and highlighted. Real Chromium profiles, a real relay process, a page on loopback.

const PASSAGE = 'the lighthouse keeper counted forty-two ships, one by one';
const XSS = '<img src=x onerror="document.title=\'pwned\'"><b>bold?</b>';
const filler = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `<p>Paragraph ${from + i}: ordinary words that fill the page.</p>`).join('\n');
// The passage is on the page twice; only the words before it tell the second one (the quoted one) apart.
const ARTICLE = `<!doctype html><html><head><title>The lighthouse</title>
<style>::target-text { background-color: rgb(255, 0, 0); color: rgb(255, 255, 255); }</style></head><body>
<h1>The lighthouse</h1>
<p id="first">At first ${PASSAGE} and wrote them down.</p>
${filler(0, 150)}
<p id="passage">On the last night ${PASSAGE} and wrote them down.</p>
${filler(150, 300)}
<p id="span-a">The storm began at midnight and the keeper lit the lamp again.</p>
<p id="span-b">By morning the harbour was full of boats at rest.</p>
${filler(300, 400)}
<p id="second">Later she wrote that the sea was calm and the ships were many.</p>
<p id="markup">${XSS.replace(/</g, '&lt;')}</p>
</body></html>`;

let relay: RelayProcess;
let site: { url: string; close: () => Promise<void> };
let ann: Profile;
let ben: Profile;
let annPopup: PopupPage;
let benPopup: PopupPage;
let article: Page;
let overlay: Frame;

async function startArticle(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(ARTICLE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/story?id=7`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Selects `text` inside element `#id` of the page, as a drag over it would, and scrolls it into view. */
async function select(page: Page, id: string, text: string): Promise<void> {
  await page.evaluate(([id, text]) => {
    const node = document.getElementById(id!)!.firstChild!;
    const at = node.textContent!.indexOf(text!);
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text!.length);
    document.getSelection()!.removeAllRanges();
    document.getSelection()!.addRange(range);
    document.getElementById(id!)!.scrollIntoView();
  }, [id, text]);
}

/** Red (the page's ::target-text colour) pixels inside element `#id`, read from a screenshot. */
async function highlightedPixels(page: Page, id: string): Promise<number> {
  const clip = await page.locator(`#${id}`).boundingBox();
  if (!clip) return 0;
  const png = (await page.screenshot({ clip })).toString('base64');
  // Decoded by the browser itself (no image library needed): drawn on a canvas and counted.
  return page.evaluate(async (data) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const canvas = new OffscreenCanvas(img.width, img.height);
    const g = canvas.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, img.width, img.height).data;
    let red = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i]! > 200 && px[i + 1]! < 60 && px[i + 2]! < 60) red++;
    return red;
  }, png);
}

/** Selects from `from` in `#a` to the end of `to` in `#b`, across the paragraphs between. */
async function selectAcross(page: Page, a: string, from: string, b: string, to: string): Promise<void> {
  await page.evaluate(([a, from, b, to]) => {
    const start = document.getElementById(a!)!.firstChild!;
    const end = document.getElementById(b!)!.firstChild!;
    const range = document.createRange();
    range.setStart(start, start.textContent!.indexOf(from!));
    range.setEnd(end, end.textContent!.indexOf(to!) + to!.length);
    document.getSelection()!.removeAllRanges();
    document.getSelection()!.addRange(range);
  }, [a, from, b, to]);
}

const inViewport = (page: Page, id: string) => page.evaluate((id) => {
  const r = document.getElementById(id)!.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight;
}, id);

beforeAll(async () => {
  relay = await RelayProcess.start();
  site = await startArticle();
  [ann, ben] = await Promise.all([new Profile('quote-ann').launch(), new Profile('quote-ben').launch()]);
  [annPopup, benPopup] = await Promise.all([ann.openPopup(), ben.openPopup()]);
  await annPopup.saveSettings('Ann', relay.url);
  await benPopup.saveSettings('Ben', relay.url);
  const code = await annPopup.createRoom();
  await benPopup.joinRoom(code);
  await annPopup.page.close();
  article = await ann.ctx.newPage();
  await article.goto(site.url);
  overlay = await (await ann.openOverlayFromToolbar(article)).waitOpen();
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([ann?.close(), ben?.close()]);
  await relay?.kill();
  await site?.close();
});

/** "Quote selection" shows the cleaned passage (`expected`) first; "Send quote" sends it. */
async function quoteAndSend(frame: Frame, expected: string) {
  await frame.getByTestId('quote-selection').click();
  const preview = frame.getByTestId('quote-preview-text');
  await preview.waitFor({ timeout: 15_000 });
  await expect(preview.textContent()).resolves.toBe(expected);
  await frame.getByTestId('send-quote').click({ timeout: 15_000 }); // enabled half a second after it shows
}

describe('quote the page', () => {
  it('says in words that nothing is selected', async () => {
    await article.evaluate(() => document.getSelection()!.removeAllRanges());
    await overlay.getByTestId('composer').fill('my comment');
    await overlay.getByTestId('quote-selection').click();
    await overlay.locator('[data-testid=error]', { hasText: 'Select some text on the page first' }).waitFor({ timeout: 15_000 });
    // Nothing was sent, so the comment typed for it is still in the box.
    await expect(overlay.getByTestId('composer').inputValue()).resolves.toBe('my comment');
  });

  it('sends the selected passage, far below the fold, as a quote the other member sees', async () => {
    // Dragged a little short at both ends, as people do: the quote takes the words whole.
    await select(article, 'passage', PASSAGE.slice(1, -1));
    await overlay.getByTestId('composer').fill('Look at this');
    await quoteAndSend(overlay, PASSAGE);
    // Ann's own line: the passage, the comment, the page's host.
    const mine = overlay.locator('[data-testid=message]', { has: overlay.getByTestId('page-quote') });
    await mine.waitFor({ timeout: 15_000 });
    await expect(mine.getByTestId('page-quote-text').textContent()).resolves.toBe(PASSAGE);
    await expect(overlay.getByTestId('composer').inputValue()).resolves.toBe('');
    // Ben's popup.
    const line = benPopup.page.locator('[data-testid=message]', { has: benPopup.page.getByTestId('page-quote') });
    await line.waitFor({ timeout: 20_000 });
    await expect(line.getByTestId('page-quote-text').textContent()).resolves.toBe(PASSAGE);
    await expect(line.getByTestId('page-quote-host').textContent()).resolves.toBe(new URL(site.url).host);
    await expect(line.locator('.pl-text').textContent()).resolves.toBe('Look at this');
  });

  it('sends nothing on one click: the passage is shown first, and Cancel drops it', async () => {
    await select(article, 'second', 'the ships were many');
    await overlay.getByTestId('composer').fill('not this one');
    await overlay.getByTestId('quote-selection').click();
    const preview = overlay.getByTestId('quote-preview');
    await preview.waitFor({ timeout: 15_000 });
    await expect(preview.getByTestId('quote-preview-text').textContent()).resolves.toBe('the ships were many');
    await expect(preview.textContent()).resolves.toContain(new URL(site.url).host);
    await preview.getByTestId('cancel-quote').click();
    await overlay.getByTestId('quote-selection').waitFor({ timeout: 15_000 });
    expect(await preview.count()).toBe(0);
    await expect(overlay.getByTestId('composer').inputValue()).resolves.toBe('not this one');
    // A line sent after it reaches Ben; lines arrive in order, so a quote sent before it would be there.
    await overlay.getByTestId('composer').fill('after the cancel');
    await overlay.getByTestId('composer').press('Enter');
    await benPopup.page.locator('[data-testid=message] .pl-text', { hasText: 'after the cancel' }).waitFor({ timeout: 20_000 });
    expect(await benPopup.page.locator('[data-testid=page-quote-text]', { hasText: 'the ships were many' }).count()).toBe(0);
  });

  it('opens the page at the passage, scrolled to it and highlighted, when the other member clicks it', async () => {
    const line = benPopup.page.locator('[data-testid=message]', { has: benPopup.page.getByTestId('page-quote') }).first();
    const opened = ben.ctx.waitForEvent('page', { timeout: 20_000 });
    await line.getByTestId('open-quote').click();
    const tab = await opened;
    await tab.waitForLoadState('load');
    // The fragment directive is the browser's: the page's own address no longer shows it.
    expect(tab.url().split('#')[0]).toBe(site.url);
    // Chromium scrolls once the page is laid out; polled (no event tells a test it scrolled).
    await expect.poll(() => inViewport(tab, 'passage'), { timeout: 15_000 }).toBe(true);
    expect(await inViewport(tab, 'first')).toBe(false); // the same words earlier on: not the one quoted
    await expect.poll(() => highlightedPixels(tab, 'passage'), { timeout: 15_000 }).toBeGreaterThan(50);
    await tab.close();
  });

  it('quotes a passage over two paragraphs, which opens at the passage as a range', async () => {
    await selectAcross(article, 'span-a', 'the keeper lit', 'span-b', 'harbour was full');
    await quoteAndSend(overlay, 'the keeper lit the lamp again.\n\nBy morning the harbour was full');
    const line = benPopup.page.locator('[data-testid=message]', { has: benPopup.page.locator('[data-testid=page-quote-text]', { hasText: 'the keeper lit' }) });
    await line.waitFor({ timeout: 20_000 });
    await expect(line.getByTestId('page-quote-text').textContent()).resolves.toBe('the keeper lit the lamp again.\n\nBy morning the harbour was full');
    const opened = ben.ctx.waitForEvent('page', { timeout: 20_000 });
    await line.getByTestId('open-quote').click();
    const tab = await opened;
    await tab.waitForLoadState('load');
    await expect.poll(() => inViewport(tab, 'span-b'), { timeout: 15_000 }).toBe(true);
    expect(await inViewport(tab, 'span-a')).toBe(true);
    await expect.poll(() => highlightedPixels(tab, 'span-a'), { timeout: 15_000 }).toBeGreaterThan(50);
    expect(await highlightedPixels(tab, 'span-b')).toBeGreaterThan(50);
    await tab.close();
  });

  it('quotes from the toolbar popup over a page whose overlay is open, and offers it nowhere else', async () => {
    await select(article, 'second', 'the sea was calm');
    const popup = await ann.clickToolbarButton(article);
    await popup.waitFor('document.querySelector("main[data-ready=true]")');
    await popup.evaluate('document.querySelector("[data-testid=back]")?.click()');
    await popup.click('[data-testid=room]');
    await popup.click('[data-testid=quote-selection]');
    await popup.waitFor('document.querySelector("[data-testid=quote-preview-text]")?.textContent === "the sea was calm"');
    await popup.click('[data-testid=send-quote]:not([disabled])');
    await benPopup.page.locator('[data-testid=page-quote-text]', { hasText: 'the sea was calm' }).waitFor({ timeout: 20_000 });
    // Ben's popup is over no page with an overlay (it is its own tab): no such button.
    expect(await benPopup.page.getByTestId('quote-selection').count()).toBe(0);
    await popup.evaluate('window.close()');
  });

  it('shows an XSS-shaped selection as the text it is', async () => {
    await select(article, 'markup', XSS);
    await quoteAndSend(overlay, XSS);
    expect(await overlay.locator('[data-testid=quote-preview] img, [data-testid=quote-preview] b').count()).toBe(0);
    const line = benPopup.page.locator('[data-testid=message]', { has: benPopup.page.locator('[data-testid=page-quote-text]', { hasText: 'onerror' }) });
    await line.waitFor({ timeout: 20_000 });
    await expect(line.getByTestId('page-quote-text').textContent()).resolves.toBe(XSS);
    expect(await benPopup.page.locator('[data-testid=chat-log] img, [data-testid=chat-log] b').count()).toBe(0);
    expect(await benPopup.page.title()).toBe('Parley');
  });

  it('shows quotes with no serious or critical axe violation, in light and in dark', async () => {
    // With a preview waiting too.
    await select(article, 'second', 'the sea was calm');
    await overlay.getByTestId('quote-selection').click();
    await overlay.getByTestId('quote-preview').waitFor({ timeout: 15_000 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await benPopup.page.emulateMedia({ colorScheme });
      await overlay.page().emulateMedia({ colorScheme });
      expect(await seriousViolations(benPopup.page)).toEqual([]);
      expect(await seriousViolations(overlay)).toEqual([]);
    }
    await overlay.getByTestId('cancel-quote').click();
  });
});
