import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRoomCode, newRoomCode } from '../../src/shared/room-code.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { freePort, RelayProcess } from './relay-process.ts';

// A join through an invite to a relay that never answers ends, in words, and Cancel ends it at
// once (docs/protocol.md, "Invites", "A join ends"). The product's own bounds, not shortened: a
// port nothing listens on fails three sockets within a few seconds of backoff.

let relay: RelayProcess;
let carol: Profile;
let popup: PopupPage;
/** Accepts TCP connections and never says a word: a socket to it never opens. */
let silent: net.Server;
const held = new Set<net.Socket>();
let accepted = 0;

beforeAll(async () => {
  relay = await RelayProcess.start();
  silent = net.createServer((socket) => {
    accepted += 1;
    held.add(socket);
    socket.on('close', () => held.delete(socket));
    socket.on('error', () => {});
    socket.resume(); // read and drop the upgrade request, so a close from the other end is seen
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  carol = await new Profile('carol').launch();
  popup = await carol.openPopup();
  await popup.saveSettings('Carol', relay.url);
});

afterAll(async () => {
  await carol?.close();
  for (const s of held) s.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await relay?.kill();
});

/** Pastes `invite`, presses Join and agrees to its relay: the join is then waiting. */
async function startJoin(invite: string, relayUrl: string): Promise<void> {
  await popup.typeJoinCode(invite);
  expect(await popup.joinOutcome()).toBe('relay-confirm');
  expect(await popup.page.getByTestId('relay-confirm-url').textContent()).toBe(relayUrl);
  await popup.page.getByTestId('relay-confirm-join').click();
  await popup.page.getByTestId('join').filter({ hasText: 'Joining…' }).waitFor();
  expect(await popup.page.getByTestId('join-cancel').textContent()).toBe('Cancel');
}

/** Parley keeps no connection to `relayUrl`: no banner names it any more. */
async function noLinkTo(relayUrl: string): Promise<void> {
  await popup.page.waitForFunction((url) => !document.querySelector(`[data-testid=relay-status][data-relay="${url}"]`), relayUrl);
}

describe('an invite to a relay that never answers', () => {
  it('ends in words naming the relay, with Join back and no room', async () => {
    const port = await freePort();
    const relayUrl = `ws://127.0.0.1:${port}`;
    await startJoin(`http://127.0.0.1:${port}/join#${formatRoomCode(newRoomCode())}`, relayUrl);
    const error = popup.page.getByTestId('error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.locator('span').first().textContent())
      .toBe(`Can't reach ${relayUrl}: the room was not joined. Check the invite, or try again later.`);
    expect(await popup.page.getByTestId('join').textContent()).toBe('Join');
    expect(await popup.page.getByTestId('join-cancel').count()).toBe(0);
    expect(await popup.page.getByTestId('room').count()).toBe(0);
    await noLinkTo(relayUrl);
    await popup.page.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('Cancel ends the join at once, and Parley stops connecting to that relay', async () => {
    const { port } = silent.address() as net.AddressInfo;
    const relayUrl = `ws://127.0.0.1:${port}`;
    await startJoin(`http://127.0.0.1:${port}/join#${formatRoomCode(newRoomCode())}`, relayUrl);
    // The extension really is at it: the silent server holds its socket.
    await expect.poll(() => accepted).toBeGreaterThan(0);
    await popup.page.getByTestId('join-cancel').click();
    expect(await popup.page.getByTestId('join').textContent()).toBe('Join');
    expect(await popup.page.getByTestId('join-cancel').count()).toBe(0);
    await noLinkTo(relayUrl);
    // The link closed its socket: the silent server sees it end.
    await expect.poll(() => held.size, { timeout: 15_000 }).toBe(0);
    expect(await popup.page.getByTestId('error').count()).toBe(0);
    expect(await popup.page.getByTestId('room').count()).toBe(0);
  });
});
