import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PopupPage } from '../browser/popup-page.ts';
import { Profile } from '../browser/profile.ts';
import { RelayProcess } from '../browser/relay-process.ts';
import { FirefoxProfile } from './firefox-profile.ts';
import type { FirefoxPopup } from './firefox-popup.ts';

// A Firefox profile (Fox) and a Chromium profile (Alice), each with the built extension, talk
// through a real relay process. The steps build on each other, as one conversation.

let relay: RelayProcess;
let alice: Profile;
let fox: FirefoxProfile;
let alicePopup: PopupPage;
let foxPopup: FirefoxPopup;
/** The room Fox created (Alice joined it) and the room Alice created (Fox joined it). */
let foxRoom = '';
let aliceRoom = '';

async function aliceOpens(roomId: string): Promise<void> {
  if (await alicePopup.page.getByTestId('back').count()) await alicePopup.back();
  await alicePopup.page.locator(`[data-testid=room][data-room-id="${roomId}"]`).click();
  await alicePopup.page.getByTestId('room-view').waitFor();
}

beforeAll(async () => {
  relay = await RelayProcess.start();
  [alice, fox] = await Promise.all([new Profile('ff-chat-alice').launch(), new FirefoxProfile('fox').launch()]);
  [alicePopup, foxPopup] = await Promise.all([alice.openPopup(), fox.openPopup()]);
  await alicePopup.saveSettings('Alice', relay.url);
  await foxPopup.saveSettings('Fox', relay.url);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), fox?.dispose()]);
  await relay?.kill();
});

describe('Firefox and Chromium chat through the relay', () => {
  it('a room created in Firefox is joined by code in Chromium, and messages go both ways', async () => {
    const code = await foxPopup.createRoom();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$/);
    await foxPopup.waitOnline();
    await alicePopup.joinRoom(code);

    await foxPopup.send('Hello Alice, this is Firefox');
    await alicePopup.waitForMessage('Hello Alice, this is Firefox');
    await foxPopup.waitForMessage('Hello Alice, this is Firefox', 'sent');
    await alicePopup.send('Hi Fox!\nSecond line with Shift+Enter');
    await foxPopup.waitForMessage('Hi Fox!\nSecond line with Shift+Enter');
    await foxPopup.send('Two lines\nfrom Firefox too');
    await alicePopup.waitForMessage('Two lines\nfrom Firefox too');

    const shown = ['Hello Alice, this is Firefox', 'Hi Fox!\nSecond line with Shift+Enter', 'Two lines\nfrom Firefox too'];
    await foxPopup.waitForMessage('Two lines\nfrom Firefox too', 'sent');
    expect(await foxPopup.messages()).toEqual(shown);
    expect(await alicePopup.messages()).toEqual(shown);
    await foxPopup.back();
    foxRoom = (await foxPopup.roomIds())[0] ?? '';
    expect(foxRoom).not.toBe('');
  });

  it('a room created in Chromium is joined by code in Firefox, and messages go both ways', async () => {
    await alicePopup.back();
    const code = await alicePopup.createRoom();
    await foxPopup.joinRoom(code);
    await alicePopup.send('Welcome to my room, Fox');
    await foxPopup.waitForMessage('Welcome to my room, Fox');
    await foxPopup.send('Thanks, Alice');
    await alicePopup.waitForMessage('Thanks, Alice');
    await foxPopup.waitForMessage('Thanks, Alice', 'sent');
    expect(await foxPopup.messages()).toEqual(['Welcome to my room, Fox', 'Thanks, Alice']);
    expect(await alicePopup.messages()).toEqual(['Welcome to my room, Fox', 'Thanks, Alice']);
    await foxPopup.back();
    aliceRoom = (await foxPopup.roomIds()).find((r) => r !== foxRoom) ?? '';
    expect(aliceRoom).not.toBe('');
  });

  it('keeps its rooms and history across a Firefox restart, then chats both ways again', async () => {
    await foxPopup.openRoomById(foxRoom);
    const before = await foxPopup.messages();
    expect(before).toHaveLength(3);
    await foxPopup.back();
    const rooms = (await foxPopup.roomIds()).sort();
    await fox.close();

    // Said while Firefox is closed: the relay keeps it for Fox.
    await aliceOpens(foxRoom);
    await alicePopup.send('said while Firefox was closed');
    await alicePopup.waitForMessage('said while Firefox was closed', 'sent');

    // With the relay down, whatever Firefox shows after the restart comes from its own profile.
    await relay.kill();
    await fox.launch();
    foxPopup = await fox.openPopup();
    expect((await foxPopup.roomIds()).sort()).toEqual(rooms);
    await foxPopup.openRoomById(foxRoom);
    expect(await foxPopup.messages()).toEqual(before);
    expect(await foxPopup.page.$eval('[data-testid=connection]', (e) => e.textContent)).not.toBe('online');

    await relay.restart();
    await foxPopup.waitOnline();
    await foxPopup.waitForMessage('said while Firefox was closed');
    expect(await foxPopup.messages()).toEqual([...before, 'said while Firefox was closed']);

    await foxPopup.send('back after the restart');
    await alicePopup.waitForMessage('back after the restart');
    await alicePopup.send('welcome back, Fox');
    await foxPopup.waitForMessage('welcome back, Fox');
    await foxPopup.waitForMessage('back after the restart', 'sent');
    const after = [...before, 'said while Firefox was closed', 'back after the restart', 'welcome back, Fox'];
    expect(await foxPopup.messages()).toEqual(after);
    expect(await alicePopup.messages()).toEqual(after);

    // The other room is still there too, with its lines.
    await foxPopup.back();
    await foxPopup.openRoomById(aliceRoom);
    expect(await foxPopup.messages()).toEqual(['Welcome to my room, Fox', 'Thanks, Alice']);
  });
});
