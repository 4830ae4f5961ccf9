import { describe, expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { resolveConfig, type RelayConfig } from '../../relay/config.ts';
import { createLogger } from '../../relay/log.ts';
import type { Membership, Peer } from '../../relay/peer.ts';
import { RedisBroker } from '../../relay/redis-broker.ts';
import { readChannelMessage } from '../../relay/redis-channel.ts';
import type { WireFrame } from '../../relay/wire-frame.ts';
import { RedisPresence } from '../../relay/redis-presence.ts';
import { defineScripts, heartbeatKey, INSTANCES_KEY, instanceRoomsKey, membersKey, roomChannel, roomKeys, type Scripts } from '../../relay/redis-scripts.ts';
import type { RelayToClient } from '../../src/shared/protocol.ts';
import { useSharedRedis } from './shared-redis.ts';
import { LogLines } from './log-lines.ts';
import { newRoomId } from './client.ts';
import { newMessageId } from '../../src/shared/message-id.ts';

// Orders of events that sockets cannot force (two Redis connections, a reply lost to a timeout, a
// heartbeat landing between two steps of a sweep), scripted against the broker and presence
// modules on a real redis-server.
const redis = useSharedRedis();

interface FakePeer {
  readonly peer: Peer;
  readonly frames: RelayToClient[];
}

/** What the broker uses of a peer: its id and its two send methods, recorded. */
function fakePeer(id: string): FakePeer {
  const frames: RelayToClient[] = [];
  const peer = {
    id,
    open: true,
    rooms: new Map(),
    send: (frame: RelayToClient) => (frames.push(frame), true),
    sendEncoded: (data: Buffer) => (frames.push(JSON.parse(data.toString()) as RelayToClient), true),
  } as unknown as Peer;
  return { peer, frames };
}

const membership = (): Membership => ({ live: false, delivered: 0 });

async function openBroker(logs?: LogLines, overrides: Partial<RelayConfig> = {}): Promise<RedisBroker> {
  const broker = await RedisBroker.open(resolveConfig({ redisUrl: redis.url, ...overrides }), createLogger(logs ? 'info' : 'silent', logs?.write));
  onTestFinished(() => broker.close());
  return broker;
}

/** The broker's scripts object, whose functions a test may wrap to script an order of events. */
const scriptsOf = (broker: RedisBroker): Record<keyof Scripts, Scripts[keyof Scripts]> =>
  (broker as unknown as { scripts: Record<keyof Scripts, Scripts[keyof Scripts]> }).scripts;
const subscriberOf = (broker: RedisBroker): Redis => (broker as unknown as { subscriber: Redis }).subscriber;

/** Resolves once the broker's subscription has handled `text` on the room's channel (its own listener runs first). */
function heardOnChannel(broker: RedisBroker, text: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (_channel: Buffer, message: Buffer) => {
      if (message.toString() !== text) return;
      subscriberOf(broker).off('messageBuffer', listener);
      resolve();
    };
    subscriberOf(broker).on('messageBuffer', listener);
  });
}

describe('a join whose register reply comes back after pub/sub events of later joins and leaves', () => {
  it('lists, in its ROOM, a member who joined and not one who left after its snapshot', async () => {
    const broker = await openBroker();
    const room = newRoomId();
    await redis.admin.hset(membersKey(room), 'stay', 'elsewhere', 'goes', 'elsewhere');
    const scripts = scriptsOf(broker);
    const register = scripts.parleyRegister;
    scripts.parleyRegister = async (keys, args) => {
      const reply = await register(keys, args);
      // Published after the snapshot; the subscriber handles both before this reply is handed back.
      const heard = heardOnChannel(broker, 'l goes');
      await redis.admin.publish(roomChannel(room), 'j late');
      await redis.admin.publish(roomChannel(room), 'l goes');
      await heard;
      return reply;
    };
    const answer = await broker.join(room, fakePeer('me').peer, membership(), true);
    expect(answer.members.sort()).toEqual(['late', 'stay']);
  });

  it('does the same for a quiet rejoin (no JOINED of its own to mark the snapshot)', async () => {
    const broker = await openBroker();
    const room = newRoomId();
    const scripts = scriptsOf(broker);
    const register = scripts.parleyRegister;
    scripts.parleyRegister = async (keys, args) => {
      const reply = await register(keys, args);
      const heard = heardOnChannel(broker, 'j late');
      await redis.admin.publish(roomChannel(room), 'j late');
      await heard;
      return reply;
    };
    const answer = await broker.join(room, fakePeer('me').peer, membership(), false);
    expect(answer.members).toEqual(['late']);
  });
});

