import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { deriveRoomKeys } from '../../src/shared/crypto.ts';
import { formatRoomCode, newRoomCode } from '../../src/shared/room-code.ts';
import { startPageServer } from './page-server.ts';
import { cleanUp, createRoomOffline, launch, onCleanup, saveAddress, startRelay, statusShows } from './failure-harness.ts';
import type { PopupPage } from './popup-page.ts';
import { freePort } from './relay-process.ts';

// Issue 7, defect 4: every way the relay (or its absence) can keep a user out is shown in words,
// with what happens next, and the state recovers once the cause goes away. Each case runs a real
// relay process (or none, or something else on the port) and reads what the popup shows.

afterEach(cleanUp);

/**
 * Waits until the backoff has grown to at least `seconds` (so the click below is what reconnects,
 * not a retry that happened to fall due), then, once the cause is gone, presses Retry now.
 */
async function backoffAtLeast(popup: PopupPage, seconds: number): Promise<void> {
  await popup.page.waitForFunction((min) => {
    const m = /retrying in (\d+) s/i.exec(document.querySelector('[data-testid=relay-next]')?.textContent ?? '');
    return !!m && Number(m[1]) >= min;
  }, seconds, { polling: 100 });
}

/**
 * Presses Retry now and waits until the popup is online with nothing left to say. Where removing
 * the cause takes a while (starting a relay process), a scheduled retry may get there first and
 * the button is gone: that is recovery too, so the press is not waited for.
 */
async function recovers(popup: PopupPage, where: Pick<PopupPage['page'], 'getByTestId'> = popup.page): Promise<void> {
  // dispatchEvent: the countdown re-renders each second, and a click must not wait for stillness.
  void where.getByTestId('retry-now').dispatchEvent('click', undefined, { timeout: 10_000 }).catch(() => {});
  await popup.page.bringToFront();
  await popup.waitOnline();
  expect(await popup.page.getByTestId('relay-status').count()).toBe(0);
}

