import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionPopup } from './action-popup.ts';
import { startArticleServer } from './page-server.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Review of issue 11 (review11a). security.md: a member who uses a nickname first seen in the room
// under another key is flagged "(another key than before)" wherever their lines show (identity-rules
// rule 3). Ana speaks first in the shared room; Mallory, another member, takes the nickname "Ana"
// and writes in the page's private thread. Bob's main log flags Mallory's line; the thread view
// must too, or "Ana" says there what Ana never said.

const mark = () => randomUUID().replace(/-/g, '').slice(0, 10);
const HOST = `news${mark()}.example`;
const PATH = `story${mark()}`;
const REAL = `Ana in the room ${mark()}`;
const FAKE = `Not Ana in the thread ${mark()}`;

let relay: RelayProcess;
let site: Awaited<ReturnType<typeof startArticleServer>>;
let ana: Profile;
let bob: Profile;
let mallory: Profile;
let anaPopup: PopupPage;
let bobPopup: PopupPage;
let malloryPopup: PopupPage;
let bobPage: Page;
let malloryPage: Page;

const articleUrl = () => `http://${HOST}:${site.port}/${PATH}/read`;

async function popupOver(profile: Profile, page: Page): Promise<ActionPopup> {
  const popup = await profile.clickToolbarButton(page);
  await popup.waitFor('document.querySelector("main[data-ready=true]")');
  await popup.evaluate('document.querySelector("[data-testid=back]")?.click()');
  await popup.waitFor('document.querySelector("[data-testid=room-list]")');
  return popup;
}

beforeAll(async () => {
  relay = await RelayProcess.start();
  site = await startArticleServer('An article');
  const args = [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`, '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable'];
  [ana, bob, mallory] = await Promise.all([
    new Profile('r11a-ana', undefined, { args }).launch(), new Profile('r11a-bob', undefined, { args }).launch(), new Profile('r11a-mallory', undefined, { args }).launch(),
  ]);
  [anaPopup, bobPopup, malloryPopup] = await Promise.all([ana.openPopup(), bob.openPopup(), mallory.openPopup()]);
  await Promise.all([anaPopup.saveSettings('Ana', relay.url), bobPopup.saveSettings('Bob', relay.url), malloryPopup.saveSettings('Ana', relay.url)]);
  bobPage = await bob.ctx.newPage();
  await bobPage.goto(articleUrl());
  malloryPage = await mallory.ctx.newPage();
  await malloryPage.goto(articleUrl());
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([ana?.close(), bob?.close(), mallory?.close()]);
  await relay?.kill();
  await site?.close();
});

describe('a page thread and a borrowed nickname', () => {
  it('the thread view flags a line whose nickname was first seen under another key, as the main log does', async () => {
    const code = await anaPopup.createRoom();
    const roomId = (await anaPopup.page.getByTestId('room-view').getAttribute('data-room-id'))!;
    await bobPopup.joinRoom(code);
    await anaPopup.send(REAL);
    await bobPopup.waitForMessage(REAL);
    await malloryPopup.joinRoom(code);

    const m = await popupOver(mallory, malloryPage);
    await m.click(`[data-testid=room][data-room-id="${roomId}"]`);
    await m.click('[data-testid=page-thread-open]');
    await m.waitFor('document.querySelector("[data-testid=thread-composer]")');
    await m.evaluate(`(() => { const el = document.querySelector("[data-testid=thread-composer]"); el.focus(); el.value = ${JSON.stringify(FAKE)}; el.dispatchEvent(new Event('input', { bubbles: true })); })()`);
    await m.click('[data-testid=thread-send]');
    await m.waitFor(`[...document.querySelectorAll("[data-testid=thread-line]")].some((l) => l.textContent.includes(${JSON.stringify(FAKE)}) && l.dataset.status !== "sending")`, 60_000);
    await m.evaluate('window.close()');

    // Bob's main log: Mallory's line is flagged.
    await bobPopup.waitForMessage(FAKE);
    const line = bobPopup.page.locator('[data-testid=message]', { hasText: FAKE });
    await expect(line.getByTestId('other-key').textContent()).resolves.toBe('(another key than before)');

    // Bob's thread view over the page: the same line must carry the same flag.
    const b = await popupOver(bob, bobPage);
    await b.click(`[data-testid=room][data-room-id="${roomId}"]`);
    await b.click('[data-testid=page-thread-open]');
    await b.waitFor(`[...document.querySelectorAll("[data-testid=thread-line]")].some((l) => l.textContent.includes(${JSON.stringify(FAKE)}))`, 60_000);
    const shown = await b.evaluate<string>(`[...document.querySelectorAll("[data-testid=thread-line]")].find((l) => l.textContent.includes(${JSON.stringify(FAKE)})).textContent`);
    expect(shown).toContain('(another key than before)');
  });
});