describe('a join whose register ran but whose reply was lost', () => {
  it('leaves no member entry behind once the minute check has run', async () => {
    const broker = await openBroker();
    const room = newRoomId();
    const scripts = scriptsOf(broker);
    const register = scripts.parleyRegister;
    scripts.parleyRegister = async (keys, args) => {
      await register(keys, args);
      throw new Error('Command timed out');
    };
    await expect(broker.join(room, fakePeer('ghost').peer, membership(), true)).rejects.toThrow('Command timed out');
    expect(await redis.admin.hget(membersKey(room), 'ghost')).not.toBeNull();
    await broker.prune();
    expect(await redis.admin.hget(membersKey(room), 'ghost')).toBeNull();
  });
});

describe('the minute check', () => {
  it('writes the entries of its members again after Redis evicted the members hash, with JOINED for each', async () => {
    // docs/protocol.md, "Several instances on Redis": `members` evicted.
    const broker = await openBroker();
    const room = newRoomId();
    const [a, b] = [fakePeer('a'), fakePeer('b')];
    await broker.join(room, a.peer, membership(), true);
    await broker.join(room, b.peer, membership(), true);
    await redis.admin.del(membersKey(room));
    const joined = heardOnChannel(broker, 'j b');
    await broker.prune();
    await joined;
    expect(await redis.admin.hgetall(membersKey(room))).toEqual({ a: expect.any(String), b: expect.any(String) });
    expect(a.frames).toContainEqual({ type: 'JOINED', room, peer: 'b' });
    expect(b.frames).toContainEqual({ type: 'JOINED', room, peer: 'a' });
  });

  it('refreshes the expiry of a quiet room with members, and the instance\'s rooms set', async () => {
    // docs/protocol.md: every script that touches a room sets its keys to expire HISTORY_MAX_AGE_MS later.
    const broker = await openBroker();
    const room = newRoomId();
    await broker.join(room, fakePeer('a').peer, membership(), true);
    const instance = (await redis.admin.hget(membersKey(room), 'a'))!;
    for (const key of roomKeys(room)) await redis.admin.pexpire(key, 1_000);
    await redis.admin.del(instanceRoomsKey(instance));
    await broker.prune();
    const maxAge = resolveConfig({}).historyMaxAgeMs;
    for (const key of [roomKeys(room)[0], membersKey(room)]) expect(await redis.admin.pttl(key)).toBeGreaterThan(maxAge - 60_000);
    expect(await redis.admin.sismember(instanceRoomsKey(instance), room)).toBe(1);
  });
});

