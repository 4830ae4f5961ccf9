import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MitmProxy, type Frame } from './mitm-proxy.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Two profiles with "Direct connections" on meet in a room on a real relay (behind a pass-through
// proxy that records every frame), connect over a WebRTC data channel (loopback-only namespace,
// --allow-loopback-in-peer-connection), and chat. The relay carries only sealed signalling: no SDP
// or candidate text. Then the relay is killed, and a message still arrives over the channel; and
// with the relay back, the direct path cut: messages go on through the relay, none lost or doubled,
// and the members are connected directly again without anyone joining again.

let relay: RelayProcess;
let proxy: MitmProxy;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;

/**
 * From now on, every path People shows for the other member, in order, kept in the page: the
 * "relayed" spell of a cut can be brief now, so it is recorded as it happens, never polled for.
 */
async function recordPaths(popup: PopupPage): Promise<void> {
  await popup.page.evaluate(() => {
    const w = window as unknown as { parleyPaths: string[]; parleyPathWatch?: MutationObserver };
    w.parleyPathWatch?.disconnect();
    w.parleyPaths = [];
    const shown = () => document.querySelector('[data-testid=person-path]')?.getAttribute('data-path') ?? 'none';
    let last = shown();
    w.parleyPathWatch = new MutationObserver(() => {
      const now = shown();
      if (now !== last) w.parleyPaths.push((last = now));
    });
    w.parleyPathWatch.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-path'] });
  });
}

const recordedPaths = (popup: PopupPage): Promise<string[]> => popup.page.evaluate(() => (window as unknown as { parleyPaths: string[] }).parleyPaths);

/** Resolves once People has shown `path` since recordPaths (a log only grows: no race). */
async function hasShown(popup: PopupPage, path: string): Promise<void> {
  await popup.page.waitForFunction((p) => (window as unknown as { parleyPaths: string[] }).parleyPaths.includes(p), path);
}

/** The frames that join a room (GETROOM, ENTERROOM), as the relay got them: a member joining again sends one. */
const joins = (): number => proxy.frames.filter((f) => f.dir === 'up' && ['GETROOM', 'ENTERROOM'].includes((JSON.parse(f.text) as Frame).type)).length;

/** Every SIGNAL frame both ways, parsed. */
const signals = (): Frame[] => proxy.frames.map((f) => JSON.parse(f.text) as Frame).filter((f) => f.type === 'SIGNAL');

