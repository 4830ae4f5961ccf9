import { describe, expect, it } from 'vitest';
import type { RelayContext } from '../../relay/context.ts';
import type { StoredMessage } from '../../relay/history-store.ts';
import type { Membership, Peer } from '../../relay/peer.ts';
import { replay } from '../../relay/replay.ts';
import type { RelayToClient } from '../../src/shared/protocol.ts';

// A unit test of replay() alone, with a stand-in socket whose buffer fills and drains on command:
// the race needs a message stored exactly while the replay waits, which real sockets on loopback
// almost never produce.
describe('replay', () => {
  it('does not go live over a message stored while it waited for the socket to drain', async () => {
    const room = 'r';
    const store: StoredMessage[] = [1, 2, 3].map((seq) => ({ room, seq, id: `id${seq}`, from: 'p', body: 'b', at: 0 }));
    const sent: RelayToClient[] = [];
    const flushes: (() => void)[] = [];
    const membership: Membership = { live: false, delivered: 0 };
    let queued = 0;
    const peer = {
      open: true,
      rooms: new Map([[room, membership]]),
      get queuedBytes() {
        return queued;
      },
      sendRoom: () => (queued > 0 ? 0 : 64 * 1024), // room for one frame at a time
      whenFreed: () => new Promise<void>((resolve) => flushes.push(resolve)),
      send(frame: RelayToClient) {
        sent.push(frame);
        if (frame.type === 'CHATMSG') queued = 10 * 1024 * 1024; // every message fills the buffer
        return true;
      },
      close() {},
    } as unknown as Peer;
    const ctx = {
      config: { maxBufferedKb: 4096, maxFrameKb: 64, idleTimeoutMs: 5_000 },
      broker: {
        readPage: async (_r: string, after: number, limit: number) => ({
          messages: store.filter((m) => m.seq > after).slice(0, limit),
          head: store.length,
        }),
      },
    } as unknown as RelayContext;

    const done = replay(ctx, peer, room, 0, membership);
    // Another member's message lands while the replay waits on the first drain.
    store.push({ room, seq: 4, id: 'id4', from: 'q', body: 'b', at: 0 });
    while (!membership.live) {
      await new Promise((resolve) => setImmediate(resolve));
      queued = 0;
      flushes.splice(0).forEach((flush) => flush());
    }
    await done;
    expect(sent.map((f) => (f.type === 'CHATMSG' ? f.seq : f.type))).toEqual([1, 2, 3, 4, 'SYNCED']);
  });
});