describe('failures the user sees, in words', () => {
  it('no relay at the address: the form says so, the popup says when it retries, and it reconnects once the relay runs', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}`;
    const { popup } = await launch('unreachable');
    expect(await saveAddress(popup, url)).toBe(
      `Saved. Can't reach ${url}: nothing answers there. Check the address, and that the relay is running.`,
    );
    await createRoomOffline(popup);
    expect(await statusShows(popup, /retrying in \d+ s/)).toMatch(new RegExp(`^Can't reach ${url}: retrying in \\d+ sRetry now$`));
    await backoffAtLeast(popup, 4);
    await startRelay({}, port);
    await recovers(popup);
  });

  it('an address that accepts and never answers: after 10 s the popup says so and when it retries', async () => {
    // A TCP server on loopback that takes the connection and says nothing, like a blackholed host:
    // the browser alone would wait minutes before the socket fails.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onCleanup(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const url = `ws://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const { popup } = await launch('silent');
    expect(await saveAddress(popup, url)).toBe(`Saved. ${url} did not answer within 5 s.`);
    await createRoomOffline(popup);
    expect(await statusShows(popup, 'did not answer')).toMatch(
      new RegExp(`^${url} did not answer within 10 s: retrying in \\d+ sRetry now$`),
    );
  });

  it('a web server that is not a relay: the form and the popup say something else answers there', async () => {
    const site = await startPageServer();
    onCleanup(() => site.close());
    const url = site.url.replace('http', 'ws').replace(/\/$/, '');
    const { popup } = await launch('wrong-address');
    expect(await saveAddress(popup, url)).toBe(
      `Saved. Something at ${url} answered, but it is not a Parley relay. Check the address and port.`,
    );
    await createRoomOffline(popup);
    expect(await statusShows(popup, /not a Parley relay: retrying in/)).toMatch(new RegExp(`^Something at ${url} answered, but it is not a Parley relay: retrying in \\d+ sRetry now$`));
  });

  it('a relay that refuses this browser\'s origin: said in the popup and in the overlay, and it recovers', async () => {
    const refusing = await startRelay({ ALLOWED_ORIGINS: 'none' });
    const site = await startPageServer();
    onCleanup(() => site.close());
    const { profile, popup } = await launch('origin-denied');
    const answer = await saveAddress(popup, refusing.url);
    expect(answer).toBe('Saved. The relay refused this browser (origin not allowed). Ask its operator to allow Parley, or choose another relay in settings.');
    await createRoomOffline(popup);
    expect(await statusShows(popup, 'origin not allowed')).toMatch(
      /^The relay refused this browser \(origin not allowed\)\. Ask its operator to allow Parley, or choose another relay in settings\. Retrying in \d+ s\.Retry now$/,
    );
    // The overlay on a page says the same.
    const page = await profile.ctx.newPage();
    await page.goto(site.url);
    const overlay = await profile.openOverlayFromToolbar(page);
    const banner = overlay.frame!.getByTestId('relay-status').filter({ hasText: 'origin not allowed' });
    await banner.waitFor();
    // The operator allows extensions again: the relay restarts with its default origins.
    await refusing.kill();
    await backoffAtLeast(popup, 4);
    await startRelay({}, refusing.port);
    await recovers(popup, overlay.frame!);
    await overlay.frame!.getByTestId('relay-status').waitFor({ state: 'detached' });
  });

  it('too many connections from this address: said, and it recovers once one closes', async () => {
    const relay = await startRelay({ MAX_CONNECTIONS_PER_ADDRESS: '1' });
    const blocker = new WebSocket(relay.url);
    await new Promise((resolve, reject) => { blocker.once('open', resolve); blocker.once('error', reject); });
    const { popup } = await launch('too-many-connections');
    expect(await saveAddress(popup, relay.url)).toBe('Saved. Too many connections from your network to this relay.');
    await createRoomOffline(popup);
    expect(await statusShows(popup, 'Too many connections')).toMatch(/^Too many connections from your network to this relay\. Retrying in \d+ s\.Retry now$/);
    await backoffAtLeast(popup, 4);
    const closed = new Promise((resolve) => blocker.once('close', resolve));
    blocker.close();
    await closed;
    await recovers(popup);
  });

  it('more rooms than the relay allows per connection: the room says so, a new one is refused, leaving one lets it in', async () => {
    const relay = await startRelay({ MAX_ROOMS_PER_CONNECTION: '2' });
    const { popup } = await launch('too-many-rooms');
    await popup.saveSettings('Ann', relay.url);
    await popup.createRoom();
    await popup.back();
    await popup.createRoom();
    await popup.back();
    await popup.createRoom(); // the third: the relay turns it away
    const problem = popup.page.getByTestId('room-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toBe('This relay allows 2 rooms per connection: leave one to join another.');
    await popup.back();
    // A fourth is not even made: the popup says why.
    await popup.page.getByTestId('create-room').click();
    const error = popup.page.getByTestId('error');
    await error.waitFor();
    expect(await error.textContent()).toContain('This relay allows 2 rooms per connection: leave one to join another.');
    expect(await popup.page.getByTestId('room').count()).toBe(3);
    // Leaving one of the two joined rooms lets the third in.
    const refusedId = await problemRoomId(popup);
    const other = popup.page.locator(`[data-testid=room]:not([data-room-id="${refusedId}"])`).first();
    await other.click();
    await popup.page.getByText('Code and actions').click();
    await popup.page.getByTestId('leave-room').click();
    await popup.page.locator(`[data-testid=room][data-room-id="${refusedId}"]`).click();
    await popup.page.getByTestId('room-view').waitFor();
    await popup.page.getByTestId('members').filter({ hasText: '1 here' }).waitFor();
    expect(await popup.page.getByTestId('room-problem').count()).toBe(0);
  });

  it('a full room: joining says so, and works once a place is free', async () => {
    const relay = await startRelay({ MAX_MEMBERS_PER_ROOM: '1' });
    const { popup } = await launch('room-full');
    await popup.saveSettings('Ann', relay.url);
    const raw = newRoomCode();
    const code = formatRoomCode(raw);
    // Someone else is the room's one member.
    const keys = await deriveRoomKeys(raw);
    const member = new WebSocket(relay.url);
    await new Promise((resolve) => member.once('open', resolve));
    const joined = new Promise((resolve) => member.on('message', (d) => { if (JSON.parse(String(d)).type === 'SYNCED') resolve(null); }));
    member.send(JSON.stringify({ type: 'GETROOM', room: keys.roomId }));
    await joined;
    onCleanup(async () => member.close());
    await popup.typeJoinCode(code);
    const error = popup.page.getByTestId('error');
    await error.waitFor();
    expect(await error.textContent()).toContain('Room is full: the relay lets no more members in.');
    member.send(JSON.stringify({ type: 'LEAVE', room: keys.roomId }));
    await popup.page.getByRole('button', { name: 'Dismiss' }).click();
    await popup.joinRoom(code);
  });
});

describe('coming back after a relay restart', () => {
  it('reconnects at once when the popup opens, without waiting out the backoff', async () => {
    const relay = await startRelay();
    const { profile, popup } = await launch('view-opens');
    await popup.saveSettings('Ann', relay.url);
    await popup.createRoom();
    await popup.waitOnline();
    await relay.kill();
    await backoffAtLeast(popup, 6);
    await relay.restart();
    // Someone opens the popup: the next try is still seconds away, and must not be waited for.
    const seconds = Number(/retrying in (\d+) s/i.exec((await popup.page.getByTestId('relay-next').textContent())!)![1]);
    const fresh = await profile.openPopup();
    await fresh.page.locator('[data-testid=connection]', { hasText: 'online' }).waitFor({ timeout: (seconds - 2) * 1000 });
  });
});

async function problemRoomId(popup: PopupPage): Promise<string> {
  return (await popup.page.locator('[data-testid=room][data-problem]').getAttribute('data-room-id'))!;
}
