import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { RelayConfig } from '../../relay/config.ts';
import { RedisServer } from '../redis/redis-server.ts';
import { TestClient, newRoomId, randomBody } from './client.ts';
import { startTestRelay, type TestRelay } from './relay.ts';

// Two relay instances in this process on one real redis-server: to clients they must behave as one
// relay (docs/protocol.md, "Several instances on Redis").
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(() => redis.stop());

const pair = (overrides: Partial<RelayConfig> = {}): Promise<[TestRelay, TestRelay]> =>
  Promise.all([startTestRelay({ redisUrl: redis.url, ...overrides }), startTestRelay({ redisUrl: redis.url, ...overrides })]);

describe('two relay instances on one Redis', () => {
  it('members on different instances chat both ways, each message once, in seq order, acked with its seq', async () => {
    const [one, two] = await pair();
    const [alice, bob] = await Promise.all([one.connect(), two.connect()]);
    const room = newRoomId();
    const aliceId = (await alice.join(room)).peer;
    const bobRoom = await bob.join(room);
    expect(bobRoom.members).toEqual([aliceId]);

    const id = newMessageId();
    const body = randomBody();
    const ack = await alice.chat(room, body, id);
    expect(ack).toEqual({ type: 'ACK', room, id, seq: 1, at: expect.any(Number) });
    expect(await bob.next('CHATMSG')).toEqual({ type: 'CHATMSG', room, id, body, from: aliceId, seq: 1, at: ack.at });

    // Both write at once: one numbering, and each sees the other's messages in that order.
    const count = 20;
    for (let i = 0; i < count; i++) {
      alice.send({ type: 'CHATMSG', room, id: newMessageId(), body: randomBody() });
      bob.send({ type: 'CHATMSG', room, id: newMessageId(), body: randomBody() });
    }
    const acks = { alice: [] as number[], bob: [] as number[] };
    for (let i = 0; i < count; i++) acks.alice.push((await alice.next('ACK')).seq);
    for (let i = 0; i < count; i++) acks.bob.push((await bob.next('ACK')).seq);
    expect([...acks.alice, ...acks.bob].sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * count }, (_, i) => i + 2));
    const seen = { alice: [] as number[], bob: [] as number[] };
    for (let i = 0; i < count; i++) seen.alice.push((await alice.next('CHATMSG')).seq);
    for (let i = 0; i < count; i++) seen.bob.push((await bob.next('CHATMSG')).seq);
    expect(seen.alice).toEqual(acks.bob);
    expect(seen.bob).toEqual(acks.alice);
    await Promise.all([alice.barrier(), bob.barrier()]);
    expect(alice.pending('CHATMSG')).toEqual([]);
    expect(bob.pending('CHATMSG')).toEqual([]);
  });
});
