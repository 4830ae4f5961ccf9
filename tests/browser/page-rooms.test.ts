import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionPopup } from './action-popup.ts';
import { MitmProxy } from './mitm-proxy.ts';
import { startArticleServer } from './page-server.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Rooms for a page (issue 11). Alice and Bob read one article, Bob through a link with a tracking
// parameter and a fragment; each presses "Chat about this page" and they meet in its public room
// without sharing a code. Then, in a room they share, Alice starts that page's private thread; Bob
// sees it, and the popup over the page says that room has activity there. Carol, on the same page
// but not in their room, finds nothing of the thread; the page's room she had joined by its code
// becomes her page room when she presses "Chat about this page". Carol then joins the shared room
// under the nickname "Alice" and writes in the thread: Bob's thread view flags her line as his main
// log does. Everything the relay could tell (its frames, through a pass-through proxy, and its
// debug logs) holds no part of the page's address or title.

const mark = () => randomUUID().replace(/-/g, '').slice(0, 10);
const HOST = `news${mark()}.example`;
const PATH = `story${mark()}`;
const TITLE_WORD = `Headline${mark()}`;
const TITLE = `${TITLE_WORD} about rivers`;
const URL_PARTS = [HOST, PATH, TITLE_WORD];
const PAGE_ROOM_TEXTS = [`Alice in the page room ${mark()}`, `Bob in the page room ${mark()}`];
const THREAD_TEXT = `Private note on the article ${mark()}`;
const FAKE = `Not Alice in the thread ${mark()}`;

let relay: RelayProcess;
let proxy: MitmProxy;
let site: Awaited<ReturnType<typeof startArticleServer>>;
let alice: Profile;
let bob: Profile;
let carol: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;
let carolPopup: PopupPage;
let alicePage: Page;
let bobPage: Page;
let carolPage: Page;
let pageRoomId = '';
let pageRoomCode = '';
let sharedRoomId = '';
let sharedCode = '';

const articleUrl = (suffix = '') => `http://${HOST}:${site.port}/${PATH}/read${suffix}`;

async function openArticle(profile: Profile, url: string): Promise<Page> {
  const page = await profile.ctx.newPage();
  await page.goto(url);
  return page;
}

/** The toolbar popup over `page`, on its room list (it may reopen on the room it last showed). */
async function popupOver(profile: Profile, page: Page): Promise<ActionPopup> {
  const popup = await profile.clickToolbarButton(page);
  await popup.waitFor('document.querySelector("main[data-ready=true]")');
  await popup.evaluate('document.querySelector("[data-testid=back]")?.click()');
  await popup.waitFor('document.querySelector("[data-testid=room-list]")');
  return popup;
}

/** "Chat about this page", read the warning, join: resolves with the page room's id once it shows. */
async function chatAboutThisPage(popup: ActionPopup): Promise<string> {
  await popup.click('[data-testid=chat-about-page]');
  await popup.waitFor('document.querySelector("[data-testid=page-room-warning]")');
  const warning = await popup.evaluate<string>('document.querySelector("[data-testid=page-room-warning]").textContent');
  expect(warning).toMatch(/anyone who can guess this page's address can join and read it/i);
  expect(warning).toMatch(/public to the page's visitors/i);
  await popup.click('[data-testid=join-page-room]');
  // The slow derivation runs in the worker; generous, as the machine is shared.
  await popup.waitFor('document.querySelector("[data-testid=room-view] [data-testid=page-room-public]")', 60_000);
  return popup.evaluate<string>('document.querySelector("[data-testid=room-view]").dataset.roomId');
}

/** Types into an input of the toolbar popup as a person's typing would reach Preact (input events). */
async function typeInto(popup: ActionPopup, selector: string, text: string): Promise<void> {
  await popup.waitFor(`document.querySelector(${JSON.stringify(selector)})`);
  await popup.evaluate(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); el.focus(); el.value = ${JSON.stringify(text)}; el.dispatchEvent(new Event('input', { bubbles: true })); })()`);
}

/** Waits until the popup's page panel holds the background's answer to page-activity for its page. */
async function activityAnswered(popup: ActionPopup): Promise<void> {
  await popup.waitFor('document.querySelector("[data-testid=page-panel][data-activity-answered=true]")', 60_000);
}

function holdsUrlPart(text: string): string[] {
  const lower = text.toLowerCase();
  return URL_PARTS.filter((p) => lower.includes(p.toLowerCase()));
}

beforeAll(async () => {
  relay = await RelayProcess.start({ LOG_LEVEL: 'debug' });
  proxy = await MitmProxy.start(relay.url);
  site = await startArticleServer(TITLE);
  // The article's host name is a marker: mapped here to loopback, never resolved elsewhere. Plain
  // http to it is what the test serves, so Chromium must not try https first.
  const args = [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`, '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable'];
  [alice, bob, carol] = await Promise.all([
    new Profile('page-alice', undefined, { args }).launch(), new Profile('page-bob', undefined, { args }).launch(), new Profile('page-carol', undefined, { args }).launch(),
  ]);
  [alicePopup, bobPopup, carolPopup] = await Promise.all([alice.openPopup(), bob.openPopup(), carol.openPopup()]);
  await Promise.all([alicePopup.saveSettings('Alice', proxy.url), bobPopup.saveSettings('Bob', proxy.url), carolPopup.saveSettings('Carol', proxy.url)]);
  [alicePage, bobPage, carolPage] = await Promise.all([
    openArticle(alice, articleUrl()),
    openArticle(bob, articleUrl('?utm_source=x#frag')),
    openArticle(carol, articleUrl('?fbclid=abc')),
  ]);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close(), carol?.close()]);
  await proxy?.close();
  await relay?.kill();
  await site?.close();
});

