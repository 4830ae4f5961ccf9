import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJoinInput } from '../../src/shared/invite.ts';
import { formatRoomCode, newRoomCode, parseRoomCode, type RoomCode } from '../../src/shared/room-code.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Invites in the popup, against a real relay process: the Join box reads an invite or a code and
// says what is wrong in words, asks before a relay the user has never used, and "Copy invite"
// hands out a link that reads back to the room. Joins happen on the default relay only: the
// background this branch works against has one socket per profile.

let relay: RelayProcess;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;
let invite = '';
let roomId = '';

const someCode = formatRoomCode(newRoomCode());
const typo = (shown: string) => shown.slice(0, -1) + (shown.at(-1) === '0' ? '1' : '0');

beforeAll(async () => {
  relay = await RelayProcess.start();
  [alice, bob] = await Promise.all([new Profile('alice').launch(), new Profile('bob').launch()]);
  // Chromium takes no origin for an extension's pages here ("opaque origins"): granted for all.
  await alice.ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings('Alice', relay.url);
  await bobPopup.saveSettings('Bob', relay.url);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.kill();
});

describe('the Join box', () => {
  it('is labelled for an invite or a code', async () => {
    expect(await alicePopup.page.locator('label[for=pl-code]').textContent()).toBe('Join with an invite or a code');
  });

  it.each([
    ['nothing', '', 'EMPTY', /Enter a room code/],
    ['a code with a letter codes never have', `${someCode.slice(0, -1)}U`, 'BAD_CHARACTER', /never contain "U"/],
    ['a code cut short', someCode.slice(0, 9), 'WRONG_LENGTH', /24 characters; this one has 8/],
    ['a code with a typo', typo(someCode), 'TYPO', /typo/],
    ['a link that is not an invite', `https://relay.example/chat#${someCode}`, 'BAD_INVITE', /ends in \/join#/],
    ['an invite cut before its code', 'https://relay.example/join', 'BAD_INVITE', /no room code after the #/],
    ['an invite to a relay without https', `http://relay.example/join#${someCode}`, 'INVITE_INSECURE', /without https:\/\//],
    ['an invite whose code has a typo', `https://relay.example/join#${typo(someCode)}`, 'TYPO', /typo/],
  ])('explains %s in words under the field, and joins nothing', async (_what, text, code, words) => {
    await bobPopup.typeJoinCode(text);
    const shown = await bobPopup.joinError();
    expect(shown.code).toBe(code);
    expect(shown.text).toMatch(words);
    // Under the field: the row holding the input comes right before it, and the field says it is invalid.
    expect(await bobPopup.page.getByTestId('code-error').evaluate((el) => !!el.previousElementSibling?.querySelector('[data-testid=join-code]'))).toBe(true);
    expect(await bobPopup.page.getByTestId('join-code').getAttribute('aria-invalid')).toBe('true');
    expect(await bobPopup.page.getByTestId('relay-confirm').count()).toBe(0);
    expect(await bobPopup.page.getByTestId('room').count()).toBe(0);
  });

  it('clears the error as soon as the text changes', async () => {
    await bobPopup.typeJoinCode('https://relay.example/join');
    await bobPopup.joinError();
    await bobPopup.page.getByTestId('join-code').fill(someCode);
    expect(await bobPopup.page.getByTestId('code-error').count()).toBe(0);
  });
});

describe('asking before a relay not used before', () => {
  it('shows the relay address and asks, in place; Cancel leaves nothing joined', async () => {
    const page = alicePopup.page;
    await alicePopup.typeJoinCode(`https://other.example/join#${someCode}`);
    expect(await alicePopup.joinOutcome()).toBe('relay-confirm');
    expect(await page.getByTestId('relay-confirm-url').textContent()).toBe('wss://other.example');
    expect(await page.getByTestId('relay-confirm').textContent()).toBe(
      'This room is on a relay you have not used: wss://other.example. That relay will see when you are online and in this room, never what you write. Join?JoinCancel',
    );
    await page.getByTestId('relay-confirm-cancel').click();
    expect(await page.getByTestId('relay-confirm').count()).toBe(0);
    expect(await page.getByTestId('join').textContent()).toBe('Join');

    // Intents run in order in the background: once a room made after the Cancel is listed, a join
    // sent before it would have shown (as a room, an error, or a banner for that relay).
    await page.getByTestId('create-room').click();
    await page.getByTestId('room-invite').waitFor();
    expect(await page.getByTestId('room').count()).toBe(1);
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(await page.locator('[data-relay="wss://other.example"]').count()).toBe(0);
  });

  it('asks for the same relay under another name (localhost is not 127.0.0.1 to the user)', async () => {
    const page = alicePopup.page;
    await alicePopup.typeJoinCode(`http://localhost:${relay.port}/join#${someCode}`);
    expect(await alicePopup.joinOutcome()).toBe('relay-confirm');
    expect(await page.getByTestId('relay-confirm-url').textContent()).toBe(`ws://localhost:${relay.port}`);
    // Changing the text withdraws the question: it was about that text's relay.
    await page.getByTestId('join-code').fill('');
    expect(await page.getByTestId('relay-confirm').count()).toBe(0);
  });
});

describe('Copy invite', () => {
  it('leads the created-room panel, the code second, and copies the room\'s invite', async () => {
    const page = alicePopup.page;
    const panel = page.getByTestId('created-room');
    const text = (await panel.textContent()) ?? '';
    expect(text.indexOf('Send this invite to a friend')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('Send this invite to a friend')).toBeLessThan(text.indexOf('or read them the code'));
    invite = (await panel.getByTestId('room-invite').textContent())!;
    const code = (await panel.getByTestId('room-code').textContent())!;

    const copied = await alicePopup.copyFrom('copy-invite', panel);
    expect(copied).toBe(invite);
    const read = parseJoinInput(copied);
    expect(read).toEqual({ ok: true, value: { code: (parseRoomCode(code) as { value: RoomCode }).value, relayUrl: relay.url } });
    // The code never leaves the fragment.
    expect(new URL(copied).hash).toBe(`#${code}`);
    expect(new URL(copied).pathname).toBe('/join');

    await page.getByTestId('open-created').click();
    roomId = (await page.getByTestId('room-view').getAttribute('data-room-id'))!;
  });

  it('is in the room\'s "Invite, code and actions" too, with the room\'s relay in its header', async () => {
    const page = alicePopup.page;
    const relayLabel = page.getByTestId('room-relay');
    expect(await relayLabel.textContent()).toBe(`127.0.0.1:${relay.port}`);
    expect(await relayLabel.getAttribute('title')).toBe(relay.url);
    await page.getByText('Invite, code and actions').click();
    const tools = page.locator('.pl-room-tools');
    expect(await tools.getByTestId('room-invite').textContent()).toBe(invite);
    await page.evaluate(() => navigator.clipboard.writeText(''));
    expect(await alicePopup.copyFrom('copy-invite', tools)).toBe(invite);
  });
});

describe('joining by invite on the default relay', () => {
  it('does not ask, and puts the friend in the room', async () => {
    await bobPopup.typeJoinCode(`  ${invite}\n`);
    const outcome = await bobPopup.joinOutcome();
    const error = outcome === 'error' ? await bobPopup.page.getByTestId('error').textContent() : null;
    // The background reads the link itself (join-room.code holds the text as pasted).
    expect({ outcome, error }).toEqual({ outcome: 'room-view', error: null });
    expect(await bobPopup.page.getByTestId('room-view').getAttribute('data-room-id')).toBe(roomId);
    await bobPopup.send('got your invite');
    await alicePopup.waitForMessage('got your invite');
  });
});

describe("the page's own invite", () => {
  it('is offered when the popup opens over an invite link, and asks about its relay like a pasted one', async () => {
    // The same relay under the name localhost: a relay Bob has not used, so Parley asks.
    const link = invite.replace('127.0.0.1', 'localhost');
    const tab = await bob.ctx.newPage();
    await tab.goto(link);
    const popup = await bob.clickToolbarButton(tab);
    await popup.click('[data-testid=page-invite-join]');
    await popup.waitFor('document.querySelector("[data-testid=relay-confirm]")');
    expect(await popup.evaluate<string>('document.querySelector("[data-testid=join-code]").value')).toBe(link);
    expect(await popup.evaluate<string>('document.querySelector("[data-testid=relay-confirm-url]").textContent')).toBe(`ws://localhost:${relay.port}`);
    await popup.click('[data-testid=relay-confirm-cancel]');
    await popup.waitFor('!document.querySelector("[data-testid=relay-confirm]")');
    await tab.close();
  });
});
