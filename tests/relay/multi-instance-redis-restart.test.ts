import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRoomId } from './client.ts';
import { startCluster, type Cluster } from './multi-instance-cluster.ts';
import { audit, Member, until, untilConverged } from './multi-instance-member.ts';

// Redis itself restarted under three relay processes, with its data (an append-only file fsynced on
// every write, as an operator who wants acks to mean "stored" runs it). Clients stay connected to
// their instances throughout; to them the relay was briefly unable to store.

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster(3, { persist: true });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('Redis restarted with its data under three instances', () => {
  it('answers CHATMSG during the outage with INTERNAL, takes the resends after, and loses nothing', async () => {
    const room = newRoomId();
    const members = ['ann', 'ben', 'cid'].map((name) => new Member(name, room));
    for (const [i, member] of members.entries()) await member.connect(cluster.relays[i]!.url);
    for (const member of members) member.send();
    await untilConverged(members, 'before the outage');
    const epoch = members[0]!.current!.epoch;

    // Killed with messages in flight: some may be stored (and fsynced) without their ACK going out.
    for (const member of members) member.send();
    await cluster.redis.kill();
    // Each message written during the outage is refused (never acked), so its sender keeps it.
    for (const member of members) member.send();
    await until(() => members.every((m) => m.internalErrors > 0), 'INTERNAL for a CHATMSG on every instance');
    expect(members.every((m) => m.outbox.size > 0)).toBe(true);

    await cluster.redis.restart();
    // The outboxes resend on INTERNAL until the relay stores again; then everyone has everything.
    await untilConverged(members, 'after Redis came back');
    expect(audit(members)).toEqual([]);
    for (const member of members) {
      expect(member.current!.epoch).toBe(epoch); // the same numbering: nothing was lost
      expect(member.epochs.length).toBe(1);
      expect(member.current!.gaps).toEqual([]);
      expect(member.unaskedRooms).toEqual([]);
    }
    const seqs = members.flatMap((m) => [...m.current!.acked.values()]).sort((a, b) => a - b);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);

    for (const member of members) member.send();
    await untilConverged(members, 'chatting on');
    expect(audit(members)).toEqual([]);
  });

  it('loses nothing published while the instances\' subscriptions were cut', async () => {
    const room = newRoomId();
    const members = ['ann', 'ben', 'cid'].map((name) => new Member(name, room));
    for (const [i, member] of members.entries()) await member.connect(cluster.relays[i]!.url);
    for (const member of members) member.send();
    await untilConverged(members, 'before the cut');

    // Redis drops every pub/sub connection (a network blip between the instances and Redis); the
    // messages sent right after are stored and published while no instance is subscribed. Nothing
    // more is sent after them: each instance must find them on its own once it is back.
    const admin = new Redis(cluster.redis.url, { lazyConnect: true });
    await admin.connect();
    try {
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    } finally {
      admin.disconnect();
    }
    for (const member of members) member.send();
    await untilConverged(members, 'after the subscriptions came back');
    expect(audit(members)).toEqual([]);
    for (const member of members) expect(member.current!.gaps).toEqual([]);
  });
});
