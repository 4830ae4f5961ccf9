import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'playwright-core';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Alice and Bob in two real browsers through a real relay: who is here (by nickname, verified),
// who is typing, delivery, desktop notifications (shown for a room not on screen, none when
// muted), unread counts, names (first-run prompt, a name at creation, rename), and the popup
// reopening on the room it was showing. The steps build on each other, as one conversation.

const FINGERPRINT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

let relay: RelayProcess;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;
let roomId = '';

/** The people list of the open room, as shown: name, fingerprint, verified mark, safety code. */
async function people(popup: PopupPage) {
  const detail = popup.page.getByTestId('people');
  if (!(await detail.evaluate((d) => (d as HTMLDetailsElement).open))) await detail.locator('summary').click();
  return popup.page.$$eval('[data-testid=person]', (els) => els.map((e) => ({
    name: e.querySelector('[data-testid=person-name]')!.textContent,
    fingerprint: e.getAttribute('data-fingerprint'),
    verified: e.querySelector('[data-testid=person-verified]') !== null,
    safetyCode: e.querySelector('[data-testid=safety-code]')?.textContent ?? null,
  })));
}

/** What the extension's worker has on the desktop now (its registration's notifications). */
async function notifications(worker: Worker): Promise<{ title: string; body: string }[]> {
  return worker.evaluate(async () => {
    const scope = self as unknown as { registration: { getNotifications(): Promise<{ title: string; body: string }[]> } };
    return (await scope.registration.getNotifications()).map((n) => ({ title: n.title, body: n.body }));
  });
}

async function clearNotifications(worker: Worker): Promise<void> {
  await worker.evaluate(async () => {
    const scope = self as unknown as { registration: { getNotifications(): Promise<{ close(): void }[]> } };
    for (const n of await scope.registration.getNotifications()) n.close();
  });
}

const roomButton = (popup: PopupPage) => popup.page.locator(`[data-testid=room][data-room-id="${roomId}"]`);

