import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { newMessageId } from '../../src/shared/message-id.ts';
import { ConfigError } from '../../relay/config.ts';
import { startRelay } from '../../relay/server.ts';
import { RedisServer } from '../redis/redis-server.ts';
import { useSharedRedis } from './shared-redis.ts';
import { TestClient, newRoomId, randomBody } from './client.ts';
import { Redis } from 'ioredis';
import { LogLines } from './log-lines.ts';
import { startLoggedRelay, startTestRelay } from './relay.ts';

// Two relay instances in this process on one real redis-server: to clients they must behave as one
// relay (docs/protocol.md, "Several instances on Redis").
const redis = useSharedRedis();
const pair = redis.pair;

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
    const raw = new Promise<string>((resolve) => bob.socket.once('message', (data) => resolve(String(data))));
    const ack = await alice.chat(room, body, id);
    expect(ack).toEqual({ type: 'ACK', room, id, seq: 1, at: expect.any(Number) });
    const delivered = { type: 'CHATMSG', room, id, body, from: aliceId, seq: 1, at: ack.at };
    expect(await bob.next('CHATMSG')).toEqual(delivered);
    // The bytes Redis published are the frame as the single-process relay encodes it.
    expect(await raw).toBe(JSON.stringify(delivered));

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

  it('acks an id resent to the other instance with its original seq and delivers it to nobody again', async () => {
    const [one, two] = await pair();
    const [alice, bob, carol] = await Promise.all([one.connect(), two.connect(), one.connect()]);
    const room = newRoomId();
    await alice.join(room);
    await bob.join(room);
    await carol.join(room);
    const id = newMessageId();
    const first = await alice.chat(room, 'first', id);
    await bob.next('CHATMSG');
    await carol.next('CHATMSG');

    // The same sender reconnected to the other instance and resends from its outbox.
    const again = await TestClient.connect(two.url);
    await again.join(room, 1);
    expect(await again.chat(room, 'first', id)).toEqual(first);
    const next = await alice.chat(room);
    expect(next.seq).toBe(2);
    // Seq 2 arriving behind it shows the resend went to nobody.
    expect((await bob.next('CHATMSG')).seq).toBe(2);
    expect((await carol.next('CHATMSG')).seq).toBe(2);
  });

  it('replays on one instance what was stored through the other, from since, then goes live', async () => {
    const [one, two] = await pair();
    const alice = await one.connect();
    const room = newRoomId();
    await alice.join(room);
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await alice.chat(room));

    const bob = await two.connect();
    bob.send({ type: 'GETROOM', room, since: 2 });
    expect(await bob.next('ROOM')).toMatchObject({ head: 5, created: false });
    for (const ack of acks.slice(2)) expect(await bob.next('CHATMSG')).toMatchObject({ seq: ack.seq, id: ack.id, at: ack.at });
    expect(await bob.next('SYNCED')).toEqual({ type: 'SYNCED', room, head: 5 });
    expect((await alice.chat(room)).seq).toBe(6);
    expect((await bob.next('CHATMSG')).seq).toBe(6);
    expect(bob.pending('GAP')).toEqual([]);
  });

  it('gives a member who joins on one instance while the room is busy on another every message once, in order', async () => {
    const [one, two] = await pair({ ratePerSec: 1000, rateBurst: 200, addressRatePerSec: 2000, addressRateBurst: 400 });
    const [alice, bob] = await Promise.all([one.connect(), two.connect()]);
    const count = 60;
    // A few rounds, so the join lands at different points of the traffic.
    for (let round = 0; round < 4; round++) {
      const room = newRoomId();
      await alice.join(room);
      for (let i = 0; i < count; i++) alice.send({ type: 'CHATMSG', room, id: newMessageId(), body: randomBody() });
      bob.send({ type: 'GETROOM', room });
      for (let i = 0; i < count; i++) await alice.next('ACK');
      await bob.next('ROOM');
      const seqs = [];
      for (let i = 0; i < count; i++) seqs.push((await bob.next('CHATMSG')).seq);
      expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      await bob.next('SYNCED');
      await bob.barrier();
      expect(bob.pending('CHATMSG')).toEqual([]);
      expect(bob.pending('GAP')).toEqual([]);
    }
  });

  it('tells members on both instances JOINED and LEFT, and lists members of every instance', async () => {
    const [one, two] = await pair();
    const [alice, bob, carol] = await Promise.all([one.connect(), two.connect(), two.connect()]);
    const room = newRoomId();
    const aliceId = (await alice.join(room)).peer;
    const bobId = (await bob.join(room)).peer;
    expect(await alice.next('JOINED')).toEqual({ type: 'JOINED', room, peer: bobId });
    const carolRoom = await carol.join(room);
    expect(carolRoom.members.sort()).toEqual([aliceId, bobId].sort());
    expect(await alice.next('JOINED')).toEqual({ type: 'JOINED', room, peer: carolRoom.peer });
    expect(await bob.next('JOINED')).toEqual({ type: 'JOINED', room, peer: carolRoom.peer });

    bob.send({ type: 'LEAVE', room });
    expect(await alice.next('LEFT')).toEqual({ type: 'LEFT', room, peer: bobId });
    expect(await carol.next('LEFT')).toEqual({ type: 'LEFT', room, peer: bobId });
    alice.terminate();
    expect(await carol.next('LEFT')).toEqual({ type: 'LEFT', room, peer: aliceId });
    const dave = await one.connect();
    expect((await dave.join(room)).members).toEqual([carolRoom.peer]);
  });

  it('forwards a SIGNAL to a peer on the other instance, and answers NO_SUCH_PEER for one not in the room', async () => {
    const [one, two] = await pair();
    const [alice, bob] = await Promise.all([one.connect(), two.connect()]);
    const room = newRoomId();
    const aliceId = (await alice.join(room)).peer;
    const bobId = (await bob.join(room)).peer;
    alice.send({ type: 'SIGNAL', room, to: bobId, kind: 'offer', body: 'sdp' });
    expect(await bob.next('SIGNAL')).toEqual({ type: 'SIGNAL', room, from: aliceId, kind: 'offer', body: 'sdp' });
    bob.send({ type: 'SIGNAL', room, to: aliceId, kind: 'answer', body: 'sdp2' });
    expect(await alice.next('SIGNAL')).toEqual({ type: 'SIGNAL', room, from: bobId, kind: 'answer', body: 'sdp2' });

    bob.send({ type: 'LEAVE', room });
    await alice.next('LEFT');
    alice.send({ type: 'SIGNAL', room, to: bobId, kind: 'offer', body: 'sdp' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'NO_SUCH_PEER', ref: 'SIGNAL', room });
  });

  it('keeps HISTORY_MAX_COUNT messages per room and ROOM_MAX_STORED_KB of them, reporting the rest as a GAP', async () => {
    // docs/protocol.md, "Retention and storage" and "Storage quotas": the room keeps at most
    // HISTORY_MAX_COUNT messages and at most ROOM_MAX_STORED_KB × 1024 bytes of stored size (body
    // length + 64), oldest trimmed first; a replay reports trimmed seqs as GAP before the rest.
    const [one, two] = await pair({ historyMaxCount: 3, roomMaxStoredKb: 46 });
    const alice = await one.connect();
    const room = newRoomId();
    await alice.join(room);
    for (let i = 0; i < 5; i++) await alice.chat(room);
    const bob = await two.connect();
    bob.send({ type: 'GETROOM', room });
    await bob.next('ROOM');
    expect(await bob.next('GAP')).toEqual({ type: 'GAP', room, from: 1, to: 2 });
    expect([(await bob.next('CHATMSG')).seq, (await bob.next('CHATMSG')).seq, (await bob.next('CHATMSG')).seq]).toEqual([3, 4, 5]);
    await bob.next('SYNCED');

    // 46 KB is 47,104 bytes: two messages of 20,000 characters (20,064 bytes each) fit, three do not.
    const big = () => 'b'.repeat(20_000);
    for (let i = 0; i < 3; i++) await alice.chat(room, big());
    const carol = await one.connect();
    carol.send({ type: 'GETROOM', room });
    await carol.next('ROOM');
    expect(await carol.next('GAP')).toEqual({ type: 'GAP', room, from: 1, to: 6 });
    expect([(await carol.next('CHATMSG')).seq, (await carol.next('CHATMSG')).seq]).toEqual([7, 8]);
    expect(await carol.next('SYNCED')).toMatchObject({ head: 8 });

    // Dedup covers the retained history: an id resent after retention dropped it is a new message.
    const trimmed = (await bob.next('CHATMSG', 0).catch(() => undefined)) ?? undefined;
    expect(trimmed?.seq).toBe(6);
    const resent = await alice.chat(room, 'again', trimmed!.id);
    expect(resent.seq).toBe(9);
  });

  it('gives a member every message stored while the subscription of its instance was down, once and in order', async () => {
    const one = await startTestRelay({ redisUrl: redis.url });
    const two = await startLoggedRelay({ redisUrl: redis.url });
    const [alice, bob] = await Promise.all([one.connect(), two.connect()]);
    const room = newRoomId();
    await alice.join(room);
    await bob.join(room);
    await alice.chat(room);
    expect((await bob.next('CHATMSG')).seq).toBe(1);

    const instance = String((await two.logs.event('redis_connected')).instance);
    const admin = new Redis(redis.url);
    onTestFinished(() => admin.disconnect());
    const list = String(await admin.client('LIST'));
    const subscriber = /id=(\d+) .*name=parley-subscriber-(\S+)/g;
    const ids = [...list.matchAll(subscriber)].filter((match) => match[2] === instance).map((match) => match[1]!);
    expect(ids).toHaveLength(1);
    await admin.client('KILL', 'ID', ids[0]!);
    for (let i = 0; i < 4; i++) await alice.chat(room);
    await two.logs.event('redis_resynced');
    const seqs = [];
    for (let i = 0; i < 4; i++) seqs.push((await bob.next('CHATMSG')).seq);
    expect(seqs).toEqual([2, 3, 4, 5]);
    expect((await alice.chat(room)).seq).toBe(6);
    expect((await bob.next('CHATMSG')).seq).toBe(6);
    await bob.barrier();
    expect(bob.pending('CHATMSG')).toEqual([]);
    expect(bob.pending('GAP')).toEqual([]);
  });

  it('takes the members of an instance that died without a word out of their rooms once its heartbeat expires', async () => {
    const ttl = 300;
    const two = await startTestRelay({ redisUrl: redis.url, redisInstanceTtlMs: ttl });
    const logs = new LogLines();
    const child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
      env: { ...process.env, HISTORY_PATH: ':memory:', PORT: '0', REDIS_URL: redis.url, REDIS_INSTANCE_TTL_MS: String(ttl) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    createInterface({ input: child.stdout }).on('line', (line) => logs.write(line));
    const url = String((await logs.event('listening')).url);
    const alice = await TestClient.connect(url);
    const bob = await two.connect();
    const room = newRoomId();
    const aliceId = (await alice.join(room)).peer;
    const bobId = (await bob.join(room)).peer;

    child.kill('SIGKILL');
    expect(await bob.next('LEFT')).toEqual({ type: 'LEFT', room, peer: aliceId });
    const carol = await two.connect();
    expect((await carol.join(room)).members).toEqual([bobId]);
  });
});

