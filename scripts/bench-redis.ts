// The Redis figures of issue 9, measured in one run on loopback; prints, asserts nothing.
//
// (i) Cross-instance delivery latency: send -> receive p50/p95 for a sender and a receiver on one
//     SQLite relay (the default deployment), on one Redis-backed instance, and on two different
//     Redis-backed instances of one Redis; the p50 difference cross-instance minus single SQLite
//     relay is the issue's figure (target: under 1 ms). The kinds run interleaved over rounds, at
//     a light load (rooms of two), so the figure is the path's, not a queue's.
// (ii) Deliveries per second per core: clients in rooms of 10 spread over 1 and over 3 Redis-backed
//     instances (client i on instance i mod n, so every room spans every instance), next to the
//     single SQLite relay at the same load, and next to 3 instances with each room whole on one
//     instance (what spanning costs: every instance with a member of a room wakes for each of its
//     messages). CPU is utime + stime from /proc/<pid>/stat of every
//     relay process and of redis-server over a window of steady load; both "relays only" and
//     "relays + Redis" are printed.
//
// The clients live in this process, on the same cores as the servers: CPU per delivery is each
// server's own, but latency includes this process's scheduling.
//
// Env: BENCH_REDIS_ROUNDS (3), BENCH_REDIS_PAIRS (50), BENCH_REDIS_LATENCY_RATE (200 messages/s),
// BENCH_REDIS_LATENCY_SECONDS (2), BENCH_REDIS_CLIENTS (300), BENCH_REDIS_RATE (600 messages/s),
// BENCH_REDIS_SECONDS (5).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { newMessageId } from '../src/shared/message-id.ts';
import { RedisServer } from '../tests/redis/redis-server.ts';
import { cpuMicros, fmt, ONE_HOST_LIMITS, percentile, sleep, spawnRelay, type ServerProcess } from './bench-lib.ts';

const ROUNDS = envInt('BENCH_REDIS_ROUNDS', 3);
const PAIRS = envInt('BENCH_REDIS_PAIRS', 50);
const LATENCY_RATE = envInt('BENCH_REDIS_LATENCY_RATE', 200);
const LATENCY_SECONDS = envInt('BENCH_REDIS_LATENCY_SECONDS', 2);
const CLIENTS = envInt('BENCH_REDIS_CLIENTS', 300);
const RATE = envInt('BENCH_REDIS_RATE', 600);
const SECONDS = envInt('BENCH_REDIS_SECONDS', 5);
const ROOM_SIZE = 10;
/** A sealed one-line message, as in bench-relay-cpu.ts. */
const BODY = 'A'.repeat(160);

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** ERROR frames the relays sent, by code; a correct run has none. */
const relayErrors = new Map<string, number>();

interface Client {
  join(room: string): Promise<void>;
  send(room: string, id: string): void;
  close(): void;
}

