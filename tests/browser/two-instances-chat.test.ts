import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../redis/redis-server.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Two Chromium profiles with the built extension, each on a different relay instance, both
// instances on one real redis-server. Behind a load balancer the two instances are one relay to
// users; here each profile's default relay is one instance's own address, the honest stand-in for
// the balancer sending each browser to a different instance. Alice creates the room on hers, Bob
// joins it by code on his, and they chat both ways.

let redis: RedisServer;
let one: RelayProcess;
let two: RelayProcess;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;

beforeAll(async () => {
  redis = await RedisServer.start();
  // At debug level each instance logs the connections it takes ("connected").
  one = await RelayProcess.start({ REDIS_URL: redis.url, LOG_LEVEL: 'debug' });
  two = await RelayProcess.start({ REDIS_URL: redis.url, LOG_LEVEL: 'debug' });
  [alice, bob] = await Promise.all([new Profile('alice').launch(), new Profile('bob').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings('Alice', one.url);
  await bobPopup.saveSettings('Bob', two.url);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await Promise.allSettled([one?.kill(), two?.kill()]);
  await redis?.stop();
});

describe('two browsers on two relay instances of one Redis', () => {
  it('a room created on one instance is joined by code on the other, and messages go both ways', async () => {
    const code = await alicePopup.createRoom();
    await alicePopup.waitOnline();
    await bobPopup.joinRoom(code);
    await bobPopup.waitOnline();

    await alicePopup.send('Hello Bob, from instance one');
    await bobPopup.waitForMessage('Hello Bob, from instance one');
    await alicePopup.waitForMessage('Hello Bob, from instance one', 'sent');
    await bobPopup.send('Hi Alice, from instance two');
    await alicePopup.waitForMessage('Hi Alice, from instance two');
    await bobPopup.waitForMessage('Hi Alice, from instance two', 'sent');
    for (const text of ['one', 'two', 'three']) await alicePopup.send(`Alice ${text}`);
    await bobPopup.waitForMessage('Alice three');

    const expected = ['Hello Bob, from instance one', 'Hi Alice, from instance two', 'Alice one', 'Alice two', 'Alice three'];
    expect(await alicePopup.messages()).toEqual(expected);
    expect(await bobPopup.messages()).toEqual(expected);
    // Each browser spoke to its own instance: both took a connection.
    await one.waitForOutput('"connected"');
    await two.waitForOutput('"connected"');
  });
});
