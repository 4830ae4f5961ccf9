import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MitmProxy } from './mitm-proxy.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Issue 7, defect 3, end to end: a message reached Bob, but the relay crashed before Alice got its
// ACK, and lost its database. Alice resends it to the fresh relay, which numbers it 1. Bob comes
// back, sees the room was renumbered and fetches it from the start: the message he already has
// comes again under its new number. He must count it as seen, finish syncing, and send again;
// before the fix each SYNCED asked for the replay again, forever, and his outbox never drained.

let relay: RelayProcess;
let proxy: MitmProxy;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;

beforeAll(async () => {
  relay = await RelayProcess.start();
  proxy = await MitmProxy.start(relay.url); // Alice's way to the relay, where her ACK is lost
  [alice, bob] = await Promise.all([new Profile('renum-alice').launch(), new Profile('renum-bob').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings('Alice', proxy.url);
  await bobPopup.saveSettings('Bob', relay.url);
  await bobPopup.joinRoom(await alicePopup.createRoom());
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await proxy?.close();
  await relay?.kill();
});

describe('a room the relay renumbered after a crash', () => {
  it('settles for a member who already had a resent message, and his outbox goes out', async () => {
    const ackLost = proxy.armDown((f) => (f.type === 'ACK' ? [] : null));
    await alicePopup.page.bringToFront();
    await alicePopup.send('reached Bob, ack lost');
    await bobPopup.page.bringToFront();
    await bobPopup.waitForMessage('reached Bob, ack lost');
    await ackLost;
    await alicePopup.page.bringToFront();
    await alicePopup.waitForMessage('reached Bob, ack lost', 'sending');

    // Bob is away while the relay crashes and comes back without its database.
    await bob.close();
    await relay.kill('SIGKILL');
    relay.wipe();
    await relay.restart();
    // Alice's outbox resends the message to the fresh relay, which numbers it 1 and acks it.
    await alicePopup.waitForMessage('reached Bob, ack lost', 'sent');

    bob = await new Profile('renum-bob', bob.dir).launch();
    bobPopup = await bob.openPopup();
    await bobPopup.openRoom();
    await bobPopup.page.getByText('The relay lost this room').waitFor();
    await bobPopup.send('Bob, after the crash');
    await bobPopup.waitForMessage('Bob, after the crash', 'sent');
    await alicePopup.page.bringToFront();
    await alicePopup.waitForMessage('Bob, after the crash');
    await bobPopup.page.bringToFront();
    expect(await bobPopup.messages()).toEqual(['reached Bob, ack lost', 'Bob, after the crash']);
  });
});
