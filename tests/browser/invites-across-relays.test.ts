import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJoinInput } from '../../src/shared/invite.ts';
import { formatRoomCode, type RoomCode } from '../../src/shared/room-code.ts';
import { productionInstall } from '../production-install.ts';
import { makeTestCertificates } from '../tls/test-ca.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// The story across the internet, inside the loopback-only namespace: two relays with
// certificates from a test CA made now, on names that are not localhost (Chromium maps them to
// 127.0.0.1 and trusts the CA's key, nothing else). R1 runs from a production install (no dev
// dependencies, no TypeScript loader). Alice's default relay is R1, Bob's is R2. Alice invites Bob
// to a room on R1; Bob invites Alice to a room on R2; both rooms keep working while R1 restarts.
// A visit to the invite link reaches R1's join page, and nothing R1 logs holds any part of the code.

const R1_HOST = 'relay-one.test';
const R2_HOST = 'relay-two.test';

let r1: RelayProcess;
let r2: RelayProcess;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;
let inviteToR1 = '';
let inviteToR2 = '';

/** Every piece of a code that could betray it in a log: whole, formatted, any two adjacent groups. */
function codePieces(code: RoomCode): string[] {
  const groups = formatRoomCode(code).split('-');
  const pairs = groups.slice(1).flatMap((g, i) => [`${groups[i]}${g}`, `${groups[i]}-${g}`]);
  return [code, formatRoomCode(code), ...pairs].flatMap((p) => [p, p.toLowerCase()]);
}

/** "Copy invite" in the open room's tools, as a person does it; what it put on the clipboard. */
async function copyInvite(popup: PopupPage): Promise<string> {
  await openTools(popup);
  return popup.copyFrom('copy-invite', popup.page.getByTestId('room-view'));
}

async function openTools(popup: PopupPage): Promise<void> {
  const tools = popup.page.getByTestId('room-tools');
  if ((await tools.getAttribute('open')) === null) await tools.locator('summary').click();
}

async function leaveRoom(popup: PopupPage): Promise<void> {
  await openTools(popup);
  await popup.page.getByTestId('leave-room').click();
  await popup.page.getByTestId('room-list').waitFor();
}

/** Opens the room the list says lives on `host`. */
async function openRoomOn(popup: PopupPage, host: string): Promise<void> {
  await popup.page.getByTestId('room').filter({ has: popup.page.getByTestId('room-list-relay').filter({ hasText: host }) }).click();
  await popup.page.getByTestId('room-view').waitFor();
}

function codeOf(invite: string): RoomCode {
  const parsed = parseJoinInput(invite);
  if (!parsed.ok) throw new Error(`not an invite: ${invite}`);
  return parsed.value.code;
}

beforeAll(async () => {
  const { leaf } = makeTestCertificates([R1_HOST, R2_HOST]);
  const installDir = await productionInstall();
  const tls = { TLS_CERT: leaf.cert, TLS_KEY: leaf.key };
  [r1, r2] = await Promise.all([
    RelayProcess.start(tls, { installDir, hostName: R1_HOST }),
    RelayProcess.start(tls, { hostName: R2_HOST }),
  ]);
  const args = [
    `--host-resolver-rules=MAP ${R1_HOST} 127.0.0.1, MAP ${R2_HOST} 127.0.0.1`,
    // Trusts this one test key, for these two names only as far as the rules above send them here.
    `--ignore-certificate-errors-spki-list=${leaf.spki}`,
  ];
  [alice, bob] = await Promise.all([new Profile('alice', undefined, { args }).launch(), new Profile('bob', undefined, { args }).launch()]);
  // Chromium takes no origin for an extension's pages here ("opaque origins"): granted for all.
  await Promise.all([alice, bob].map((p) => p.ctx.grantPermissions(['clipboard-read', 'clipboard-write'])));
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings('Alice', r1.url);
  await bobPopup.saveSettings('Bob', r2.url);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await Promise.allSettled([r1?.kill(), r2?.kill()]);
});

