import { describe, expect, it } from 'vitest';
import { MAX_BODY_CHARS } from '../../src/shared/constants.ts';
import type { RelayConfig } from '../../relay/config.ts';
import { newRoomId, randomBody, type TestClient } from './client.ts';
import { startTestRelay, type TestRelay } from './relay.ts';

// Readers that stop reading (docs/protocol.md, "Slow and stalled readers"): what the relay holds
// for them is bounded per socket, per address and in all, and a reader that makes no progress is
// cut after STALL_TIMEOUT_MS, not IDLE_TIMEOUT_MS.
const FAST: Partial<RelayConfig> = {
  ratePerSec: 10_000, rateBurst: 10_000, rateKbPerSec: 1_000_000,
  addressRatePerSec: 10_000, addressRateBurst: 10_000, addressRateKbPerSec: 1_000_000,
  // These tests store tens of megabytes from one address; the storage quota is not what they test.
  addressStoredKbPerDay: 1_000_000,
};
/** Random bytes whose base64url is a full-size body (docs/protocol.md: at most MAX_BODY_CHARS). */
const FULL_BODY_BYTES = Math.floor((MAX_BODY_CHARS * 3) / 4);
const OTHER = { localAddress: '127.0.0.2' };

/** How often the relay counted `code` (GET /metrics). */
async function errorCount(relay: TestRelay, code: string): Promise<number> {
  const text = await (await fetch(relay.httpUrl('/metrics'))).text();
  return Number(text.match(new RegExp(`^parley_relay_errors_total\\{code="${code}"\\} (\\d+)$`, 'm'))?.[1] ?? 0);
}

/** The relay's count of bytes queued for sockets and not yet written out (GET /metrics). */
async function unsentBytes(relay: TestRelay): Promise<number> {
  const text = await (await fetch(relay.httpUrl('/metrics'))).text();
  return Number(text.match(/^parley_relay_unsent_bytes (\d+)$/m)?.[1] ?? Number.NaN);
}

/** Sends big messages to `room` until `watcher` hears that someone left; returns that LEFT. */
async function floodUntilLeft(sender: TestClient, healthy: TestClient, watcher: TestClient, room: string) {
  let left: Awaited<ReturnType<TestClient['next']>> | undefined;
  const leftFrame = watcher.next('LEFT', 60_000).then((frame) => (left = frame));
  // Kernel buffers absorb a few megabytes first, so send until the relay gives up on a reader.
  const big = randomBody(FULL_BODY_BYTES);
  for (let i = 0; i < 1_000 && left === undefined; i++) {
    await sender.chat(room, big);
    await healthy.next('CHATMSG');
  }
  return leftFrame;
}

