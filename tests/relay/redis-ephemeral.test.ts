import { describe, expect, it } from 'vitest';
import { MAX_BODY_CHARS } from '../../src/shared/constants.ts';
import type { RelayConfig } from '../../relay/config.ts';
import { useSharedRedis } from './shared-redis.ts';
import { newRoomId, randomBody } from './client.ts';
import type { TestRelay } from './relay.ts';

// docs/protocol.md, "Ephemeral broadcasts" and "Several instances on Redis": EPHEMERAL reaches the
// live members of every instance but the sender, through the room's channel, and is stored nowhere.
const redis = useSharedRedis();
const pair = redis.pair;

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

  it('is dropped, never queued, for a member of the other instance whose socket has unsent bytes', async () => {
    const fast: Partial<RelayConfig> = {
      ratePerSec: 10_000, rateBurst: 10_000, rateKbPerSec: 1_000_000,
      addressRatePerSec: 10_000, addressRateBurst: 10_000, addressRateKbPerSec: 1_000_000,
      addressStoredKbPerDay: 1_000_000, stallTimeoutMs: 60_000, idleTimeoutMs: 60_000,
    };
    const [one, two] = await pair(fast);
    const room = newRoomId();
    const sender = await one.connect();
    const healthy = await two.connect();
    const reader = await two.connect();
    await sender.join(room);
    await healthy.join(room);
    await reader.join(room);
    reader.pauseReading();
    const big = randomBody(Math.floor((MAX_BODY_CHARS * 3) / 4));
    let sent = 0;
    while ((await metric(two, /^parley_relay_unsent_bytes (\d+)$/m)) === 0 && sent < 1_000) {
      await sender.chat(room, big);
      await healthy.next('CHATMSG');
      sent++;
    }
    const held = await metric(two, /^parley_relay_unsent_bytes (\d+)$/m);
    expect(held).toBeGreaterThan(0);
    const body = randomBody();
    sender.send({ type: 'EPHEMERAL', room, body });
    expect((await healthy.next('EPHEMERAL')).body).toBe(body);
    expect(await metric(two, /^parley_relay_ephemeral_dropped_total (\d+)$/m)).toBe(1);
    expect(await metric(two, /^parley_relay_unsent_bytes (\d+)$/m)).toBeLessThanOrEqual(held);
    reader.resumeReading();
    for (let i = 0; i < sent; i++) await reader.next('CHATMSG');
    await reader.barrier();
    expect(reader.received.filter((frame) => frame.type === 'EPHEMERAL')).toEqual([]);
  });
});

async function metric(relay: TestRelay, line: RegExp): Promise<number> {
  const text = await (await fetch(relay.httpUrl('/metrics'))).text();
  return Number(text.match(line)?.[1] ?? Number.NaN);
}