describe('a sweep of an instance that beats again while it is being swept', () => {
  const setUp = async () => {
    const logs = new LogLines();
    const connection = new Redis(redis.url);
    onTestFinished(() => connection.disconnect());
    const real = await defineScripts(connection);
    const back = `back${Math.random().toString(36).slice(2)}`;
    const room = newRoomId();
    await redis.admin.multi().sadd(INSTANCES_KEY, back).sadd(instanceRoomsKey(back), room).hset(membersKey(room), 'alice', back).exec();
    // Its heartbeat lands after the sweep saw it missing, before the sweep's first removal.
    let beaten = false;
    const scripts = Object.fromEntries(Object.entries(real).map(([name, run]) => [name, async (keys: readonly string[], args: readonly (string | number)[]) => {
      if (!beaten) {
        beaten = true;
        await redis.admin.set(heartbeatKey(back), '1', 'PX', 60_000);
      }
      return run(keys, args);
    }])) as unknown as Scripts;
    const sweeper = new RedisPresence(`sweeper${back}`, connection, scripts, 90, createLogger('info', logs.write), () => {});
    onTestFinished(() => sweeper.stop());
    return { logs, back, room, sweeper };
  };

  it('keeps its member entries and its rooms set', async () => {
    const { logs, back, room, sweeper } = await setUp();
    await sweeper.start();
    await Promise.race([logs.event('redis_instance_evicted'), logs.event('redis_instance_back')]);
    expect(await redis.admin.hget(membersKey(room), 'alice')).toBe(back);
    expect(await redis.admin.smembers(instanceRoomsKey(back))).toEqual([room]);
    expect(await redis.admin.sismember(INSTANCES_KEY, back)).toBe(1);
  });
});

describe('an instance that another instance forgot as dead while its heartbeat was still there', () => {
  it('takes itself for lapsed and registers its members again', async () => {
    const logs = new LogLines();
    const broker = await openBroker(logs, { redisInstanceTtlMs: 300 });
    const instance = String((await logs.event('redis_connected')).instance);
    await redis.admin.srem(INSTANCES_KEY, instance);
    await logs.event('redis_heartbeat_lapsed');
    expect(await redis.admin.sismember(INSTANCES_KEY, instance)).toBe(1);
    void broker;
  });
});

describe('a gap fill whose read fails while Redis stays reachable (a command timeout under load)', () => {
  it('is tried again, so a message skipped for a member reaches it though nothing is published after it', async () => {
    const logs = new LogLines();
    const broker = await openBroker(logs);
    const room = newRoomId();
    const shown: number[] = [];
    let onShown = (): void => {};
    const membershipOfBob = membership();
    const bob = {
      id: 'bob', open: true, rooms: new Map([[room, membershipOfBob]]), queuedBytes: 0, sendRoom: () => 1 << 20,
      send: () => true,
      // Either form a peer is given (relay/peer.ts): bytes, or a frame built once for every member.
      sendEncoded: (data: Buffer | WireFrame) => {
        const frame = JSON.parse((Buffer.isBuffer(data) ? data : data.payload).toString()) as RelayToClient;
        if (frame.type === 'CHATMSG') shown.push(frame.seq), onShown();
        return true;
      },
    } as unknown as Peer;
    await broker.join(room, bob, membershipOfBob, true);
    // bob's replay (relay/replay.ts) read the room empty; before it turns bob live, pub/sub brings
    // seq 1, which is skipped for him, to be filled from the stream when he goes live.
    // Heard once the broker has handled seq 1 itself (its listener runs first); not on bob's own
    // JOINED, which can reach the subscriber after the publish below on a loaded machine.
    const heard = new Promise<void>((resolve) => {
      const onMessage = (_channel: Buffer, message: Buffer) => {
        const read = readChannelMessage(message);
        if (read?.kind !== 'chat' || read.seq !== 1) return;
        subscriberOf(broker).off('messageBuffer', onMessage);
        resolve();
      };
      subscriberOf(broker).on('messageBuffer', onMessage);
    });
    await broker.publish(room, fakePeer('ann').peer, { id: newMessageId(), from: 'ann', body: 'last of a burst' }, () => true);
    await heard;
    // That fill's read gets no answer in time (COMMAND_TIMEOUT_MS), on a connection that stays up.
    const scripts = scriptsOf(broker);
    const read = scripts.parleyRead;
    let reads = 0;
    scripts.parleyRead = async (keys, args) => {
      if (++reads === 1) throw new Error('Command timed out');
      return read(keys, args);
    };
    const given = new Promise<void>((resolve) => (onShown = resolve));
    membershipOfBob.delivered = 0;
    membershipOfBob.live = true;
    await logs.event('redis_fill_failed');
    await given;
    expect(shown).toEqual([1]);
    expect(reads).toBe(2);
  });
});