describe('a room for this page', () => {
  it('two profiles on one article (one through ?utm_source=x#frag) meet in its page room without a code, and chat', async () => {
    const a = await popupOver(alice, alicePage);
    pageRoomId = await chatAboutThisPage(a);
    await a.evaluate('window.close()');
    const b = await popupOver(bob, bobPage);
    expect(await chatAboutThisPage(b)).toBe(pageRoomId);
    await b.evaluate('window.close()');

    // In each one's room list: named after the page, marked as a public page room.
    for (const popup of [alicePopup, bobPopup]) {
      const row = popup.page.locator(`[data-testid=room][data-room-id="${pageRoomId}"]`);
      await expect(row.getByTestId('room-name').textContent()).resolves.toBe(TITLE);
      await expect(row.getByTestId('room-page-room').textContent()).resolves.toMatch(/page room/);
      await row.click();
      await popup.page.getByTestId('room-view').waitFor();
    }
    pageRoomCode = (await alicePopup.page.locator('[data-testid=room-view] [data-testid=room-code]').textContent())!;
    await alicePopup.send(PAGE_ROOM_TEXTS[0]!);
    await bobPopup.waitForMessage(PAGE_ROOM_TEXTS[0]!);
    await bobPopup.send(PAGE_ROOM_TEXTS[1]!);
    await alicePopup.waitForMessage(PAGE_ROOM_TEXTS[1]!);
  });

  it('a private per-page thread in a shared room: both see it, the popup over the page counts it', async () => {
    await alicePopup.back();
    await bobPopup.back();
    sharedCode = await alicePopup.createRoom();
    sharedRoomId = (await alicePopup.page.getByTestId('room-view').getAttribute('data-room-id'))!;
    await bobPopup.joinRoom(sharedCode);

    const a = await popupOver(alice, alicePage);
    await a.click(`[data-testid=room][data-room-id="${sharedRoomId}"]`);
    await a.click('[data-testid=page-thread-open]');
    await a.waitFor('document.querySelector("[data-testid=page-thread-empty]")');
    await typeInto(a, '[data-testid=thread-composer]', THREAD_TEXT);
    await a.click('[data-testid=thread-send]');
    await a.waitFor(`[...document.querySelectorAll("[data-testid=thread-line]")].some((l) => l.textContent.includes(${JSON.stringify(THREAD_TEXT)}) && l.dataset.status !== "sending")`, 30_000);
    await a.evaluate('window.close()');

    // Bob's main log: the line, marked with the page it is about.
    await bobPopup.waitForMessage(THREAD_TEXT);
    const line = bobPopup.page.locator('[data-testid=message]', { hasText: THREAD_TEXT });
    await expect(line.getByTestId('page-mark').textContent()).resolves.toBe(`on ${TITLE}`);

    // Bob's popup over the same article (his link had tracking parameters): the room has activity here.
    const b = await popupOver(bob, bobPage);
    await b.waitFor(`document.querySelector('[data-testid=room][data-room-id="${sharedRoomId}"] [data-testid=room-page-activity]')`);
    expect(await b.evaluate<string>(`document.querySelector('[data-testid=room][data-room-id="${sharedRoomId}"] [data-testid=room-page-activity]').textContent`)).toBe('1 on this page');
    expect(await b.evaluate<string>(`document.querySelector('[data-testid=page-activity-room][data-room-id="${sharedRoomId}"]').dataset.count`)).toBe('1');
    // Only the shared room: the page room's lines are not a thread.
    expect(await b.evaluate<number>('document.querySelectorAll("[data-testid=page-activity-room]").length')).toBe(1);
    // Its thread shows the line.
    await b.click(`[data-testid=page-activity-room][data-room-id="${sharedRoomId}"]`);
    await b.click('[data-testid=page-thread-open]');
    await b.waitFor(`[...document.querySelectorAll("[data-testid=thread-line]")].some((l) => l.textContent.includes(${JSON.stringify(THREAD_TEXT)}))`);
    // The thread holds only that page's lines: nothing else said in the room shows there.
    expect(await b.evaluate<number>('document.querySelectorAll("[data-testid=thread-line]").length')).toBe(1);
    await b.evaluate('window.close()');
  });

  it('Carol on the same page, not in the room, finds nothing of the thread; the page room she joined by code is marked as one', async () => {
    // A room of her own, and the page's room joined by the code a friend read her: "no activity
    // here" is counted over both, not over an empty list.
    await carolPopup.createRoom();
    await carolPopup.back();
    await carolPopup.joinRoom(pageRoomCode);
    await carolPopup.back();
    const c = await popupOver(carol, carolPage);
    await activityAnswered(c);
    expect(await c.evaluate<number>('document.querySelectorAll("[data-testid=room]").length')).toBe(2);
    // No room of hers has activity on this page.
    expect(await c.evaluate<boolean>('!!document.querySelector("[data-testid=page-activity], [data-testid=room-page-activity]")')).toBe(false);
    // Joined by its code, it is not yet known here as the page's room.
    expect(await c.evaluate<boolean>(`!!document.querySelector('[data-testid=room][data-room-id="${pageRoomId}"] [data-testid=room-page-room]')`)).toBe(false);
    // The page's public room she can find: the room she had, now said to be public; it holds what
    // was said there, not the thread.
    expect(await chatAboutThisPage(c)).toBe(pageRoomId);
    await c.waitFor(`document.body.textContent.includes(${JSON.stringify(PAGE_ROOM_TEXTS[1])})`, 30_000);
    expect(await c.evaluate<boolean>(`document.body.textContent.includes(${JSON.stringify(THREAD_TEXT)})`)).toBe(false);
    await c.click('[data-testid=back]');
    await c.waitFor('document.querySelector("[data-testid=room-list]")');
    await activityAnswered(c);
    expect(await c.evaluate<boolean>(`!!document.querySelector('[data-testid=room][data-room-id="${pageRoomId}"] [data-testid=room-page-room]')`)).toBe(true);
    expect(await c.evaluate<boolean>('!!document.querySelector("[data-testid=page-activity], [data-testid=room-page-activity]")')).toBe(false);
    expect(await c.evaluate<boolean>(`document.body.textContent.includes(${JSON.stringify(THREAD_TEXT)})`)).toBe(false);
    await c.evaluate('window.close()');
  });

  // security.md: a member who takes a nickname first seen in the room under another key is flagged
  // "(another key than before)" wherever their lines show (identity-rules rule 3), the thread too.
  it('the thread view flags a line whose nickname was first seen under another key, as the main log does', async () => {
    await carolPopup.saveSettings('Alice', proxy.url);
    await carolPopup.joinRoom(sharedCode);
    const m = await popupOver(carol, carolPage);
    await m.click(`[data-testid=room][data-room-id="${sharedRoomId}"]`);
    await m.click('[data-testid=page-thread-open]');
    await typeInto(m, '[data-testid=thread-composer]', FAKE);
    await m.click('[data-testid=thread-send]');
    await m.waitFor(`[...document.querySelectorAll("[data-testid=thread-line]")].some((l) => l.textContent.includes(${JSON.stringify(FAKE)}) && l.dataset.status !== "sending")`, 60_000);
    await m.evaluate('window.close()');

    // Bob's main log: the line is flagged.
    await bobPopup.waitForMessage(FAKE);
    const line = bobPopup.page.locator('[data-testid=message]', { hasText: FAKE });
    await expect(line.getByTestId('other-key').textContent()).resolves.toBe('(another key than before)');

    // Bob's thread view over the page: the same line carries the same flag.
    const b = await popupOver(bob, bobPage);
    await b.click(`[data-testid=room][data-room-id="${sharedRoomId}"]`);
    await b.click('[data-testid=page-thread-open]');
    await b.waitFor(`[...document.querySelectorAll("[data-testid=thread-line]")].some((l) => l.textContent.includes(${JSON.stringify(FAKE)}))`, 60_000);
    const shown = await b.evaluate<string>(`[...document.querySelectorAll("[data-testid=thread-line]")].find((l) => l.textContent.includes(${JSON.stringify(FAKE)})).querySelector("[data-testid=other-key]")?.textContent ?? ""`);
    expect(shown).toBe('(another key than before)');
    await b.evaluate('window.close()');
  });

  it('the relay\'s frames and logs hold no part of the page address or title', () => {
    const wire = proxy.frames.map((f) => f.text).join('\n');
    // Sanity: the capture saw both rooms and the thread line's sealed frame.
    expect(wire).toContain(pageRoomId);
    expect(wire).toContain(sharedRoomId);
    expect(proxy.frames.filter((f) => f.dir === 'up' && f.text.includes('"CHATMSG"') && f.text.includes(sharedRoomId)).length).toBeGreaterThanOrEqual(1);
    expect(holdsUrlPart(wire)).toEqual([]);
    expect(relay.output).toContain('"connected"');
    expect(holdsUrlPart(relay.output)).toEqual([]);
  });
});
