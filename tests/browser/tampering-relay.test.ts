import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { occurrences, popupReport } from './chat-inspect.ts';
import { MitmProxy, type Frame } from './mitm-proxy.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Bob reaches the real relay through a man in the middle that alters, replays, moves and relabels
// chat frames. It has no room code, so nothing it makes can open: Bob must show a calm notice
// instead of the frame, never a wrong text, never a message twice, and keep chatting.

const NOTICE = 'A message could not be opened and was skipped.';
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let relay: RelayProcess;
let proxy: MitmProxy;
let alice: Profile;
let bob: Profile;
let aliceRoom1: PopupPage;
let aliceRoom2: PopupPage;
let bobRoom1: PopupPage;
let bobRoom2: PopupPage;
let room1 = '';
let room2 = '';

const chatIn = (room: string) => (f: Frame) => f.type === 'CHATMSG' && f.room === room;

/** Changes one base64url symbol in the middle of the body: one altered ciphertext byte. */
function flipByte(body: string): string {
  const at = Math.floor(body.length / 2);
  return body.slice(0, at) + (body[at] === 'A' ? 'B' : 'A') + body.slice(at + 1);
}

/** Another valid message id: same shape, last symbol changed. */
function otherId(id: string): string {
  const last = id.at(-1)!;
  return id.slice(0, -1) + BASE32[(BASE32.indexOf(last) + 1) % BASE32.length];
}

async function roomIdOf(popup: PopupPage): Promise<string> {
  return (await popup.page.getByTestId('room-view').getAttribute('data-room-id'))!;
}

// Each side has two popup tabs; Chromium throttles a background tab's animation frames, which
// Playwright's clicks and waits run on, so the tab in use is brought to the front first.
async function send(popup: PopupPage, text: string): Promise<void> {
  await popup.page.bringToFront();
  await popup.send(text);
}

async function waitForMessage(popup: PopupPage, text: string): Promise<void> {
  await popup.page.bringToFront();
  await popup.waitForMessage(text);
}

async function bobSees(popup: PopupPage) {
  const report = await popupReport(popup.page);
  return { texts: report.texts, notices: report.notices, errors: await popup.page.getByTestId('error').count() };
}

beforeAll(async () => {
  relay = await RelayProcess.start();
  proxy = await MitmProxy.start(relay.url);
  [alice, bob] = await Promise.all([new Profile('mitm-alice').launch(), new Profile('mitm-bob').launch()]);
  [aliceRoom1, bobRoom1] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await aliceRoom1.saveSettings('Alice', relay.url);
  // Loopback ws:// is accepted in the settings form, so Bob can be pointed at the proxy.
  await bobRoom1.saveSettings('Bob', proxy.url);

  await bobRoom1.joinRoom(await aliceRoom1.createRoom());
  room1 = await roomIdOf(aliceRoom1);
  // A second room, each side in its own popup tab, so a frame can be moved between rooms.
  aliceRoom2 = await alice.openPopup();
  const code2 = await aliceRoom2.createRoom();
  room2 = await roomIdOf(aliceRoom2);
  bobRoom2 = await bob.openPopup();
  await bobRoom2.joinRoom(code2);
  expect(room2).not.toBe(room1);

  await send(aliceRoom1, 'hello Bob');
  await waitForMessage(bobRoom1, 'hello Bob');
  // Bob's traffic really goes through the proxy.
  expect(proxy.deliveredChats().filter(chatIn(room1))).toHaveLength(1);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await proxy?.close();
  await relay?.kill();
});

