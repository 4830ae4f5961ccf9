import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/shared/codec.ts';
import type { RelayToClient } from '../../src/shared/protocol.ts';
import { toChatFrame, type StoredMessage } from '../../relay/history-store.ts';
import { createLogger } from '../../relay/log.ts';
import type { Membership, Peer } from '../../relay/peer.ts';
import { LocalRoom, RedisFanOut, type LocalMember } from '../../relay/redis-fan-out.ts';

// RedisFanOut alone, with the room's stream as an array: the per-member ordering rules of
// relay/broker.ts ("a broker whose fan-out can outrun its reads fills a seq above delivered + 1
// from history first") and docs/protocol.md (GAP for seqs retention dropped).
const ROOM = 'r'.repeat(43);

function setup(stream: StoredMessage[]) {
  const fanOut = new RedisFanOut(async (_room, after, limit) => {
    const messages = stream.filter((message) => message.seq > after).slice(0, limit);
    return { messages, head: stream.at(-1)?.seq ?? 0 };
  }, createLogger('silent'), 1024);
  const room = new LocalRoom(ROOM, Promise.resolve());
  room.epoch = 1;
  const join = (id: string, membership: Membership, socket: Partial<Peer> = {}): { member: LocalMember; frames: RelayToClient[] } => {
    const frames: RelayToClient[] = [];
    const peer = {
      id, open: true, rooms: new Map([[ROOM, membership]]), queuedBytes: 0, sendRoom: () => 1 << 20, ...socket,
      send: (frame: RelayToClient) => (frames.push(frame), true),
      sendEncoded: (data: Buffer) => (frames.push(JSON.parse(data.toString()) as RelayToClient), true),
    } as unknown as Peer;
    const member = { peer, membership, filling: false };
    room.members.set(peer.id, member);
    fanOut.watchLive(room, member);
    return { member, frames };
  };
  const publish = (message: StoredMessage): void => {
    stream.push(message);
    fanOut.deliver(room, message.seq, message.from, Buffer.from(encodeFrame(toChatFrame(message))));
  };
  return { fanOut, room, join, publish };
}

const message = (seq: number, from = 'pother'): StoredMessage => ({ room: ROOM, seq, id: `id${seq}`, from, body: 'b', at: seq });
const settle = () => new Promise((resolve) => setImmediate(resolve));
const seqs = (frames: RelayToClient[]) => frames.map((frame) => (frame.type === 'CHATMSG' ? frame.seq : frame.type));

describe('RedisFanOut', () => {
  it('fills a hole from the stream before the seq that revealed it, in order', async () => {
    const stream = [message(1), message(2), message(3)];
    const { join, publish } = setup(stream);
    const { frames } = join('pbob', { live: true, delivered: 1 });
    publish(message(4));
    await settle();
    expect(seqs(frames)).toEqual([2, 3, 4]);
  });

  it('fills a member up to the head the moment its replay turns it live, when pub/sub ran ahead of its read', async () => {
    const stream = [message(1), message(2)];
    const { join, publish } = setup(stream);
    const membership: Membership = { live: false, delivered: 0 };
    const { frames } = join('pbob', membership);
    publish(message(3)); // arrives while the replay that read up to 2 has not gone live yet
    expect(frames).toEqual([]);
    membership.delivered = 2; // what relay/replay.ts does after its last read
    membership.live = true;
    await settle();
    expect(seqs(frames)).toEqual([3]);
  });

  it('reports seqs the stream no longer holds as a GAP, and skips the member\'s own messages', async () => {
    const stream = [message(5), message(6, 'pbob')];
    const { join, publish } = setup(stream);
    const { frames, member } = join('pbob', { live: true, delivered: 1 });
    publish(message(7));
    await settle();
    expect(frames).toEqual([{ type: 'GAP', room: ROOM, from: 2, to: 4 }, toChatFrame(message(5)), toChatFrame(message(7))]);
    expect(member.membership.delivered).toBe(7);
  });

  it('waits for the socket to write before it fills, as a replay does, so a long hole is not queued in memory', async () => {
    const stream = [message(1), message(2), message(3)];
    const { join, publish } = setup(stream);
    let room = 0;
    let freed!: () => void;
    const socket = { queuedBytes: 5000, sendRoom: () => room, whenFreed: () => new Promise<void>((resolve) => (freed = resolve)) };
    const { frames } = join('pbob', { live: true, delivered: 1 }, socket as unknown as Partial<Peer>);
    publish(message(4));
    await settle();
    expect(frames).toEqual([]);
    room = 1 << 20;
    freed();
    await settle();
    expect(seqs(frames)).toEqual([2, 3, 4]);
  });
});

describe('RedisFanOut gap fill reads', () => {
  it('reads a hole every member of the room has once, not once per member', async () => {
    const stream = [message(1), message(2), message(3)];
    const { fanOut, room, join } = setup(stream);
    const reads: number[] = [];
    const read = (fanOut as unknown as { readPage: (r: string, after: number, limit: number) => Promise<unknown> }).readPage;
    (fanOut as unknown as { readPage: typeof read }).readPage = (r, after, limit) => (reads.push(after), read(r, after, limit));
    const members = ['pa', 'pb', 'pc'].map((id) => join(id, { live: true, delivered: 1 }));
    // Seq 2 was missed (a dropped subscription); seq 3 arrives: every member has the same hole.
    room.head = 1;
    fanOut.deliver(room, 3, 'pother', Buffer.from(encodeFrame(toChatFrame(message(3)))));
    await settle();
    for (const { frames } of members) expect(seqs(frames)).toEqual([2, 3]);
    expect(reads).toEqual([1]);
  });
});
