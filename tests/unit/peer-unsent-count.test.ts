import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../relay/metrics.ts';
import { Peer } from '../../relay/peer.ts';

// docs/protocol.md, "Slow and stalled readers": "counting starts with the first frame that stays in
// the relay's buffer, and covers every frame until the socket has written them all out".
// Review of issue 9 (review9b): Peer.sendEncoded finds the stream under the ws socket through ws's
// private `_socket`; when it is absent (a ws release that renames it: package.json allows ^8.23.0)
// the frame goes through ws.send without a callback, and a frame that stays buffered is counted
// and released in the same breath, so nothing is ever counted and no bound holds.
class StalledSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly callbacks: ((error?: Error) => void)[] = [];
  send(data: Buffer, _options: unknown, callback?: (error?: Error) => void): void {
    // A reader that stopped reading: every byte stays in the buffer.
    this.bufferedAmount += data.length;
    if (callback !== undefined) this.callbacks.push(callback);
  }
  close(): void {
    this.readyState = 2;
  }
  terminate(): void {
    this.readyState = 3;
  }
}

describe('Peer.sendEncoded without a reachable stream', () => {
  it('counts a frame that stays in the buffer until it is written out', () => {
    const socket = new StalledSocket();
    const options = { maxBufferedBytes: 1 << 20, maxAddressBufferedBytes: 1 << 20, maxTotalBufferedBytes: 1 << 20, closeGraceMs: 1000 };
    const peer = new Peer(socket as unknown as WebSocket, options, new Metrics(), () => {});
    const frame = Buffer.alloc(1000, 'a');
    expect(peer.sendEncoded(frame)).toBe(true);
    expect(peer.queuedBytes).toBe(1000);
    // The bound still holds: a stalled reader is refused past MAX_BUFFERED_KB.
    for (let i = 0; i < 2000 && peer.open; i++) peer.sendEncoded(frame);
    expect(peer.open).toBe(false);
  });
});
