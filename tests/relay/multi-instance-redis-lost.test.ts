import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRoomId } from './client.ts';
import { startCluster, type Cluster } from './multi-instance-cluster.ts';
import { audit, Member, until, untilConverged } from './multi-instance-member.ts';

// Redis restarted WITHOUT its data under three relay processes: the rooms are gone, exactly as
// when the SQLite relay loses its database (docs/protocol.md, epochs). Members still connected
// must be told, unasked, by a ROOM frame with a new epoch, and the room numbers from 1 again.

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster(3, { persist: false });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('Redis restarted without its data under three instances', () => {
  it('tells every member an unasked ROOM with a new epoch, and the room numbers from 1 again', async () => {
    const room = newRoomId();
    const members = ['ann', 'ben', 'cid'].map((name) => new Member(name, room));
    for (const [i, member] of members.entries()) await member.connect(cluster.relays[i]!.url);
    for (let i = 0; i < 3; i++) for (const member of members) member.send();
    await untilConverged(members, 'before Redis lost its data');
    const oldEpoch = members[0]!.current!.epoch;

    await cluster.redis.kill();
    await cluster.redis.restart();
    await until(() => members.every((m) => m.unaskedRooms.length > 0), 'an unasked ROOM for every member');
    for (const member of members) {
      expect(member.unaskedRooms.every((epoch) => epoch !== oldEpoch)).toBe(true);
    }
    // The members (as the extension does) join again with since 0 in the new numbering.
    await until(() => members.every((m) => m.synced), 'every member synced in the new epoch');
    const newEpoch = members[0]!.current!.epoch;
    expect(newEpoch).not.toBe(oldEpoch);
    for (const member of members) expect(member.current!.epoch).toBe(newEpoch);

    for (const member of members) member.send();
    await untilConverged(members, 'chatting in the new epoch');
    expect(audit(members)).toEqual([]);
    const seqs = members.flatMap((m) => [...m.current!.acked.values()]).sort((a, b) => a - b);
    expect(seqs).toEqual([1, 2, 3]);
    for (const member of members) expect(member.current!.gaps).toEqual([]);
  });
});
