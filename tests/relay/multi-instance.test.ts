import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRoomId } from './client.ts';
import { startCluster, type Cluster } from './multi-instance-cluster.ts';
import { ackedIds, audit, Member, until, untilConverged } from './multi-instance-member.ts';

// Three relay processes on one real redis-server, seen only through the protocol
// (docs/protocol.md): to a client, the instances behind a load balancer are one relay. Each
// scenario checks, per member, every message exactly once, in seq order, with a GAP only where
// retention really dropped messages.

/**
 * Small enough that a member away for a while comes back to a real GAP; larger than any room's
 * total before its resends (the SIGKILL scenario: 24), since dedup covers only the retained
 * history and a resent id that retention dropped is stored again as a new message.
 */
const HISTORY_MAX_COUNT = 32;

let cluster: Cluster;
const url = (i: number): string => cluster.relays[i]!.url;

beforeAll(async () => {
  // REDIS_INSTANCE_TTL_MS: a killed instance's members are declared gone (LEFT) after 3 s,
  // not the default 10 s.
  cluster = await startCluster(3, {}, { HISTORY_MAX_COUNT: String(HISTORY_MAX_COUNT), REDIS_INSTANCE_TTL_MS: '3000' });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Each member sends `count` messages at once (not waiting for acks); returns their ids. */
function burst(members: readonly Member[], count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) for (const member of members) ids.push(member.send());
  return ids;
}

describe('several relay instances on one Redis', () => {
  it('members on different instances chat: each sees every other message once, in seq order', async () => {
    const room = newRoomId();
    const members = ['ann', 'ben', 'cid', 'dee'].map((name) => new Member(name, room));
    // ann and ben on instance 0, cid on 1, dee on 2.
    for (const [i, member] of members.entries()) await member.connect(url([0, 0, 1, 2][i]!));
    expect(new Set(members.map((m) => m.current!.epoch)).size).toBe(1);

    burst(members, 5);
    await untilConverged(members, 'every message of the burst acked and shown to every other member');
    expect(audit(members)).toEqual([]);
    // 20 messages: seqs 1..20 in one room across three instances, none lost, none twice.
    const seqs = members.flatMap((m) => [...m.current!.acked.values()]).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const member of members) expect(member.current!.gaps).toEqual([]);
    // Presence crosses instances: the last to join was announced to everyone before it.
    for (const member of members.slice(0, 3)) expect(member.joined.has(members[3]!.peer)).toBe(true);
  });

  it('a client resumes on another instance with since and gets exactly what it missed', async () => {
    const room = newRoomId();
    const [ann, ben, cid] = ['ann', 'ben', 'cid'].map((name) => new Member(name, room)) as [Member, Member, Member];
    await ann.connect(url(0));
    await ben.connect(url(1));
    await cid.connect(url(2));
    burst([ann, ben, cid], 2);
    await untilConverged([ann, ben, cid], 'first exchange');

    ann.disconnect();
    const since = ann.lastSeq;
    burst([ben, cid], 3);
    await untilConverged([ben, cid], 'while ann is away');

    await ann.connect(url(2));
    await untilConverged([ann, ben, cid], 'ann back on another instance');
    expect(audit([ann, ben, cid])).toEqual([]);
    // What ann was shown after coming back: exactly seqs since+1..12, the 6 messages she missed
    // (and her own last one, when it came after the last she was shown).
    const replayed = ann.current!.shown.filter((m) => m.seq > since).map((m) => m.seq);
    expect(replayed).toEqual(Array.from({ length: 12 - since }, (_, i) => since + 1 + i));
    expect(ann.current!.gaps).toEqual([]);

    burst([ann, ben, cid], 2);
    await untilConverged([ann, ben, cid], 'chatting on after the resume');
    expect(audit([ann, ben, cid])).toEqual([]);
  });

  it('a client that was away longer than the history holds resumes on another instance with an honest GAP', async () => {
    const room = newRoomId();
    const [ann, ben] = ['ann', 'ben'].map((name) => new Member(name, room)) as [Member, Member];
    await ann.connect(url(0));
    await ben.connect(url(1));
    burst([ann, ben], 1);
    await untilConverged([ann, ben], 'first exchange');
    ann.disconnect();
    const since = ann.lastSeq; // 1 or 2: whether ben's message came before or after ann's own

    burst([ben], 2 * HISTORY_MAX_COUNT);
    await untilConverged([ben], 'ben alone');
    const head = 2 + 2 * HISTORY_MAX_COUNT; // the first exchange's two, then ben's
    await ann.connect(url(2));

    // docs/protocol.md, "Retention and storage" and "Joining": at most HISTORY_MAX_COUNT messages
    // are retained, so the oldest retained is head - HISTORY_MAX_COUNT + 1, and since+1 up to the one
    // before it come as one GAP first.
    const firstRetained = head - HISTORY_MAX_COUNT + 1;
    expect(ann.current!.gaps).toEqual([{ from: since + 1, to: firstRetained - 1 }]);
    expect(ann.current!.shown.filter((m) => m.seq > since).map((m) => m.seq)).toEqual(
      Array.from({ length: HISTORY_MAX_COUNT }, (_, i) => firstRetained + i),
    );
    expect(audit([ann, ben])).toEqual([]);
  });

  it('a message whose ACK was lost, resent on another instance after 24 later ones, is acked with its original seq', async () => {
    // The SIGKILL scenario below resends ann's message of its first round (seq 2 at the earliest)
    // when up to 24 messages are stored, depending on how much the dying instance stored and on how
    // ben's resends race hers. Dedup covers only the retained history (docs/protocol.md, "Chat
    // messages, acks and dedup"): with HISTORY_MAX_COUNT 20 that resend was stored again under a new
    // seq and ann never had her original one back. Its worst timing, made deterministic.
    const room = newRoomId();
    const members = ['ann', 'ben', 'cid', 'dee'].map((name) => new Member(name, room));
    const [ann] = members as [Member];
    for (const [i, member] of members.entries()) await member.connect(url([0, 0, 1, 2][i]!));
    const first = ann.send();
    await untilConverged(members, 'ann\'s first message');
    expect(ann.current!.acked.get(first)).toBe(1);
    burst(members, 6);
    await untilConverged(members, '24 messages after it');

    ann.loseAck(first);
    await ann.connect(url(1));
    await untilConverged(members, 'ann back on instance 1, her outbox resent');
    expect(ann.current!.acked.get(first)).toBe(1);
    expect(audit(members)).toEqual([]);
    // Stored once: nobody was shown it a second time under another seq.
    for (const member of members.slice(1)) expect(member.current!.shown.filter((m) => m.id === first).length).toBe(1);
  });

  it('an instance SIGKILLed mid-conversation: its clients resume on others, resend unacked ids, nothing lost or doubled', async () => {
    const room = newRoomId();
    const members = ['ann', 'ben', 'cid', 'dee'].map((name) => new Member(name, room));
    const [ann, ben, cid, dee] = members as [Member, Member, Member, Member];
    await ann.connect(url(0));
    await ben.connect(url(0));
    await cid.connect(url(1));
    await dee.connect(url(2));
    burst(members, 2);
    await untilConverged(members, 'before the kill');

    // Messages in flight everywhere when instance 0 dies: some of ann's and ben's may be stored
    // without their ACK having reached them, some not stored at all.
    const sent = burst(members, 4);
    const gone = [ann.peer, ben.peer];
    // At least one message stored whose ACK was lost, whatever the timing: ann's last one before
    // the burst, taken back into her outbox (as if the ACK had died with the instance).
    const stored = [...ann.current!.acked.keys()].at(-1)!;
    const storedSeq = ann.current!.acked.get(stored)!;
    ann.loseAck(stored);
    await cluster.relays[0]!.kill('SIGKILL');
    await ann.connect(url(1));
    await ben.connect(url(2));
    await untilConverged(members, 'after ann and ben moved to instances 1 and 2');
    expect(audit(members)).toEqual([]);
    // Every message sent is stored once: the resent ids were deduplicated across instances.
    const acked = new Set(members.flatMap((m) => [...ackedIds(m)]));
    for (const id of sent) expect(acked.has(id)).toBe(true);
    // The resend through instance 1 was acked with the original seq, and stored only once.
    expect(ann.current!.acked.get(stored)).toBe(storedSeq);
    expect(members.flatMap((m) => [...m.current!.acked.values()]).length).toBe(4 * 2 + 4 * 4);
    // Nobody said LEAVE for the connections the dead instance held: the others are told they left
    // once its heartbeat expires.
    await until(() => [cid, dee].every((m) => gone.every((peer) => m.left.has(peer))), 'LEFT for the dead instance\'s members');

    burst(members, 2);
    await untilConverged(members, 'chatting on without instance 0');
    expect(audit(members)).toEqual([]);
    // Told once each, though every live instance sweeps the dead one.
    for (const m of [cid, dee]) for (const peer of gone) expect(m.left.get(peer)).toBe(1);
    for (const member of members) expect(member.current!.gaps).toEqual([]);

    // The instance comes back; a member moves onto it and the room goes on.
    await cluster.relays[0]!.restart();
    await cid.connect(url(0));
    burst(members, 1);
    await untilConverged(members, 'with instance 0 back');
    expect(audit(members)).toEqual([]);
  });
});
