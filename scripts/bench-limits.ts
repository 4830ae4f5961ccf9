// What a hostile client from one address costs the relay, at the relay's default limits: RSS per
// stalled reader, file descriptors under a handshake flood, and the bytes per second one address
// gets through with oversized frames and with reconnect churn, each next to the configured bound.
// The relay is its own process (relay/main.ts); only the rates of the client that fills history
// are raised, since filling is setup, not the attack. Loopback only; prints figures, asserts nothing.
//
// Env: BENCH_STALL_READERS (8), BENCH_STALL_ROOMS (8), BENCH_STALL_MESSAGES (40 per room),
// BENCH_HANDSHAKES (2000), BENCH_LIMITS_SECONDS (5 per flood); BENCH_LIMITS_ONLY picks one of
// oversized, churn, handshakes, turned-away, stalled.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DEFAULT_CONFIG } from '../relay/config.ts';
import { MAX_BODY_CHARS } from '../src/shared/constants.ts';
import { newMessageId } from '../src/shared/message-id.ts';
import { fmt, rssKb, sleep, spawnRelay, WireClient, type ServerProcess } from './bench-lib.ts';

const READERS = envInt('BENCH_STALL_READERS', 8);
const ROOMS = envInt('BENCH_STALL_ROOMS', 8);
const MESSAGES = envInt('BENCH_STALL_MESSAGES', 40);
const HANDSHAKES = envInt('BENCH_HANDSHAKES', 2000);
const SECONDS = envInt('BENCH_LIMITS_SECONDS', 5);
const C = DEFAULT_CONFIG;

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const newRoomId = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
const fds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
const mb = (kb: number): string => fmt(kb / 1024);
const kbps = (bytes: number, ms: number): string => fmt(bytes / 1024 / (ms / 1000), 0);

async function health(relay: ServerProcess): Promise<{ connections: number }> {
  return (await (await fetch(`${relay.httpUrl}/healthz`)).json()) as { connections: number };
}

/** A raw ws socket that stops reading right after the upgrade: the relay's writes pile up. */
function stalledReader(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('error', () => {});
    socket.once('open', () => {
      (socket as unknown as { _socket: Socket })._socket.pause();
      resolve(socket);
    });
    socket.once('close', (code) => reject(new Error(`closed with ${code} before opening`)));
  });
}