beforeAll(async () => {
  relay = await RelayProcess.start();
  [alice, bob] = await Promise.all([new Profile('people-alice').launch(), new Profile('people-bob').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.kill();
});

describe('people, typing, notifications and names between two browsers', () => {
  it('asks a new user for a nickname on the room list, without blocking anything', async () => {
    await bobPopup.page.getByTestId('nickname-prompt').waitFor();
    // "Later" hides it; everything else stays usable.
    await alicePopup.page.getByTestId('nickname-later').click();
    expect(await alicePopup.page.getByTestId('nickname-prompt').count()).toBe(0);
    await bobPopup.page.getByTestId('first-nickname').fill('Bob');
    await bobPopup.page.getByTestId('save-first-nickname').click();
    await bobPopup.page.getByTestId('nickname-prompt').waitFor({ state: 'detached' });
    await alicePopup.saveSettings('Alice', relay.url);
    await bobPopup.saveSettings('Bob', relay.url);
  });

  it('names a room when it is created, and both see each other here, by nickname, verified', async () => {
    await alicePopup.page.getByTestId('new-room-name').fill('Book club');
    const code = await alicePopup.createRoom();
    roomId = (await alicePopup.page.getByTestId('room-view').getAttribute('data-room-id'))!;
    await expect(alicePopup.page.locator('[data-testid=room-view] h2').textContent()).resolves.toBe('Book club');
    await bobPopup.joinRoom(code);

    for (const popup of [alicePopup, bobPopup]) await popup.page.getByTestId('members').filter({ hasText: '2 here' }).waitFor();
    // Presence arrives sealed and signed: wait for the name, then read the whole entry.
    await alicePopup.page.locator('[data-testid=person-name]', { hasText: 'Bob' }).waitFor({ state: 'attached' });
    await bobPopup.page.locator('[data-testid=person-name]', { hasText: 'Alice' }).waitFor({ state: 'attached' });
    const [atAlice, atBob] = [await people(alicePopup), await people(bobPopup)];
    expect(atAlice).toEqual([expect.objectContaining({ name: 'Bob', verified: true, fingerprint: expect.stringMatching(FINGERPRINT) })]);
    expect(atBob).toEqual([expect.objectContaining({ name: 'Alice', verified: true, fingerprint: expect.stringMatching(FINGERPRINT) })]);
    // Each one's fingerprint is the one the other side shows as its own key; the safety code is the same on both.
    await expect(bobPopup.page.getByTestId('own-fingerprint').textContent()).resolves.toContain(atAlice[0]!.fingerprint);
    await expect(alicePopup.page.getByTestId('own-fingerprint').textContent()).resolves.toContain(atBob[0]!.fingerprint);
    expect(atAlice[0]!.safetyCode).toBe(atBob[0]!.safetyCode);
  });

  it('shows "Bob is typing…" while he types, and nothing once he clears the box', async () => {
    const typing = alicePopup.page.getByTestId('typing');
    expect(await typing.getAttribute('aria-live')).toBe('polite');
    await bobPopup.page.getByTestId('composer').pressSequentially('I think');
    await typing.filter({ hasText: 'Bob is typing…' }).waitFor();
    await bobPopup.page.getByTestId('composer').fill('');
    await alicePopup.page.waitForFunction(() => document.querySelector('[data-testid=typing]')!.textContent === '');
  });

  it('typing ends when the message arrives, and Alice sees her own message delivered', async () => {
    await bobPopup.page.getByTestId('composer').pressSequentially('Chapter 3');
    await alicePopup.page.getByTestId('typing').filter({ hasText: 'Bob is typing…' }).waitFor();
    await bobPopup.page.getByTestId('composer').press('Enter');
    await alicePopup.waitForMessage('Chapter 3');
    await alicePopup.page.waitForFunction(() => document.querySelector('[data-testid=typing]')!.textContent === '');
    await alicePopup.send('Agreed');
    await alicePopup.waitForMessage('Agreed', 'delivered');
  });

  it('shows a desktop notification for a message in a room not on screen, once notifications are on', async () => {
    await alicePopup.back();
    await alicePopup.page.getByTestId('open-settings').click();
    // Not allowed (headless Chromium 156 answers the request "denied" at once): the box stays
    // off, and says why.
    await alicePopup.page.getByTestId('notifications').click();
    await alicePopup.page.getByTestId('notifications-note').filter({ hasText: 'blocks notifications' }).waitFor();
    await expect(alicePopup.page.getByTestId('notifications').isChecked()).resolves.toBe(false);
    // A test cannot answer the browser's prompt: the permission is granted as a user's "Allow"
    // would, for the extension's origin, then the setting is turned on.
    const session = await alice.browserSession();
    await session.send('Browser.grantPermissions', { origin: `chrome-extension://${alice.extensionId}`, permissions: ['notifications'] });
    // The box turns on once the browser answered the request (asynchronously).
    await alicePopup.page.getByTestId('notifications').click();
    await alicePopup.page.locator('[data-testid=notifications]:checked').waitFor();
    expect(await alicePopup.page.getByTestId('notifications-note').count()).toBe(0);
    await alicePopup.page.getByTestId('save-settings').click();
    await alicePopup.page.getByTestId('create-room').waitFor();

    const worker = await alice.worker();
    await bobPopup.send('Are you there, Alice?');
    await alicePopup.page.waitForFunction(() => document.querySelector('[data-testid=unread]')?.textContent === '1');
    expect(await notifications(worker)).toEqual([{ title: 'Book club', body: 'Bob: Are you there, Alice?' }]);
    await expect(roomButton(alicePopup).getByTestId('last-message').textContent()).resolves.toBe('Bob: Are you there, Alice?');
    await expect(roomButton(alicePopup).getByTestId('last-at').textContent()).resolves.toMatch(/\d/);
  });

  it('shows none for a muted room, whose unread count still grows', async () => {
    const worker = await alice.worker();
    await clearNotifications(worker);
    // Opening the room (to mute it) counts as having seen it: the next message would notify at once.
    await roomButton(alicePopup).click();
    await alicePopup.page.getByTestId('mute-room').check();
    await alicePopup.back();
    await roomButton(alicePopup).getByTestId('room-muted').waitFor();
    await bobPopup.send('Muted, hopefully');
    await alicePopup.page.waitForFunction(() => document.querySelector('[data-testid=unread]')?.textContent === '1');
    await expect(roomButton(alicePopup).getByTestId('last-message').textContent()).resolves.toBe('Bob: Muted, hopefully');
    expect(await notifications(worker)).toEqual([]);
  });

  it('renames a room on this device only', async () => {
    await roomButton(alicePopup).click();
    // Opened again (it was opened and left before): who is here shows again, not blank.
    await alicePopup.page.locator('[data-testid=person-name]', { hasText: 'Bob' }).waitFor({ state: 'attached' });
    await alicePopup.page.getByTestId('room-tools').locator('summary').click();
    await alicePopup.page.getByTestId('room-name-input').fill('Novels');
    await alicePopup.page.getByTestId('rename-room').click();
    await alicePopup.page.locator('[data-testid=room-view] h2', { hasText: 'Novels' }).waitFor();
    // Bob's name for it is his own: nothing about names travels.
    await expect(bobPopup.page.locator('[data-testid=room-view] h2').textContent()).resolves.not.toBe('Novels');
  });

  it('reopens on the room it was showing, also after the worker was stopped', async () => {
    // One popup at a time, as with the toolbar's: the tab kept open so far goes back to the list.
    await alicePopup.back();
    const first = await alice.openPopupAsIs();
    expect(await first.page.getByTestId('room-view').count()).toBe(0);
    await roomButton(first).click();
    await first.page.getByTestId('room-view').waitFor();
    await first.page.close();
    const again = await alice.openPopupAsIs();
    await again.page.locator(`[data-testid=room-view][data-room-id="${roomId}"]`).waitFor();
    await again.page.close();
    await alice.stopServiceWorker(alicePopup.page);
    const afterRestart = await alice.openPopupAsIs();
    await afterRestart.page.locator(`[data-testid=room-view][data-room-id="${roomId}"]`).waitFor();
    // Back on the list: that is where it opens next.
    await afterRestart.back();
    await afterRestart.page.close();
    const onList = await alice.openPopupAsIs();
    expect(await onList.page.getByTestId('room-view').count()).toBe(0);
    await onList.page.close();
  });

  it('says who is here is unknown while the relay is unreachable, never a stale count', async () => {
    await relay.kill();
    await bobPopup.page.getByTestId('members').filter({ hasText: 'unknown' }).waitFor();
    await bobPopup.page.getByTestId('people-count').filter({ hasText: 'unknown' }).waitFor({ state: 'attached' });
    expect(await bobPopup.page.getByTestId('person').count()).toBe(0);
  });
});
