import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayConfig } from '../../relay/config.ts';
import { RedisServer } from '../redis/redis-server.ts';
import { newRoomId, randomBody } from './client.ts';
import { startTestRelay, type TestRelay } from './relay.ts';

// docs/protocol.md, "Ephemeral broadcasts" and "Several instances on Redis": EPHEMERAL reaches the
// live members of every instance but the sender, through the room's channel, and is stored nowhere.
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(() => redis.stop());

const pair = (overrides: Partial<RelayConfig> = {}): Promise<[TestRelay, TestRelay]> =>
  Promise.all([startTestRelay({ redisUrl: redis.url, ...overrides }), startTestRelay({ redisUrl: redis.url, ...overrides })]);

describe('EPHEMERAL across two relay instances on one Redis', () => {
  it('reaches the members of both instances but the sender, with from stamped, and a later joiner replays none of it', async () => {
    const [one, two] = await pair();
    const [alice, bob, carol] = await Promise.all([one.connect(), two.connect(), one.connect()]);
    const room = newRoomId();
    const aliceId = (await alice.join(room)).peer;
    await bob.join(room);
    await carol.join(room);
    const body = randomBody(30);
    alice.send({ type: 'EPHEMERAL', room, body });
    const expected = { type: 'EPHEMERAL', room, from: aliceId, body };
    expect(await bob.next('EPHEMERAL')).toEqual(expected);
    expect(await carol.next('EPHEMERAL')).toEqual(expected);

    // And back the other way, from the second instance.
    const reply = randomBody(20);
    bob.send({ type: 'EPHEMERAL', room, body: reply });
    expect((await alice.next('EPHEMERAL')).body).toBe(reply);
    expect((await carol.next('EPHEMERAL')).body).toBe(reply);

    // Each got each broadcast once, and nobody its own: a round trip through each instance's Redis
    // channel (a CHATMSG is published on it after the EPHEMERALs) shows nothing more is coming.
    await alice.chat(room);
    await Promise.all([bob.next('CHATMSG'), carol.next('CHATMSG')]);
    expect(alice.pending('EPHEMERAL')).toEqual([]);
    expect(bob.pending('EPHEMERAL')).toEqual([]);
    expect(carol.pending('EPHEMERAL')).toEqual([]);

    const dave = await two.connect();
    const joined = await dave.join(room, 0);
    expect(joined.head).toBe(1);
    await dave.barrier();
    expect(dave.received.filter((frame) => frame.type === 'EPHEMERAL')).toEqual([]);
    expect(dave.received.filter((frame) => frame.type === 'CHATMSG').map((frame) => frame.type === 'CHATMSG' && frame.seq)).toEqual([1]);
  });

  it('answers NOT_IN_ROOM and EPHEMERAL_RATE_LIMITED on an instance on Redis as on one alone', async () => {
    const [one, two] = await pair({ ephemeralPerSec: 1, ephemeralBurst: 2 });
    const [alice, bob] = await Promise.all([one.connect(), two.connect()]);
    const room = newRoomId();
    alice.send({ type: 'EPHEMERAL', room, body: randomBody() });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'NOT_IN_ROOM', ref: 'EPHEMERAL', room });
    await alice.join(room);
    await bob.join(room);
    for (let i = 0; i < 3; i++) alice.send({ type: 'EPHEMERAL', room, body: randomBody() });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'EPHEMERAL_RATE_LIMITED', ref: 'EPHEMERAL', room });
    await bob.next('EPHEMERAL');
    await bob.next('EPHEMERAL');
    await alice.chat(room);
    await bob.next('CHATMSG');
    expect(bob.pending('EPHEMERAL')).toEqual([]);
  });
});
