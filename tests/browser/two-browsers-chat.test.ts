import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPageServer } from './page-server.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Two independent Chromium profiles with the built extension talk through a real relay process.
// The steps build on each other, as one conversation between Alice and Bob.

let relay: RelayProcess;
let pageServer: Awaited<ReturnType<typeof startPageServer>>;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;
let code = '';

beforeAll(async () => {
  relay = await RelayProcess.start();
  pageServer = await startPageServer();
  [alice, bob] = await Promise.all([new Profile('alice').launch(), new Profile('bob').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings('Alice', relay.url);
  await bobPopup.saveSettings('Bob', relay.url);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.kill();
  await pageServer?.close();
});

describe('two browsers chat through the relay', () => {
  it('refuses an unencrypted relay address on another computer', async () => {
    await alicePopup.page.getByTestId('open-settings').click();
    await alicePopup.page.getByTestId('relay-url').fill('ws://relay.example.org:8787');
    await alicePopup.page.getByTestId('save-settings').click();
    await expect(alicePopup.page.getByTestId('settings-error').textContent()).resolves.toMatch(/must use wss:\/\//);
    await alicePopup.page.getByTestId('relay-url').fill(relay.url);
    await alicePopup.page.getByTestId('save-settings').click();
    await alicePopup.page.getByTestId('create-room').waitFor();
  });

  it('creates a room and shows a readable code', async () => {
    code = await alicePopup.createRoom();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$/);
    await alicePopup.waitOnline();
  });

  it('catches a mistyped code before anything is sent', async () => {
    const typo = code.slice(0, 3) + (code[3] === '7' ? '8' : '7') + code.slice(4);
    await bobPopup.typeJoinCode(typo);
    await expect(bobPopup.page.getByTestId('code-error').textContent()).resolves.toMatch(/typo/);
    await bobPopup.typeJoinCode('hello');
    await expect(bobPopup.page.getByTestId('code-error').textContent()).resolves.toMatch(/never contain|24 characters/);
    expect(await bobPopup.page.getByTestId('room').count()).toBe(0);
  });

  it('joins by code, lowercase and with spaces, and messages go both ways', async () => {
    await bobPopup.joinRoom(code.toLowerCase().replace(/-/g, ' '));
    await alicePopup.send('Hello Bob, this is Alice');
    await bobPopup.waitForMessage('Hello Bob, this is Alice');
    await alicePopup.waitForMessage('Hello Bob, this is Alice', 'sent');
    await bobPopup.send('Hi Alice!\nSecond line with Shift+Enter');
    await alicePopup.waitForMessage('Hi Alice!\nSecond line with Shift+Enter');
    expect(await alicePopup.messages()).toEqual(['Hello Bob, this is Alice', 'Hi Alice!\nSecond line with Shift+Enter']);
    expect(await bobPopup.messages()).toEqual(await alicePopup.messages());
  });

  it('shows markup as the text that was sent, never as HTML', async () => {
    const markup = '<img src=x onerror="document.title=\'pwned\'"><b>bold?</b>';
    await alicePopup.send(markup);
    await bobPopup.waitForMessage(markup);
    expect(await bobPopup.page.title()).toBe('Parley');
    expect(await bobPopup.page.locator('[data-testid=chat-log] img, [data-testid=chat-log] b').count()).toBe(0);
  });

  it('counts unread messages on the toolbar badge and clears them when read', async () => {
    await bobPopup.back();
    await alicePopup.send('unread one');
    await alicePopup.send('unread two');
    await bobPopup.page.locator('[data-testid=unread]', { hasText: '2' }).waitFor();
    expect(await bob.badge()).toBe('2');
    await expect(bobPopup.page.getByTestId('last-message').first().textContent()).resolves.toBe('Alice: unread two');
    await bobPopup.openRoom(0);
    await bobPopup.waitForMessage('unread two');
    await bobPopup.page.getByTestId('connection').waitFor();
    // The badge has no event a test can await, so it is polled; with the harness's usual deadline,
    // not expect.poll's 1 s, which a loaded machine can outlast between reading and clearing.
    await expect.poll(() => bob.badge(), { timeout: 15_000 }).toBe('');
  });

  it('chats in the overlay on a page, which the page cannot read, and closing leaves the page as it was', async () => {
    const page = await alice.ctx.newPage();
    await page.goto(pageServer.url);
    const before = await page.evaluate(() => document.documentElement.outerHTML);
    const overlay = await alice.openOverlayFromToolbar(page);
    expect(await page.evaluate(() => document.querySelector('parley-overlay')!.shadowRoot)).toBeNull();
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('unread two');
    await overlay.waitForMessages((m) => m.includes('unread two'));

    await overlay.send('Sent from the overlay');
    await bobPopup.waitForMessage('Sent from the overlay');
    await bobPopup.send('Reply into the overlay');
    await overlay.waitForMessages((m) => m.at(-1) === 'Reply into the overlay');

    await overlay.close();
    await page.waitForFunction(() => !document.querySelector('parley-overlay'));
    expect(await page.evaluate(() => document.documentElement.outerHTML)).toBe(before);
    await page.close();
  });

  it('keeps history when the popup is closed and reopened', async () => {
    const expected = await bobPopup.messages();
    await bobPopup.page.close();
    bobPopup = await bob.openPopup();
    await bobPopup.openRoom(0);
    await bobPopup.waitForMessage('Reply into the overlay');
    expect(await bobPopup.messages()).toEqual(expected);
  });

  it('keeps history across a browser restart and chats again after it', async () => {
    const expected = await bobPopup.messages();
    await bob.close();
    bob = await new Profile('bob', bob.dir).launch();
    bobPopup = await bob.openPopup();
    await bobPopup.waitOnline();
    await bobPopup.openRoom(0);
    await bobPopup.waitForMessage('Reply into the overlay');
    expect(await bobPopup.messages()).toEqual(expected);
    await alicePopup.send('Welcome back, Bob');
    await bobPopup.waitForMessage('Welcome back, Bob');
    await bobPopup.send('Good to be back');
    await alicePopup.waitForMessage('Good to be back');
  });
});