describe('an instance cut off from Redis for longer than its heartbeat', () => {
  it('has its members taken out by the others, and announces them again when it finds its heartbeat lapsed', async () => {
    const ttl = 300;
    const one = await startLoggedRelay({ redisUrl: redis.url, redisInstanceTtlMs: ttl });
    const two = await startTestRelay({ redisUrl: redis.url, redisInstanceTtlMs: ttl });
    const [alice, bob] = await Promise.all([one.connect(), two.connect()]);
    const room = newRoomId();
    const aliceId = (await alice.join(room)).peer;
    const bobId = (await bob.join(room)).peer;

    // What another instance's sweep does to an instance whose heartbeat expired (the sweep itself
    // is the SIGKILL test's), done here in one step so this instance cannot beat in between.
    const instance = String((await one.logs.event('redis_connected')).instance);
    const admin = new Redis(redis.url);
    onTestFinished(() => admin.disconnect());
    await admin.multi().del(`parley:instance:${instance}`).hdel(`parley:{${room}}:members`, aliceId)
      .publish(`parley:{${room}}`, `l ${aliceId}`).exec();
    expect(await bob.next('LEFT')).toEqual({ type: 'LEFT', room, peer: aliceId });
    expect(await bob.next('JOINED')).toEqual({ type: 'JOINED', room, peer: aliceId });
    await one.logs.event('redis_heartbeat_lapsed');
    // Registered again: a peer on the other instance can reach her.
    bob.send({ type: 'SIGNAL', room, to: aliceId, kind: 'offer', body: 'x' });
    expect(await alice.next('SIGNAL')).toEqual({ type: 'SIGNAL', room, from: bobId, kind: 'offer', body: 'x' });
  });
});

