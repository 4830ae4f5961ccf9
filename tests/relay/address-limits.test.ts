import { connect, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startTestRelay, type TestRelay } from './relay.ts';

// Limits per remote address (docs/protocol.md, "Limits per address and in all"). 127.0.0.2 is
// another loopback address, so "another address" needs no network beyond loopback.
const OTHER = { localAddress: '127.0.0.2' };

/** A TCP connection to the relay that never sends a byte: a stalled handshake. */
async function stalledSocket(relay: TestRelay, localAddress = '127.0.0.1'): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port: relay.port, localAddress });
  socket.on('error', () => {});
  onTestFinished(() => {
    socket.destroy();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
  return { socket, closed };
}

describe('limits per address and in all', () => {
  it('shares the frame budget among all connections of an address, and a reconnect does not refill it', async () => {
    // Per connection: bursts of 3 and a hold of 3. The address: a burst of 4 for all, 1 a second.
    const relay = await startTestRelay({ ratePerSec: 1, rateBurst: 3, addressRatePerSec: 1, addressRateBurst: 4 });
    const first = await relay.connect();
    for (let t = 0; t < 3; t++) first.send({ type: 'PING', t });
    for (let t = 0; t < 3; t++) expect(await first.next('PONG')).toEqual({ type: 'PONG', t });
    first.terminate();
    await first.closed;

    // One token is left for the address: one ping passes, three wait in the hold, three are refused.
    const second = await relay.connect();
    for (let t = 0; t < 7; t++) second.send({ type: 'PING', t });
    expect(await second.next('PONG')).toEqual({ type: 'PONG', t: 0 });
    for (let i = 0; i < 3; i++) expect(await second.next('ERROR')).toMatchObject({ code: 'RATE_LIMITED' });
    expect(second.pending('PONG')).toEqual([]);

    // Another address has its own budget.
    const other = await relay.connect(OTHER);
    for (let t = 0; t < 3; t++) other.send({ type: 'PING', t });
    for (let t = 0; t < 3; t++) expect(await other.nextOf(['PONG', 'ERROR'])).toEqual({ type: 'PONG', t });
  });

  it('turns away connections opened faster than ADDRESS_CONNECTS_PER_MIN with CONNECTING_TOO_FAST 4030', async () => {
    const relay = await startTestRelay({ addressConnectsPerMin: 1, addressConnectBurst: 3 });
    const kept = [await relay.connect(), await relay.connect()];
    kept[0]!.terminate(); // closing one gives nothing back: the limit is on opening
    await kept[0]!.closed;
    await (await relay.connect()).barrier();
    const fourth = await relay.connect();
    expect(await fourth.next('ERROR')).toMatchObject({ code: 'CONNECTING_TOO_FAST' });
    expect(await fourth.closed).toEqual({ code: 4030, reason: 'CONNECTING_TOO_FAST' });
    await kept[1]!.barrier();
    await (await relay.connect(OTHER)).barrier();
  });

  it('turns away connections over MAX_CONNECTIONS in all with RELAY_FULL 4031', async () => {
    const relay = await startTestRelay({ maxConnections: 2 });
    const first = await relay.connect();
    await relay.connect(OTHER);
    const third = await relay.connect({ localAddress: '127.0.0.3' });
    expect(await third.next('ERROR')).toMatchObject({ code: 'RELAY_FULL' });
    expect(await third.closed).toEqual({ code: 4031, reason: 'RELAY_FULL' });
    first.terminate();
    await first.closed;
    await (await relay.connect({ localAddress: '127.0.0.3' })).barrier();
  });

  it('cuts a handshake that stalls for HANDSHAKE_TIMEOUT_MS', async () => {
    const relay = await startTestRelay({ handshakeTimeoutMs: 300 });
    const { closed } = await stalledSocket(relay);
    await closed; // before the fix the relay held it for 60 s or more
    await (await relay.connect()).barrier();
  });

  it('drops handshakes over MAX_HANDSHAKES_PER_ADDRESS at once, and other addresses still get in', async () => {
    const relay = await startTestRelay({ maxHandshakesPerAddress: 2, handshakeTimeoutMs: 60_000 });
    const stalled = [await stalledSocket(relay), await stalledSocket(relay)];
    const third = await stalledSocket(relay);
    await third.closed;
    await expect(relay.connect()).rejects.toThrow();
    await (await relay.connect(OTHER)).barrier();
    const health = await fetchFrom(relay, '/healthz', '127.0.0.2');
    expect(health).toMatchObject({ status: 200 });
    // The stalled ones are still held (within their timeout), and when they go the address gets in.
    for (const { socket, closed } of stalled) {
      socket.destroy();
      await closed;
    }
    await (await relay.connect()).barrier();
  });

  it('drops handshakes over MAX_HANDSHAKES in all', async () => {
    const relay = await startTestRelay({ maxHandshakes: 2, maxHandshakesPerAddress: 1, handshakeTimeoutMs: 60_000 });
    await stalledSocket(relay, '127.0.0.1');
    await stalledSocket(relay, '127.0.0.2');
    const third = await stalledSocket(relay, '127.0.0.3');
    await third.closed;
  });
});

/** A plain HTTP GET from a chosen loopback address (fetch cannot choose one). */
async function fetchFrom(relay: TestRelay, path: string, localAddress: string): Promise<{ status: number }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(relay.httpUrl(path), { localAddress, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.once('error', reject);
    req.end();
  });
}