beforeAll(async () => {
  relay = await RelayProcess.start();
  proxy = await MitmProxy.start(relay.url);
  [alice, bob] = await Promise.all([new Profile('direct-alice').launch(), new Profile('direct-bob').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings('Alice', proxy.url, { direct: true });
  await bobPopup.saveSettings('Bob', proxy.url, { direct: true });
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await proxy?.close();
  await relay?.kill();
});

describe('the direct path', () => {
  it('connects two members directly, shown as "direct" in People, and carries a message', async () => {
    const code = await alicePopup.createRoom();
    await bobPopup.joinRoom(code);
    await Promise.all([alicePopup.memberShows('direct'), bobPopup.memberShows('direct')]);
    await alicePopup.send('hello over the data channel');
    await bobPopup.waitForMessage('hello over the data channel');
    await bobPopup.send('and back');
    await alicePopup.waitForMessage('and back');
  });

  it('told the relay nothing but sealed signalling: no SDP, no candidates, no addresses', () => {
    const sent = signals();
    for (const f of sent) {
      const body = String(f.body);
      expect(body).toMatch(/^[A-Za-z0-9_-]+$/);
      // Neither as sent nor decoded from base64url: ciphertext, not an encoding of the SDP.
      const decoded = Buffer.from(body, 'base64url').toString('latin1');
      for (const text of ['candidate', 'a=ice', 'v=0', '127.0.0.1', 'ufrag']) {
        expect(body).not.toContain(text);
        expect(decoded).not.toContain(text);
      }
    }
    // Offer, answer and candidates went through the relay (both ways: up and down).
    expect(new Set(sent.map((f) => f.kind))).toEqual(new Set(['offer', 'answer', 'candidate']));
    // And no frame of any type carries SDP text.
    for (const f of proxy.frames) for (const text of ['a=ice', 'v=0\\r\\n', 'a=candidate']) expect(f.text).not.toContain(text);
  });

  it('carries on over the data channel when the relay is killed', async () => {
    await relay.kill('SIGKILL');
    await alicePopup.page.locator('[data-testid=connection]:not(:has-text("online"))').waitFor();
    await alicePopup.send('the relay is gone');
    await bobPopup.waitForMessage('the relay is gone');
    await bobPopup.send('still here');
    await alicePopup.waitForMessage('still here');
    expect(await bobPopup.messages()).toEqual(['hello over the data channel', 'and back', 'the relay is gone', 'still here']);
  });

  it('when the direct path is cut (an offscreen document closed), messages go on through the relay, none lost or doubled, and the path comes back', async () => {
    await relay.restart();
    await Promise.all([alicePopup.waitOnline(), bobPopup.waitOnline()]);
    // What was sent over the channel alone reaches the relay from the outbox, and its copy is not shown twice.
    await alicePopup.waitForMessage('the relay is gone', 'sent');
    await bobPopup.waitForMessage('still here', 'sent');
    // A new relay connection is a new peer id each: the members connect directly again.
    await Promise.all([alicePopup.memberShows('direct'), bobPopup.memberShows('direct')]);
    const all = ['hello over the data channel', 'and back', 'the relay is gone', 'still here'];
    // Alice's document, then Bob's: one of them offers (the lower peer id), so both roles are cut.
    for (const [who, profile] of [['Alice', alice], ['Bob', bob]] as const) {
      await Promise.all([recordPaths(alicePopup), recordPaths(bobPopup)]);
      const joinsBefore = joins();
      expect(joinsBefore).toBeGreaterThan(0); // both joined through the proxy: it counts them
      const worker = await profile.worker();
      await worker.evaluate(() => (globalThis as unknown as { chrome: { offscreen: { closeDocument(): Promise<void> } } }).chrome.offscreen.closeDocument());
      await Promise.all([hasShown(alicePopup, 'relayed'), hasShown(bobPopup, 'relayed')]);
      const [fromAlice, fromBob] = [`${who}'s path cut: Alice`, `${who}'s path cut: Bob`];
      await alicePopup.send(fromAlice);
      await bobPopup.waitForMessage(fromAlice);
      await bobPopup.send(fromBob);
      await alicePopup.waitForMessage(fromBob);
      all.push(fromAlice, fromBob);
      // Back to direct on both sides, with nobody joining the room again.
      await Promise.all([alicePopup.memberShows('direct'), bobPopup.memberShows('direct')]);
      expect(await recordedPaths(alicePopup), `Alice's People after ${who}'s cut`).toEqual(['relayed', 'direct']);
      expect(await recordedPaths(bobPopup), `Bob's People after ${who}'s cut`).toEqual(['relayed', 'direct']);
      expect(joins()).toBe(joinsBefore);
    }
    await alicePopup.send('direct again');
    await bobPopup.waitForMessage('direct again');
    all.push('direct again');
    await Promise.all([alicePopup.waitForSettled(all.length), bobPopup.waitForSettled(all.length)]);
    // Each once, and in the same order on both sides: the relay's numbering, which also ordered the
    // two messages sent while it was down; those sent one after the other since are in that order.
    const [seenByAlice, seenByBob] = [await alicePopup.messages(), await bobPopup.messages()];
    expect(seenByAlice).toEqual(seenByBob);
    expect([...seenByAlice].sort()).toEqual([...all].sort());
    expect(seenByAlice.slice(4)).toEqual(all.slice(4));
  });

  it('comes back after Chrome stops the service worker that owns it', async () => {
    await Promise.all([recordPaths(alicePopup), recordPaths(bobPopup)]);
    const joinsBefore = joins();
    // The document holding the connections goes with its worker's port; the worker starts again
    // for the popup (its port reconnects), joins its rooms again (a new peer id) and connects anew.
    await alice.stopServiceWorker(alicePopup.page);
    await hasShown(bobPopup, 'relayed');
    await hasShown(alicePopup, 'relayed');
    await Promise.all([alicePopup.memberShows('direct'), bobPopup.memberShows('direct')]);
    for (const popup of [alicePopup, bobPopup]) expect((await recordedPaths(popup)).at(-1)).toBe('direct');
    expect(joins()).toBeGreaterThan(joinsBefore);
    await bobPopup.send('after the worker stopped');
    await alicePopup.waitForMessage('after the worker stopped');
  });
});