describe('a Redis that goes away', () => {
  it('answers CHATMSG with INTERNAL while Redis is down, not a hang, and works again when it is back', async () => {
    const persistent = await RedisServer.start({ persist: true });
    onTestFinished(() => persistent.stop());
    const one = await startLoggedRelay({ redisUrl: persistent.url });
    const two = await startTestRelay({ redisUrl: persistent.url });
    const [alice, bob] = await Promise.all([one.connect(), two.connect()]);
    const room = newRoomId();
    const joined = await alice.join(room);
    await bob.join(room);
    await alice.chat(room);
    await bob.next('CHATMSG');

    await persistent.kill();
    const id = newMessageId();
    alice.send({ type: 'CHATMSG', room, id, body: 'abc' });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'INTERNAL', ref: 'CHATMSG', room });
    expect(alice.pending('ACK')).toEqual([]);

    await persistent.restart();
    await one.logs.event('redis_resynced');
    // The outbox resends; the room kept its numbering and epoch, so nobody is told it was lost.
    const ack = await alice.chat(room, 'abc', id);
    expect(ack.seq).toBe(2);
    expect(await bob.next('CHATMSG')).toMatchObject({ id, seq: 2 });
    expect(alice.pending('ROOM')).toEqual([]);
    expect((await alice.join(room, 2)).epoch).toBe(joined.epoch);
  });

  it('sends members an unasked ROOM with a new epoch when Redis comes back without their room', async () => {
    const [one, two] = await pair();
    const [alice, bob] = await Promise.all([one.connect(), two.connect()]);
    const room = newRoomId();
    const before = await alice.join(room);
    await bob.join(room);
    await alice.chat(room);
    await bob.next('CHATMSG');

    await redis.kill();
    await redis.restart();
    const [toAlice, toBob] = await Promise.all([alice.next('ROOM', 10_000), bob.next('ROOM', 10_000)]);
    for (const frame of [toAlice, toBob]) {
      expect(frame).toMatchObject({ room, head: 0, created: false });
      expect(frame.epoch).toBeGreaterThan(before.epoch);
    }
    expect(toBob.epoch).toBe(toAlice.epoch);
    // What the extension does on a new epoch: join again from 0; the room then numbers from 1.
    expect((await alice.join(room, 0)).epoch).toBe(toAlice.epoch);
    await bob.join(room, 0);
    expect((await alice.chat(room)).seq).toBe(1);
    expect((await bob.next('CHATMSG')).seq).toBe(1);
  });
});

describe('startup with REDIS_URL', () => {
  it('fails with a message naming REDIS_URL, without its password, when Redis cannot be reached', async () => {
    const gone = await RedisServer.start();
    const url = `redis://:hunter2@127.0.0.1:${gone.port}`;
    await gone.stop();
    const failed = startRelay({ port: 0, logLevel: 'silent', redisUrl: url });
    await expect(failed).rejects.toThrow(ConfigError);
    await expect(failed).rejects.toThrow(/^REDIS_URL: cannot use redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
    await expect(failed).rejects.not.toThrow(/hunter2/);
  });
});
