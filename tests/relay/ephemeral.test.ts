import { describe, expect, it } from 'vitest';
import { MAX_BODY_CHARS } from '../../src/shared/constants.ts';
import type { RelayConfig } from '../../relay/config.ts';
import { newRoomId, randomBody } from './client.ts';
import { startTestRelay, type TestRelay } from './relay.ts';

// docs/protocol.md, "Ephemeral broadcasts": the expected answers below are the document's, not the code's.
/** The document's bound on an EPHEMERAL body. */
const DOC_MAX_EPHEMERAL_BODY = 2048;
const OTHER = { localAddress: '127.0.0.2' };

async function metric(relay: TestRelay, line: RegExp): Promise<number> {
  const text = await (await fetch(relay.httpUrl('/metrics'))).text();
  return Number(text.match(line)?.[1] ?? Number.NaN);
}
const dropped = (relay: TestRelay) => metric(relay, /^parley_relay_ephemeral_dropped_total (\d+)$/m);
const unsentBytes = (relay: TestRelay) => metric(relay, /^parley_relay_unsent_bytes (\d+)$/m);

describe('EPHEMERAL', () => {
  it('goes to the other members as EPHEMERAL {room, from, body} with from stamped by the relay, not to the sender, and is never stored or acked', async () => {
    const relay = await startTestRelay();
    const room = newRoomId();
    const [alice, bob, carol] = await Promise.all([relay.connect(), relay.connect(), relay.connect()]);
    const aliceId = (await alice.join(room)).peer;
    await bob.join(room);
    await carol.join(room);
    const body = randomBody(30);
    // A `from` the sender puts in is not what others see.
    alice.send({ type: 'EPHEMERAL', room, body, from: 'p0000000000000000' });
    const expected = { type: 'EPHEMERAL', room, from: aliceId, body };
    expect(await bob.next('EPHEMERAL')).toEqual(expected);
    expect(await carol.next('EPHEMERAL')).toEqual(expected);
    await alice.barrier();
    // No echo, no ACK, no ERROR: the sender hears nothing.
    expect(alice.received.filter((frame) => ['EPHEMERAL', 'ACK', 'ERROR'].includes(frame.type))).toEqual([]);

    // Not stored or sequenced: a later joiner's replay has none of it, and the head did not move.
    const dave = await relay.connect();
    const joined = await dave.join(room, 0);
    expect(joined.head).toBe(0);
    await dave.barrier();
    expect(dave.received.filter((frame) => frame.type === 'EPHEMERAL' || frame.type === 'CHATMSG')).toEqual([]);
    // Nor does a chat message after it get a seq past it.
    expect((await alice.chat(room)).seq).toBe(1);
  });

  it(`takes a body of ${DOC_MAX_EPHEMERAL_BODY} characters and answers one more with BAD_FRAME`, async () => {
    const relay = await startTestRelay();
    const room = newRoomId();
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    await alice.join(room);
    await bob.join(room);
    const longest = 'A'.repeat(DOC_MAX_EPHEMERAL_BODY);
    alice.send({ type: 'EPHEMERAL', room, body: longest });
    expect((await bob.next('EPHEMERAL')).body).toBe(longest);
    alice.send({ type: 'EPHEMERAL', room, body: `${longest}A` });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'BAD_FRAME', ref: 'EPHEMERAL' });
    // Far below a message's bound, which a CHATMSG body still has.
    expect(DOC_MAX_EPHEMERAL_BODY).toBeLessThan(MAX_BODY_CHARS);
    await bob.barrier();
    expect(bob.pending('EPHEMERAL')).toEqual([]);
  });

  it('answers NOT_IN_ROOM for a room the sender has not joined, and forwards nothing', async () => {
    const relay = await startTestRelay();
    const room = newRoomId();
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    await bob.join(room);
    alice.send({ type: 'EPHEMERAL', room, body: randomBody() });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'NOT_IN_ROOM', ref: 'EPHEMERAL', room });
    await bob.barrier();
    expect(bob.pending('EPHEMERAL')).toEqual([]);
  });

  it('has a budget of its own: over EPHEMERAL_BURST it is dropped with EPHEMERAL_RATE_LIMITED, and chat still goes through', async () => {
    const burst = 3;
    const relay = await startTestRelay({ ephemeralPerSec: 1, ephemeralBurst: burst });
    const room = newRoomId();
    const [alice, bob] = await Promise.all([relay.connect(), relay.connect()]);
    await alice.join(room);
    await bob.join(room);
    for (let i = 0; i <= burst; i++) alice.send({ type: 'EPHEMERAL', room, body: randomBody() });
    expect(await alice.next('ERROR')).toMatchObject({ code: 'EPHEMERAL_RATE_LIMITED', ref: 'EPHEMERAL', room });
    // The chat budget is untouched beyond the general frame gate.
    const ack = await alice.chat(room);
    expect(ack.seq).toBe(1);
    expect((await bob.next('CHATMSG')).seq).toBe(1);
    await bob.barrier();
    expect(bob.received.filter((frame) => frame.type === 'EPHEMERAL')).toHaveLength(burst);
    expect(alice.pending('ERROR')).toEqual([]);
  });

  it('is dropped, never queued, for a member whose socket has unsent bytes, which is not cut for it', async () => {
    const fast: Partial<RelayConfig> = {
      ratePerSec: 10_000, rateBurst: 10_000, rateKbPerSec: 1_000_000,
      addressRatePerSec: 10_000, addressRateBurst: 10_000, addressRateKbPerSec: 1_000_000,
      addressStoredKbPerDay: 1_000_000, stallTimeoutMs: 60_000, idleTimeoutMs: 60_000,
    };
    const relay = await startTestRelay(fast);
    const room = newRoomId();
    const sender = await relay.connect(OTHER);
    const healthy = await relay.connect(OTHER);
    const reader = await relay.connect();
    await sender.join(room);
    await healthy.join(room);
    await reader.join(room);
    reader.pauseReading();
    // Kernel buffers take in a few megabytes first: send until the relay holds some for the reader.
    const big = randomBody(Math.floor((MAX_BODY_CHARS * 3) / 4));
    let sent = 0;
    while ((await unsentBytes(relay)) === 0 && sent < 1_000) {
      await sender.chat(room, big);
      await healthy.next('CHATMSG');
      sent++;
    }
    const held = await unsentBytes(relay);
    expect(held).toBeGreaterThan(0);
    expect(await dropped(relay)).toBe(0);

    const body = randomBody();
    sender.send({ type: 'EPHEMERAL', room, body });
    expect((await healthy.next('EPHEMERAL')).body).toBe(body);
    expect(await dropped(relay)).toBe(1);
    // Not a byte more held for the stalled reader.
    expect(await unsentBytes(relay)).toBeLessThanOrEqual(held);

    reader.resumeReading();
    for (let i = 0; i < sent; i++) await reader.next('CHATMSG');
    await reader.barrier();
    expect(reader.received.filter((frame) => frame.type === 'EPHEMERAL')).toEqual([]);
    // Still a member with a live connection: the drop closed nothing.
    sender.send({ type: 'EPHEMERAL', room, body });
    expect((await reader.next('EPHEMERAL')).body).toBe(body);
  });
});