async function connect(url: string, onChat: (id: string, at: number) => void): Promise<Client> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('close', (code) => reject(new Error(`${url} closed a new connection with ${code}`)));
  });
  let synced: (() => void) | undefined;
  socket.on('message', (data) => {
    const at = performance.now();
    const frame = JSON.parse(String(data)) as { type: string; id?: string; code?: string };
    if (frame.type === 'CHATMSG') onChat(frame.id!, at);
    else if (frame.type === 'SYNCED') synced?.();
    else if (frame.type === 'ERROR') relayErrors.set(frame.code ?? '?', (relayErrors.get(frame.code ?? '?') ?? 0) + 1);
  });
  return {
    join: (room) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SYNCED from ${url} within 10 s`)), 10_000);
      synced = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.send(JSON.stringify({ type: 'GETROOM', room }));
    }),
    send: (room, id) => socket.send(JSON.stringify({ type: 'CHATMSG', room, id, body: BODY })),
    close: () => socket.terminate(),
  };
}

const newRoomId = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');

/** Rooms of `size` clients, client i on urls[i mod urls.length]; times every delivery. */
class Load {
  readonly clients: Client[] = [];
  readonly rooms: string[] = [];
  readonly #inFlight = new Map<string, { at: number; left: number }>();
  delivered = 0;
  latencies: number[] = [];
  #next = 0;

  /** `placement`: client i on instance i mod n ('spread': every room spans every instance) or room r on instance r mod n. */
  constructor(readonly urls: readonly string[], readonly count: number, readonly size: number, readonly senders: 'all' | 'first', readonly placement: 'spread' | 'by room' = 'spread') {}

  #urlOf(i: number): string {
    const slot = this.placement === 'spread' ? i : Math.floor(i / this.size);
    return this.urls[slot % this.urls.length]!;
  }

  readonly #onChat = (id: string, at: number): void => {
    const entry = this.#inFlight.get(id);
    if (entry === undefined) return;
    this.delivered++;
    this.latencies.push(at - entry.at);
    if (--entry.left === 0) this.#inFlight.delete(id);
  };

  async open(): Promise<void> {
    for (let i = 0; i < this.count; i += 100) {
      const batch = Array.from({ length: Math.min(100, this.count - i) }, (_, j) => connect(this.#urlOf(i + j), this.#onChat));
      this.clients.push(...(await Promise.all(batch)));
    }
    for (let r = 0; r * this.size < this.count; r++) this.rooms.push(newRoomId());
    // A room's first member creates it; the others join once it exists everywhere.
    const first = this.clients.filter((_, i) => i % this.size === 0);
    await Promise.all(first.map((client, r) => client.join(this.rooms[r]!)));
    await Promise.all(this.clients.map((client, i) => (i % this.size === 0 ? undefined : client.join(this.rooms[Math.floor(i / this.size)]!))));
  }

  /** `rate` messages/s for `seconds`: round-robin over all clients, or over each room's first. */
  async run(rate: number, seconds: number): Promise<number> {
    const started = performance.now();
    const senders = this.senders === 'all' ? this.clients.length : this.rooms.length;
    let sent = 0;
    for (;;) {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= seconds) return sent;
      const due = Math.min(Math.floor(rate * elapsed) - sent, Math.ceil(rate / 50));
      for (let i = 0; i < due; i++) {
        const n = this.#next++ % senders;
        const index = this.senders === 'all' ? n : n * this.size;
        const roomIndex = Math.floor(index / this.size);
        const members = Math.min(this.size, this.count - roomIndex * this.size);
        const id = newMessageId();
        this.#inFlight.set(id, { at: performance.now(), left: members - 1 });
        this.clients[index]!.send(this.rooms[roomIndex]!, id);
        sent++;
      }
      await sleep(5);
    }
  }

  /** Waits until every message sent has reached every member, or `ms` passed. */
  async drain(ms = 2_000): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.#inFlight.size > 0 && performance.now() < deadline) await sleep(5);
  }

  reset(): void {
    this.delivered = 0;
    this.latencies = [];
  }

  async settle(ms = 500): Promise<void> {
    await sleep(ms);
    this.#inFlight.clear();
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}

const RELAY_ENV: Record<string, string> = {
  ...ONE_HOST_LIMITS,
  MAX_CONNECTIONS_PER_ADDRESS: String(CLIENTS + 2 * PAIRS + 100),
  RATE_PER_SEC: '10000', RATE_BURST: '10000', RATE_KB_PER_SEC: '1000000',
  IDLE_TIMEOUT_MS: '600000', LOG_LEVEL: 'info',
};

/** The middle value, or the mean of the two middle values. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Servers { sqlite: ServerProcess; redis: RedisServer; instances: ServerProcess[] }

async function latencyRound(urls: readonly string[]): Promise<{ p50: number; p95: number; delivered: number; sent: number }> {
  const load = new Load(urls, PAIRS * 2, 2, 'first');
  try {
    await load.open();
    await load.run(LATENCY_RATE, 0.5); // warm-up
    await load.settle(200);
    load.reset();
    const sent = await load.run(LATENCY_RATE, LATENCY_SECONDS);
    await load.settle();
    return { p50: percentile(load.latencies, 50), p95: percentile(load.latencies, 95), delivered: load.delivered, sent };
  } finally {
    load.close();
  }
}

async function throughputRound(urls: readonly string[], pids: readonly number[], redisPid: number | null, placement: 'spread' | 'by room'): Promise<{ relayUs: number; redisUs: number; delivered: number; wall: number; expected: number }> {
  const load = new Load(urls, CLIENTS, ROOM_SIZE, 'all', placement);
  try {
    await load.open();
    await load.run(RATE, 1); // warm-up
    await load.settle();
    load.reset();
    const relayBefore = pids.map(cpuMicros);
    const redisBefore = redisPid === null ? 0 : cpuMicros(redisPid);
    const started = performance.now();
    const sent = await load.run(RATE, SECONDS);
    // The CPU of the window's own deliveries, not of the next round's: read once they are all in.
    await load.drain();
    const wall = (performance.now() - started) / 1000;
    const relayUs = pids.map(cpuMicros).reduce((sum, us, i) => sum + us - relayBefore[i]!, 0);
    const redisUs = redisPid === null ? 0 : cpuMicros(redisPid) - redisBefore;
    const delivered = load.delivered;
    await load.settle();
    return { relayUs, redisUs, delivered, wall, expected: sent * (ROOM_SIZE - 1) };
  } finally {
    load.close();
  }
}

async function startServers(dir: string): Promise<Servers> {
  const sqlite = await spawnRelay({ ...RELAY_ENV, HISTORY_PATH: join(dir, 'relay.sqlite') });
  const redis = await RedisServer.start();
  const instances: ServerProcess[] = [];
  for (let i = 0; i < 3; i++) instances.push(await spawnRelay({ ...RELAY_ENV, REDIS_URL: redis.url }));
  return { sqlite, redis, instances };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-redis-'));
  console.log(
    `bench-redis: latency: ${PAIRS} rooms of 2, ${LATENCY_RATE} messages/s, ${LATENCY_SECONDS} s; throughput: ${CLIENTS} clients in rooms of ${ROOM_SIZE}, ` +
      `${RATE} messages/s (${RATE * (ROOM_SIZE - 1)} deliveries/s), ${SECONDS} s window; ${ROUNDS} rounds, kinds interleaved; ` +
      `load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`,
  );
  let servers: Servers | undefined;
  try {
    servers = await startServers(dir);
    const [a, b, c] = servers.instances as [ServerProcess, ServerProcess, ServerProcess];

    // (i) latency
    const latencyKinds = {
      'SQLite relay, same relay': [servers.sqlite.url],
      'Redis, same instance': [a.url],
      'Redis, two instances': [a.url, b.url],
    } as const;
    type LatencyKind = keyof typeof latencyKinds;
    const latency = new Map<LatencyKind, { p50: number; p95: number }[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [kind, urls] of Object.entries(latencyKinds) as [LatencyKind, readonly string[]][]) {
        const result = await latencyRound(urls);
        latency.set(kind, [...(latency.get(kind) ?? []), result]);
        console.log(`  round ${round} ${kind.padEnd(26)} p50 ${fmt(result.p50, 2)} ms, p95 ${fmt(result.p95, 2)} ms (${result.delivered} of ${result.sent} delivered)`);
      }
    }
    const p50Of = (kind: LatencyKind): number => median(latency.get(kind)!.map((r) => r.p50));
    for (const kind of Object.keys(latencyKinds) as LatencyKind[]) {
      console.log(`${kind.padEnd(26)} send->receive p50 ${fmt(p50Of(kind), 2)} ms, p95 ${fmt(median(latency.get(kind)!.map((r) => r.p95)), 2)} ms (medians over rounds)`);
    }
    console.log(`cross-instance on Redis adds ${fmt(p50Of('Redis, two instances') - p50Of('SQLite relay, same relay'), 2)} ms at p50 over one SQLite relay (target: under 1 ms); ` +
      `${fmt(p50Of('Redis, two instances') - p50Of('Redis, same instance'), 2)} ms over one Redis instance`);

    // (ii) deliveries per second per core
    const throughputKinds = {
      'SQLite relay': { urls: [servers.sqlite.url], pids: [servers.sqlite.pid], redis: null, placement: 'spread' },
      'Redis, 1 instance': { urls: [a.url], pids: [a.pid], redis: servers.redis.child!.pid!, placement: 'spread' },
      'Redis, 3 instances': { urls: [a.url, b.url, c.url], pids: [a.pid, b.pid, c.pid], redis: servers.redis.child!.pid!, placement: 'spread' },
      // Not what a load balancer does; shows what rooms spanning instances cost.
      'Redis, 3, rooms whole': { urls: [a.url, b.url, c.url], pids: [a.pid, b.pid, c.pid], redis: servers.redis.child!.pid!, placement: 'by room' },
    } as const;
    type ThroughputKind = keyof typeof throughputKinds;
    const throughput = new Map<ThroughputKind, { relay: number; all: number; redisUs: number; relayUs: number }[]>();
    for (let round = 1; round <= Math.min(ROUNDS, 2); round++) {
      for (const [kind, setup] of Object.entries(throughputKinds) as [ThroughputKind, (typeof throughputKinds)[ThroughputKind]][]) {
        const r = await throughputRound(setup.urls, setup.pids, setup.redis, setup.placement);
        const relay = r.delivered / (r.relayUs / 1e6);
        const all = r.delivered / ((r.relayUs + r.redisUs) / 1e6);
        throughput.set(kind, [...(throughput.get(kind) ?? []), { relay, all, relayUs: r.relayUs / r.delivered, redisUs: r.redisUs / r.delivered }]);
        console.log(
          `  round ${round} ${kind.padEnd(21)} ${r.delivered} delivered of ${r.expected} in ${fmt(r.wall)} s; relay CPU ${fmt(r.relayUs / 1e6 / r.wall * 100, 0)}%` +
            (setup.redis === null ? '' : `, redis-server CPU ${fmt(r.redisUs / 1e6 / r.wall * 100, 0)}%`) +
            `; ${fmt(relay, 0)} deliveries/s per core of relay CPU` + (setup.redis === null ? '' : `, ${fmt(all, 0)} with Redis's CPU counted`) +
            (r.delivered < r.expected * 0.95 ? ' (FELL BEHIND: not a figure at this load)' : ''),
        );
      }
    }
    for (const [kind, results] of throughput) {
      console.log(
        `${kind.padEnd(21)} ${fmt(median(results.map((r) => r.relay)), 0)} deliveries/s per core of relay CPU (${fmt(median(results.map((r) => r.relayUs)), 2)} us per delivery)` +
          (kind === 'SQLite relay' ? '' : `; ${fmt(median(results.map((r) => r.all)), 0)} per core of relay + redis-server CPU (Redis ${fmt(median(results.map((r) => r.redisUs)), 2)} us per delivery)`) +
          ' (medians over rounds)',
      );
    }
    if (relayErrors.size > 0) console.log(`relay ERROR frames during the load: ${[...relayErrors].map(([code, n]) => `${code} ${n}`).join(', ')}`);
  } finally {
    if (servers !== undefined) {
      await Promise.allSettled([servers.sqlite.stop(), ...servers.instances.map((s) => s.stop())]);
      await servers.redis.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