describe('a relay that tampers with frames', () => {
  it('alters a byte of a body: Bob shows a calm notice instead, and the next message', async () => {
    const fired = proxy.armDown((f) => (chatIn(room1)(f) ? [{ ...f, body: flipByte(f.body as string) }] : null));
    await send(aliceRoom1, 'tamper-a: this one is altered on the way');
    await send(aliceRoom1, 'genuine after a');
    await waitForMessage(bobRoom1, 'genuine after a');
    await fired;
    expect(await bobSees(bobRoom1)).toEqual({ texts: ['hello Bob', 'genuine after a'], notices: [NOTICE], errors: 0 });
  });

  it('replays an earlier frame with a new seq: Bob shows the message once', async () => {
    const earlier = proxy.deliveredChats().find(chatIn(room1))!;
    const fired = proxy.armDown((f) => (chatIn(room1)(f) ? [{ ...earlier, seq: (f.seq as number) + 100 }, f] : null));
    await send(aliceRoom1, 'genuine after b');
    await waitForMessage(bobRoom1, 'genuine after b');
    await fired;
    const seen = await bobSees(bobRoom1);
    expect(occurrences(seen.texts, 'hello Bob')).toBe(1);
    expect(seen).toEqual({ texts: ['hello Bob', 'genuine after a', 'genuine after b'], notices: [NOTICE], errors: 0 });
  });

  it('moves a frame from another room into this one: a notice here, the message only in its own room', async () => {
    // The relay delivers the frame to its room and also a copy labelled with Bob's other room.
    const fired = proxy.armDown((f) => (chatIn(room2)(f) ? [{ ...f, room: room1 }, f] : null));
    await send(aliceRoom2, 'moved: meant for room two only');
    await waitForMessage(bobRoom2, 'moved: meant for room two only');
    await send(aliceRoom1, 'genuine after c');
    await waitForMessage(bobRoom1, 'genuine after c');
    await fired;
    expect(await bobSees(bobRoom1)).toEqual({
      texts: ['hello Bob', 'genuine after a', 'genuine after b', 'genuine after c'], notices: [NOTICE, NOTICE], errors: 0,
    });
    expect(await bobSees(bobRoom2)).toEqual({ texts: ['moved: meant for room two only'], notices: [], errors: 0 });
  });

  it('changes the message id: Bob shows a notice, not the text under another id', async () => {
    const fired = proxy.armDown((f) => (chatIn(room1)(f) ? [{ ...f, id: otherId(f.id as string) }] : null));
    await send(aliceRoom1, 'tamper-d: relabelled on the way');
    await send(aliceRoom1, 'genuine after d');
    await waitForMessage(bobRoom1, 'genuine after d');
    await fired;
    expect(await bobSees(bobRoom1)).toEqual({
      texts: ['hello Bob', 'genuine after a', 'genuine after b', 'genuine after c', 'genuine after d'],
      notices: [NOTICE, NOTICE, NOTICE],
      errors: 0,
    });
  });

  it('leaves the conversation working both ways, and Alice saw all her messages delivered', async () => {
    await send(bobRoom1, 'still here, Alice');
    await waitForMessage(aliceRoom1, 'still here, Alice');
    await aliceRoom1.page.waitForFunction(() => !document.querySelector('[data-status=sending]'));
    const alices = await popupReport(aliceRoom1.page);
    expect(alices.texts).toEqual([
      'hello Bob', 'tamper-a: this one is altered on the way', 'genuine after a', 'genuine after b', 'genuine after c',
      'tamper-d: relabelled on the way', 'genuine after d', 'still here, Alice',
    ]);
    expect(alices.notices).toEqual([]);
  });
});

describe('a bad copy before the genuine one', () => {
  it('shows the genuine message, not a notice that hid it for good', async () => {
    const fired = proxy.armDown((f) => (chatIn(room1)(f) ? [{ ...f, body: flipByte(f.body as string) }, f] : null));
    await send(aliceRoom1, 'tamper-e: a bad copy came first');
    await waitForMessage(bobRoom1, 'tamper-e: a bad copy came first');
    await fired;
    const seen = await bobSees(bobRoom1);
    expect(occurrences(seen.texts, 'tamper-e: a bad copy came first')).toBe(1);
    // The notice stood only until the genuine copy came: still the three from before.
    expect(seen.notices).toEqual([NOTICE, NOTICE, NOTICE]);
  });
});