describe('stalled readers', () => {
  it('cuts a reader whose replays stall after STALL_TIMEOUT_MS with SLOW_CONSUMER 4009', async () => {
    const relay = await startTestRelay({ ...FAST, maxFrameKb: 64, maxBufferedKb: 256, stallTimeoutMs: 500, idleTimeoutMs: 30_000 });
    const writer = await relay.connect();
    const rooms = [newRoomId(), newRoomId(), newRoomId(), newRoomId()];
    // About 7 MB of history, more than the kernel's socket buffers take in.
    for (const room of rooms) {
      await writer.join(room);
      for (let i = 0; i < 40; i++) await writer.chat(room, randomBody(FULL_BODY_BYTES));
    }
    const reader = await relay.connect();
    reader.pauseReading();
    for (const room of rooms) reader.send({ type: 'GETROOM', room });
    // Before the fix the replays waited IDLE_TIMEOUT_MS (30 s) for the reader.
    expect(await writer.next('LEFT')).toMatchObject({ type: 'LEFT', room: rooms[0] });
    reader.resumeReading();
    expect(await reader.closed).toEqual({ code: 4009, reason: 'SLOW_CONSUMER' });
    // It got what the kernel had taken in before the cut, never the whole history.
    expect(reader.received.filter((frame) => frame.type === 'SYNCED').length).toBeLessThan(rooms.length);
    await writer.chat(rooms[0]!);
  });

  it('counts the bytes a reader falls behind by, and frees them all once it catches up', async () => {
    // docs/protocol.md, "Slow and stalled readers": bytes count from the first frame that stays in
    // the relay's buffer until the socket has written them out. Were any left counted, a reader
    // that once fell behind would later be cut as stalled, or for its share of a bound.
    const relay = await startTestRelay({ ...FAST, stallTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
    const room = newRoomId();
    const sender = await relay.connect(OTHER);
    await sender.join(room);
    const reader = await relay.connect();
    await reader.join(room);
    expect(await unsentBytes(relay)).toBe(0);
    reader.pauseReading();
    // Kernel buffers take in a few megabytes first: send until the relay holds some itself.
    const big = randomBody(FULL_BODY_BYTES);
    let sent = 0;
    while (sent < 1_000 && (await unsentBytes(relay)) === 0) {
      await sender.chat(room, big);
      sent++;
    }
    expect(await unsentBytes(relay)).toBeGreaterThan(0);
    reader.resumeReading();
    for (let i = 0; i < sent; i++) await reader.next('CHATMSG');
    await reader.barrier();
    expect(await unsentBytes(relay)).toBe(0);
    await sender.chat(room);
    await reader.next('CHATMSG');
  });

  // The two shared bounds, each filled by two readers that stop reading: the readers share one
  // address (its bound binds), or have two (the relay's bound binds).
  it.each([
    {
      bound: "one address's readers", code: 'ADDRESS_BUFFERS_FULL', close: 4032, secondReader: {},
      // Each reader may hold 1 MB; the two together 1.5 MB, which they reach at about 0.75 MB each.
      limits: { maxBufferedKb: 1024, addressMaxBufferedKb: 1536 },
    },
    {
      bound: 'all readers', code: 'RELAY_BUFFERS_FULL', close: 4033, secondReader: { localAddress: '127.0.0.3' },
      limits: { maxBufferedKb: 1024, addressMaxBufferedKb: 1024, totalMaxBufferedKb: 1536 },
    },
  ])('bounds what $bound hold together with $code $close', async ({ code, close, secondReader, limits }) => {
    const relay = await startTestRelay({ ...FAST, ...limits, stallTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
    const room = newRoomId();
    const sender = await relay.connect(OTHER);
    const healthy = await relay.connect(OTHER);
    await sender.join(room);
    await healthy.join(room);
    const readers = [await relay.connect(), await relay.connect(secondReader)];
    for (const reader of readers) {
      await reader.join(room);
      reader.pauseReading();
    }
    const left = await floodUntilLeft(sender, healthy, healthy, room);
    const cut = readers.find((reader) => reader.received.some((f) => f.type === 'ROOM' && f.peer === (left as { peer: string }).peer))!;
    cut.resumeReading();
    // The one holding the most is cut; it gets the close code only if the frame was its own, else a bare cut.
    expect([close, 1006]).toContain((await cut.closed).code);
    expect(await errorCount(relay, code)).toBeGreaterThanOrEqual(1);
    await sender.chat(room);
    await healthy.next('CHATMSG');
  });

  it('cuts a stalled reader holding the bytes when its address bound is full, not an innocent fast reader', async () => {
    // docs/protocol.md, "Slow and stalled readers": a full shared bound cuts the socket holding the
    // most unsent bytes. Two stalled readers of one address fill its 1.5 MB (each under its own
    // 1 MB) with small messages in one room; the fast reader of the same address gets full-size
    // messages in another, so the first frame that finds the address bound full is the fast reader's.
    const relay = await startTestRelay({ ...FAST, maxBufferedKb: 1024, addressMaxBufferedKb: 1536, stallTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
    const [stalledRoom, fastRoom] = [newRoomId(), newRoomId()];
    const sender = await relay.connect(OTHER);
    const watcher = await relay.connect(OTHER);
    await sender.join(stalledRoom);
    await watcher.join(stalledRoom);
    await sender.join(fastRoom);
    const fast = await relay.connect();
    const { peer: fastPeer } = await fast.join(fastRoom);
    const stalled = [await relay.connect(), await relay.connect()];
    const stalledPeers: string[] = [];
    for (const reader of stalled) {
      stalledPeers.push((await reader.join(stalledRoom)).peer);
      reader.pauseReading();
    }
    let left: { peer: string } | undefined;
    void watcher.next('LEFT', 60_000).then((frame) => (left = frame));
    const big = randomBody(FULL_BODY_BYTES);
    // Four 4 KB messages to two readers add about 34 KB between two full-size (45 KB) frames, so
    // the fast reader's frame always finds the bound full before a stalled reader's does.
    const small = randomBody(3072);
    for (let i = 0; i < 2_000 && left === undefined; i++) {
      await sender.chat(fastRoom, big);
      // Before the fix the fast reader was cut here, as the frame was for it.
      await fast.next('CHATMSG');
      for (let j = 0; j < 4; j++) await sender.chat(stalledRoom, small);
      await watcher.barrier();
    }
    expect(stalledPeers).toContain(left?.peer);
    for (let i = 0; i < 10; i++) {
      await sender.chat(fastRoom, big);
      await fast.next('CHATMSG');
    }
    await fast.barrier();
    expect(await errorCount(relay, 'ADDRESS_BUFFERS_FULL')).toBeGreaterThanOrEqual(1);
    expect(fastPeer).not.toBe(left?.peer);
  });
});