async function stalledReaders(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-limits-'));
  // A file, not :memory:, so the history's own bytes are not in the relay's RSS.
  const relay = await spawnRelay({
    HISTORY_PATH: join(dir, 'relay.sqlite'),
    RATE_PER_SEC: '100000', RATE_BURST: '100000', RATE_KB_PER_SEC: '10000000',
    ADDRESS_RATE_PER_SEC: '100000', ADDRESS_RATE_BURST: '100000', ADDRESS_RATE_KB_PER_SEC: '10000000',
  });
  try {
    const writer = await WireClient.connect(relay.url);
    const rooms = Array.from({ length: ROOMS }, newRoomId);
    const body = 'A'.repeat(MAX_BODY_CHARS);
    for (const room of rooms) {
      await writer.join(room);
      for (let i = 0; i < MESSAGES; i++) {
        writer.send({ type: 'CHATMSG', room, id: newMessageId(), body });
        await writer.next('ACK', 30_000);
      }
    }
    await sleep(1_000);
    const beforeKb = rssKb(relay.pid);
    const started = performance.now();
    const readers = await Promise.all(Array.from({ length: READERS }, () => stalledReader(relay.url)));
    for (const reader of readers) for (const room of rooms) reader.send(JSON.stringify({ type: 'GETROOM', room }));
    let peakKb = beforeKb;
    let cutMs = Number.NaN;
    while (performance.now() - started < 60_000) {
      peakKb = Math.max(peakKb, rssKb(relay.pid));
      if ((await health(relay)).connections <= 1) {
        cutMs = performance.now() - started;
        break;
      }
      await sleep(100);
    }
    const historyMb = (ROOMS * MESSAGES * MAX_BODY_CHARS) / 1024 / 1024;
    console.log(
      `stalled readers: ${READERS} readers from one address, each joining ${ROOMS} rooms of ${MESSAGES} full-size messages ` +
        `(${fmt(historyMb)} MB of history each would replay) and never reading`,
    );
    console.log(
      `  relay RSS ${mb(beforeKb)} MB before, ${mb(peakKb)} MB at peak: ${mb((peakKb - beforeKb) / READERS)} MB per stalled reader ` +
        `(bound: MAX_BUFFERED_KB ${C.maxBufferedKb} KB per socket, ADDRESS_MAX_BUFFERED_KB ${C.addressMaxBufferedKb} KB per address, plus kernel socket buffers)`,
    );
    console.log(`  all readers cut after ${fmt(cutMs / 1000)} s (STALL_TIMEOUT_MS ${C.stallTimeoutMs}, IDLE_TIMEOUT_MS ${C.idleTimeoutMs})`);
    for (const reader of readers) reader.terminate();
    writer.close();
  } finally {
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** GET from a chosen loopback address: the status, or what went wrong within 3 s. */
function httpStatus(url: string, localAddress: string): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { localAddress, agent: false, timeout: 3_000 }, (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode}`);
    });
    req.once('timeout', () => req.destroy(new Error('no answer within 3 s')));
    req.once('error', (error) => resolve(`refused (${error.message})`));
    req.end();
  });
}

async function handshakeFlood(): Promise<void> {
  const relay = await spawnRelay({});
  const port = new URL(relay.url).port;
  const sockets: Socket[] = [];
  try {
    const beforeFds = fds(relay.pid);
    let peakFds = beforeFds;
    let connected = 0;
    const opened = Promise.all(Array.from({ length: HANDSHAKES }, () => new Promise<void>((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port: Number(port) });
      sockets.push(socket);
      socket.on('error', () => {});
      socket.once('connect', () => {
        connected++;
        resolve();
      });
      socket.once('close', () => resolve());
    })));
    // SYNs beyond the listen backlog are retried by the kernel for minutes; sample meanwhile.
    const floodStarted = performance.now();
    let settled = false;
    void opened.then(() => (settled = true));
    while (!settled && performance.now() - floodStarted < 10_000) {
      peakFds = Math.max(peakFds, fds(relay.pid));
      await sleep(100);
    }
    const fromFlooder = await httpStatus(`${relay.httpUrl}/healthz`, '127.0.0.1');
    const fromOther = await httpStatus(`${relay.httpUrl}/healthz`, '127.0.0.2');
    await sleep(C.handshakeTimeoutMs + 1_000);
    const afterFds = fds(relay.pid);
    console.log(`handshake flood: ${HANDSHAKES} TCP connections from one address that never send a byte`);
    console.log(
      `  relay descriptors ${beforeFds} before, ${peakFds} at peak (+${peakFds - beforeFds} for the address; ` +
        `MAX_HANDSHAKES_PER_ADDRESS ${C.maxHandshakesPerAddress}, MAX_HANDSHAKES ${C.maxHandshakes}), ${afterFds} after ${C.handshakeTimeoutMs + 1_000} ms ` +
        `(HANDSHAKE_TIMEOUT_MS ${C.handshakeTimeoutMs}); ${connected} of them completed the TCP handshake`,
    );
    console.log(`  /healthz during the flood: from the flooding address ${fromFlooder}, from another address (127.0.0.2) ${fromOther}`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await relay.stop();
  }
}

const UPGRADE = [
  'GET / HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', '',
].join('\r\n');

/**
 * One address whose connection budget is used up keeps 16 upgrades in flight and never answers the
 * relay's close: how many turned-away sockets (and descriptors) the relay holds for it.
 */
async function turnedAwayFlood(label: string, env: Record<string, string>, open: number): Promise<void> {
  const relay = await spawnRelay(env);
  const port = Number(new URL(relay.url).port);
  const kept: WebSocket[] = [];
  const sockets = new Set<Socket>();
  try {
    for (let i = 0; i < open; i++) {
      kept.push(await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(relay.url, { perMessageDeflate: false });
        socket.on('error', () => {});
        socket.once('open', () => resolve(socket));
        socket.once('close', (code) => reject(new Error(`setup connection closed with ${code}`)));
      }));
    }
    const beforeFds = fds(relay.pid);
    let peakFds = beforeFds;
    let upgraded = 0;
    let dropped = 0;
    let heldNow = 0;
    let peakHeld = 0;
    const started = performance.now();
    const attempt = (): Promise<void> => new Promise((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port });
      sockets.add(socket);
      let text = '';
      let held = false;
      socket.on('error', () => {});
      socket.once('connect', () => socket.write(UPGRADE));
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (held || !text.includes('101 Switching Protocols')) return;
        held = true;
        upgraded++;
        peakHeld = Math.max(peakHeld, ++heldNow);
        resolve(); // the next attempt starts; this one is kept, never answering the close
      });
      socket.once('close', () => {
        sockets.delete(socket);
        if (held) heldNow--;
        else dropped++;
        resolve();
      });
    });
    const worker = async (): Promise<void> => {
      while (performance.now() - started < SECONDS * 1000) await attempt();
    };
    const workers = Promise.all(Array.from({ length: 16 }, worker));
    let done = false;
    void workers.then(() => (done = true));
    while (!done) {
      peakFds = Math.max(peakFds, fds(relay.pid));
      await sleep(50);
    }
    const elapsed = performance.now() - started;
    console.log(
      `turned-away flood (${label}): ${open} connections open, then 16 upgrades at a time for ${fmt(elapsed / 1000)} s that never answer the close`,
    );
    console.log(
      `  ${upgraded} upgraded and turned away, ${dropped} dropped before any upgrade; at most ${peakHeld} turned-away sockets open at once ` +
        `(MAX_HANDSHAKES_PER_ADDRESS ${C.maxHandshakesPerAddress}); relay descriptors ${beforeFds} before, ${peakFds} at peak ` +
        `(+${peakFds - beforeFds} for the flood)`,
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    for (const socket of kept) socket.terminate();
    await relay.stop();
  }
}

/** Oversized frames (over MAX_FRAME_KB, under the hard cap) as fast as the socket takes them. */
async function oversizedFlood(connections: number): Promise<void> {
  const relay = await spawnRelay({});
  try {
    const size = Math.floor((C.maxFrameKb * 1024 + C.frameHardCapKb * 1024) / 2);
    const frame = `{"type":"PING","t":1,"pad":"${'x'.repeat(size - 30)}"}`;
    let answered = 0;
    const clients = await Promise.all(Array.from({ length: connections }, () => WireClient.connect(relay.url)));
    for (const client of clients) {
      client.onFrame = (f) => {
        if (f.type === 'ERROR') answered++;
        return true;
      };
    }
    const started = performance.now();
    while (performance.now() - started < SECONDS * 1000) {
      for (const client of clients) if (client.socket.bufferedAmount < 4 * size) client.sendRaw(frame);
      await sleep(1);
    }
    const elapsed = performance.now() - started;
    const bound = connections === 1 ? `RATE_KB_PER_SEC ${C.rateKbPerSec}` : `ADDRESS_RATE_KB_PER_SEC ${C.addressRateKbPerSec}`;
    console.log(
      `oversized frames, ${connections} connection(s) from one address, ${fmt(size / 1024, 0)} KB frames (MAX_FRAME_KB ${C.maxFrameKb}, ` +
        `FRAME_HARD_CAP_KB ${C.frameHardCapKb}): ${kbps(answered * size, elapsed)} KB/s read and answered vs ${bound} KB/s ` +
        `(plus one burst of ${fmt(Math.max(C.rateKbPerSec, 2 * C.maxFrameKb), 0)} KB over ${fmt(elapsed / 1000)} s)`,
    );
    for (const client of clients) client.close();
  } finally {
    await relay.stop();
  }
}

/** Connect, join, store full-size messages until refused or slowed, disconnect, again. */
async function reconnectChurn(parallel: number): Promise<void> {
  const relay = await spawnRelay({});
  try {
    const room = newRoomId();
    const body = 'A'.repeat(MAX_BODY_CHARS);
    let stored = 0;
    let turnedAway = 0;
    let connections = 0;
    const started = performance.now();
    const churn = async (): Promise<void> => {
      while (performance.now() - started < SECONDS * 1000) {
        let client: WireClient;
        try {
          client = await WireClient.connect(relay.url);
        } catch {
          turnedAway++;
          continue;
        }
        connections++;
        const closed = client.closed.then(() => 'closed' as const);
        const joined = await Promise.race([client.join(room).then(() => 'joined' as const), closed]);
        if (joined === 'closed') {
          turnedAway++;
          await sleep(50);
          continue;
        }
        // Two full-size frames fill a fresh connection's byte burst: the most a reconnect could gain.
        for (let i = 0; i < 2; i++) client.send({ type: 'CHATMSG', room, id: newMessageId(), body });
        for (let i = 0; i < 2; i++) {
          const ack = await Promise.race([client.next('ACK', 10_000).then(() => true, () => false), closed.then(() => false)]);
          if (ack) stored += body.length;
        }
        client.close();
      }
    };
    await Promise.all(Array.from({ length: parallel }, churn));
    const elapsed = performance.now() - started;
    console.log(
      `reconnect churn, ${parallel} in parallel from one address: ${kbps(stored, elapsed)} KB/s stored over ${connections} connections ` +
        `(${turnedAway} turned away) vs ADDRESS_RATE_KB_PER_SEC ${C.addressRateKbPerSec} KB/s (RATE_KB_PER_SEC ${C.rateKbPerSec} per connection; ` +
        `ADDRESS_CONNECT_BURST ${C.addressConnectBurst}, ADDRESS_CONNECTS_PER_MIN ${C.addressConnectsPerMin})`,
    );
  } finally {
    await relay.stop();
  }
}

async function main(): Promise<void> {
  console.log('bench-limits: default relay limits, clients on 127.0.0.1; figures only');
  const only = process.env.BENCH_LIMITS_ONLY;
  if (only === undefined || only === 'oversized') {
    await oversizedFlood(1);
    await oversizedFlood(8);
  }
  if (only === undefined || only === 'churn') await reconnectChurn(8);
  if (only === undefined || only === 'handshakes') await handshakeFlood();
  if (only === undefined || only === 'turned-away') {
    // Defaults: the 64 connections take the whole connect burst, so the flood is over the rate.
    await turnedAwayFlood('over the connect rate, defaults', {}, C.maxConnectionsPerAddress);
    // A connect rate that never binds: every upgrade is turned away with TOO_MANY_CONNECTIONS.
    await turnedAwayFlood(
      'at MAX_CONNECTIONS_PER_ADDRESS, connect rate raised',
      { ADDRESS_CONNECT_BURST: '1000000', ADDRESS_CONNECTS_PER_MIN: '1000000' },
      C.maxConnectionsPerAddress,
    );
  }
  if (only === undefined || only === 'stalled') await stalledReaders();
}

await main();
