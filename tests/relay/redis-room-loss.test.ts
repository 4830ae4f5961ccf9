import { describe, expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { newMessageId } from '../../src/shared/message-id.ts';
import { RedisServer } from '../redis/redis-server.ts';
import { useSharedRedis } from './shared-redis.ts';
import { newRoomId } from './client.ts';
import { startLoggedRelay, startTestRelay } from './relay.ts';

// docs/protocol.md, "Several instances on Redis": Redis evicts key by key, and a room's keys can
// expire or be lost under its members. Each case deletes the key(s), which is what eviction does.
const redis = useSharedRedis();

const key = (room: string, name: 'meta' | 'log' | 'ids' | 'members') => `parley:{${room}}:${name}`;

describe('a room whose meta Redis lost under its members', () => {
  it('tells the sender the new epoch (unasked ROOM) before the ACK that carries a seq of that numbering', async () => {
    // An ACK's seq is of the numbering the client knows (the extension files the line at
    // seqBase + seq of its current epoch), so the new epoch must come first.
    const one = await startTestRelay({ redisUrl: redis.url });
    const alice = await one.connect();
    const room = newRoomId();
    const joined = await alice.join(room);
    for (let i = 0; i < 3; i++) await alice.chat(room);
    await redis.admin.del(key(room, 'meta'), key(room, 'log'), key(room, 'ids'));
    const order: string[] = [];
    alice.socket.on('message', (data) => order.push(String(JSON.parse(String(data)).type)));
    const ack = await alice.chat(room);
    expect(ack.seq).toBe(1);
    const renumbered = await alice.next('ROOM');
    expect(renumbered.epoch).toBeGreaterThan(joined.epoch);
    expect(order.indexOf('ROOM')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('ROOM')).toBeLessThan(order.indexOf('ACK'));
  });

  it('stores a resent id of the lost numbering as a new message, not as a duplicate of it (meta evicted alone)', async () => {
    const one = await startTestRelay({ redisUrl: redis.url });
    const alice = await one.connect();
    const room = newRoomId();
    await alice.join(room);
    await alice.chat(room);
    const id = newMessageId();
    await alice.chat(room, 'second', id);
    await redis.admin.del(key(room, 'meta'));
    const again = await alice.chat(room, 'second', id);
    expect(again.seq).toBe(1);
    const bob = await one.connect();
    bob.send({ type: 'GETROOM', room });
    expect(await bob.next('ROOM')).toMatchObject({ head: 1 });
    expect(await bob.next('CHATMSG')).toMatchObject({ seq: 1, id });
    await bob.next('SYNCED');
    expect(bob.pending('GAP')).toEqual([]);
  });
});

describe('a room whose stream Redis evicted alone', () => {
  it('keeps its numbering, reports the lost seqs as GAP and keeps ROOM_MAX_STORED_KB of the messages stored after', async () => {
    const one = await startTestRelay({ redisUrl: redis.url, roomMaxStoredKb: 46 });
    const alice = await one.connect();
    const room = newRoomId();
    await alice.join(room);
    // 2 × 23,064 = 46,128 bytes of 47,104.
    for (let i = 0; i < 2; i++) await alice.chat(room, 'b'.repeat(23_000));
    await redis.admin.del(key(room, 'log'));
    // Three messages of 1,064 bytes each: 3,192 bytes, far under the room's bound.
    for (let i = 0; i < 3; i++) await alice.chat(room, 'c'.repeat(1_000));
    const bob = await one.connect();
    bob.send({ type: 'GETROOM', room });
    await bob.next('ROOM');
    expect(await bob.next('GAP')).toEqual({ type: 'GAP', room, from: 1, to: 2 });
    const seqs = [];
    for (let i = 0; i < 3; i++) seqs.push((await bob.next('CHATMSG')).seq);
    await bob.next('SYNCED');
    expect(seqs).toEqual([3, 4, 5]);
  });
});

describe('a room whose ids hash Redis evicted alone', () => {
  it('stores a resent id of a retained message again with a new seq, and nothing else changes', async () => {
    const one = await startTestRelay({ redisUrl: redis.url });
    const alice = await one.connect();
    const room = newRoomId();
    const joined = await alice.join(room);
    const id = newMessageId();
    await alice.chat(room, 'x', id);
    await redis.admin.del(key(room, 'ids'));
    expect((await alice.chat(room, 'x', id)).seq).toBe(2);
    expect((await alice.chat(room)).seq).toBe(3);
    expect(alice.pending('ROOM')).toEqual([]);
    expect((await alice.join(room, 3)).epoch).toBe(joined.epoch);
  });
});

describe('age retention and expiry on Redis', () => {
  it('does not replay, to a new joiner, a message older than HISTORY_MAX_AGE_MS in a room that got nothing newer', async () => {
    // docs/protocol.md: age is also applied by every join and by the minute check.
    const maxAge = 60_000;
    const one = await startTestRelay({ redisUrl: redis.url, historyMaxAgeMs: maxAge });
    const room = newRoomId();
    const [seconds] = await redis.admin.time();
    const old = Number(seconds) * 1000 - 2 * maxAge;
    // A room as the publish script leaves it, with one message stored twice the age limit ago.
    await redis.admin.multi()
      .hset(key(room, 'meta'), 'epoch', String(old), 'head', '1', 'bytes', String(3 + 64))
      .xadd(key(room, 'log'), '1-1', 'id', 'AAAAAAAAAAAAAAAAAAAAAA', 'from', 'ZZZZZZZZZZZZZZZZ', 'body', 'abc', 'at', String(old))
      .hset(key(room, 'ids'), 'AAAAAAAAAAAAAAAAAAAAAA', `1:${old}:ZZZZZZZZZZZZZZZZ`)
      .exec();
    const bob = await one.connect();
    bob.send({ type: 'GETROOM', room });
    expect(await bob.next('ROOM')).toMatchObject({ head: 1, created: false });
    expect(await bob.next('GAP')).toEqual({ type: 'GAP', room, from: 1, to: 1 });
    expect(await bob.next('SYNCED')).toMatchObject({ head: 1 });
    expect(bob.pending('CHATMSG')).toEqual([]);
    expect(await redis.admin.hget(key(room, 'meta'), 'bytes')).toBe('0');
  });

  it('sets every key of a room to expire HISTORY_MAX_AGE_MS after it was last touched', async () => {
    const maxAge = 3_600_000;
    const one = await startTestRelay({ redisUrl: redis.url, historyMaxAgeMs: maxAge });
    const alice = await one.connect();
    const room = newRoomId();
    await alice.join(room);
    await alice.chat(room);
    for (const name of ['meta', 'log', 'ids', 'members'] as const) {
      const ttl = await redis.admin.pttl(key(room, name));
      expect(ttl).toBeGreaterThan(maxAge - 60_000);
      expect(ttl).toBeLessThanOrEqual(maxAge);
    }
  });
});

describe('a full Redis with maxmemory-policy volatile-lru', () => {
  it('evicts keys rather than refusing writes: every message is acked', async () => {
    // docs/protocol.md: "a full Redis evicts least recently used keys rather than refusing writes".
    const own = await RedisServer.start();
    onTestFinished(() => own.stop());
    const control = new Redis(own.url);
    onTestFinished(() => control.disconnect());
    await control.config('SET', 'maxmemory', '4mb');
    await control.config('SET', 'maxmemory-policy', 'volatile-lru');
    const one = await startTestRelay({
      redisUrl: own.url, ratePerSec: 10_000, rateBurst: 10_000, rateKbPerSec: 1_000_000, addressRatePerSec: 10_000,
      addressRateBurst: 10_000, addressRateKbPerSec: 1_000_000, addressStoredKbPerDay: 1_000_000, addressRoomsPerHour: 1_000,
    });
    const alice = await one.connect();
    // 30 rooms of 10 messages of 20,000 characters: about 6 MB of bodies, well past 4 MB.
    let acked = 0;
    for (let r = 0; r < 30; r++) {
      const room = newRoomId();
      await alice.join(room);
      for (let i = 0; i < 10; i++) {
        await alice.chat(room, 'e'.repeat(20_000));
        acked++;
      }
    }
    expect(acked).toBe(300);
    expect(alice.pending('ERROR')).toEqual([]);
    expect(Number(/evicted_keys:(\d+)/.exec(await control.info('stats'))![1])).toBeGreaterThan(0);
  });
});

describe('/healthz with Redis', () => {
  it('answers 503 with the reason while Redis is unreachable, and 200 again once it is back', async () => {
    const own = await RedisServer.start();
    onTestFinished(() => own.stop());
    const one = await startLoggedRelay({ redisUrl: own.url });
    const health = async () => {
      const response = await fetch(one.url.replace(/^ws/, 'http') + '/healthz');
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await health()).toMatchObject({ status: 200, body: { ok: true } });
    await own.kill();
    await one.logs.event('redis_down');
    await one.logs.event('redis_down', 1);
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ok: false, error: 'redis unreachable (commands, subscriber)' });
    await own.restart();
    await one.logs.event('redis_up', 1);
    expect(await health()).toMatchObject({ status: 200, body: { ok: true } });
  });
});