describe('invites carry the relay: two friends, two relays, wss://', () => {
  it('Alice creates a room on R1 and copies its invite: the relay web address, the code after #', async () => {
    const code = await alicePopup.createRoom();
    inviteToR1 = await copyInvite(alicePopup);
    expect(inviteToR1).toBe(`https://${R1_HOST}:${r1.port}/join#${code}`);
    await expect(alicePopup.page.getByTestId('room-relay').textContent()).resolves.toContain(`${R1_HOST}:${r1.port}`);
  });

  it('Bob, whose default relay is R2, pastes the invite, is asked once about R1, and they chat over wss://', async () => {
    await bobPopup.typeJoinCode(inviteToR1);
    await expect(bobPopup.page.getByTestId('relay-confirm-url').textContent()).resolves.toBe(`wss://${R1_HOST}:${r1.port}`);
    await bobPopup.page.getByTestId('relay-confirm-join').click();
    await bobPopup.page.getByTestId('room-view').waitFor();
    await alicePopup.send('Hello Bob, over R1');
    await bobPopup.waitForMessage('Hello Bob, over R1');
    await bobPopup.send('Hi Alice, I came through your invite');
    await alicePopup.waitForMessage('Hi Alice, I came through your invite');
    await alicePopup.waitForMessage('Hello Bob, over R1', 'sent');
  });

  it('a second invite to R1 does not ask again: Bob agreed to that relay once', async () => {
    await alicePopup.back();
    await alicePopup.createRoom();
    const another = await copyInvite(alicePopup);
    await bobPopup.back();
    await bobPopup.typeJoinCode(another);
    expect(await bobPopup.joinOutcome()).toBe('room-view');
    await expect(bobPopup.page.getByTestId('room-relay').textContent()).resolves.toBe(`${R1_HOST}:${r1.port}`);
    // Out of the way for the rest: the story goes on in the first room.
    await leaveRoom(bobPopup);
    await leaveRoom(alicePopup);
  });

  it('Bob invites Alice to a room on R2: Alice is in rooms on two relays at once', async () => {
    await bobPopup.createRoom();
    inviteToR2 = await copyInvite(bobPopup);
    expect(inviteToR2.startsWith(`https://${R2_HOST}:${r2.port}/join#`)).toBe(true);
    await alicePopup.typeJoinCode(inviteToR2);
    await alicePopup.page.getByTestId('relay-confirm-join').click();
    await alicePopup.page.getByTestId('room-view').waitFor();
    await bobPopup.send('Room two, on R2');
    await alicePopup.waitForMessage('Room two, on R2');
    await alicePopup.waitOnline();
  });

  it('while R1 restarts, the room on R2 keeps working; R1\'s room catches up, every message once', async () => {
    await r1.kill('SIGTERM');
    // Alice is looking at the R2 room: its banner stays quiet, the chat goes on.
    await alicePopup.send('R2 still works while R1 is down');
    await bobPopup.waitForMessage('R2 still works while R1 is down');
    await bobPopup.send('yes it does');
    await alicePopup.waitForMessage('yes it does');
    expect(await alicePopup.page.getByTestId('relay-status').count()).toBe(0);
    // In the R1 room, a message written while R1 is down waits, and goes once R1 is back.
    await alicePopup.back();
    await alicePopup.page.locator(`[data-testid=relay-status][data-relay="wss://${R1_HOST}:${r1.port}"]`).waitFor();
    await openRoomOn(alicePopup, R1_HOST);
    await alicePopup.send('written while R1 was down');
    await r1.restart();
    await alicePopup.waitForMessage('written while R1 was down', 'sent');
    await bobPopup.back();
    await openRoomOn(bobPopup, R1_HOST);
    await bobPopup.waitForMessage('written while R1 was down');
    expect(await bobPopup.messages()).toEqual(['Hello Bob, over R1', 'Hi Alice, I came through your invite', 'written while R1 was down']);
  });

  it('the invite link opens R1\'s join page, and nothing R1 records holds any part of the code', async () => {
    const page = await bob.ctx.newPage();
    const response = await page.goto(inviteToR1);
    expect(response?.status()).toBe(200);
    await expect(page.locator('body').textContent()).resolves.toMatch(/Parley/);
    expect(await page.locator('script').count()).toBe(0);
    await page.close();
    // The access record of that visit (written as the answer goes out, so awaited, not read at once).
    await r1.waitForOutput('"path":"/join"');
    for (const piece of codePieces(codeOf(inviteToR1))) expect(r1.output).not.toContain(piece);
  });
});
