// One client floods at ten times its rate limit while other rooms converse at a person's pace:
// prints the other rooms' delivery latency unloaded and under flood, and the ratio (DESIGN.md
// target: within 2x). The relay runs as its own process with its default limits (only
// MAX_CONNECTIONS_PER_ADDRESS is raised, since every client comes from 127.0.0.1). Loopback only;
// prints figures, asserts nothing.
//
// Two floods: small chat frames, and full-size ones (MAX_BODY_CHARS), because the rate limit counts
// frames, not bytes, and ws reads and checks a whole frame before the relay can refuse it.
//
// Env: BENCH_FLOOD_SECONDS (per phase, 8), BENCH_FLOOD_ROOMS (20), BENCH_FLOOD_ROOM_SIZE (5).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { MAX_BODY_CHARS } from '../src/shared/constants.ts';
import { newMessageId } from '../src/shared/message-id.ts';
import { DEFAULT_CONFIG } from '../relay/config.ts';
import { cpuMicros, fmt, ONE_HOST_LIMITS, percentile, sleep, spawnRelay, WireClient } from './bench-lib.ts';

const SECONDS = envInt('BENCH_FLOOD_SECONDS', 8);
const ROOMS = envInt('BENCH_FLOOD_ROOMS', 20);
const ROOM_SIZE = envInt('BENCH_FLOOD_ROOM_SIZE', 5);
/** Each conversing client sends one message every this many ms: a lively chat, far under the limit. */
const CHAT_INTERVAL_MS = 2_000;
const FLOOD_RATE = DEFAULT_CONFIG.ratePerSec * 10;
const FLOOD_LISTENERS = 4;

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const newRoomId = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
const body = (chars: number): string => 'A'.repeat(chars);

interface Phase { name: string; p50: number; p95: number; p99: number; delivered: number; expected: number; relayCpuPct: number; flood?: string }

async function main(): Promise<void> {
  // The flood is one connection against its own limit; per-address limits are bench-limits.ts's.
  const relay = await spawnRelay({ ...ONE_HOST_LIMITS, MAX_CONNECTIONS_PER_ADDRESS: String(ROOMS * ROOM_SIZE + FLOOD_LISTENERS + 16) });
  const sentAt = new Map<string, number>();
  let latencies: number[] = [];
  let delivered = 0;
  const chatters: { client: WireClient; room: string }[] = [];
  try {
    for (let r = 0; r < ROOMS; r++) {
      const room = newRoomId();
      for (let m = 0; m < ROOM_SIZE; m++) {
        const client = await WireClient.connect(relay.url);
        await client.join(room);
        client.onFrame = (frame, receivedAt) => {
          if (frame.type !== 'CHATMSG') return frame.type !== 'ERROR';
          const at = sentAt.get(frame.id);
          if (at !== undefined) {
            latencies.push(receivedAt - at);
            delivered++;
          }
          return true;
        };
        chatters.push({ client, room });
      }
    }
    console.log(
      `bench-flood: ${ROOMS} rooms of ${ROOM_SIZE} clients, each sending one message every ${CHAT_INTERVAL_MS / 1000} s; ` +
        `flood ${FLOOD_RATE} frames/s (10 x RATE_PER_SEC ${DEFAULT_CONFIG.ratePerSec}) into a room with ${FLOOD_LISTENERS} listeners; ${SECONDS} s per phase`,
    );

    /** The conversation: every client sends on its own schedule, spread evenly over the interval. */
    const converse = async (seconds: number): Promise<number> => {
      const started = performance.now();
      let sent = 0;
      const perMs = chatters.length / CHAT_INTERVAL_MS;
      while (performance.now() - started < seconds * 1000) {
        const due = Math.floor((performance.now() - started) * perMs) - sent;
        for (let i = 0; i < due; i++) {
          const { client, room } = chatters[sent % chatters.length]!;
          const id = newMessageId();
          sentAt.set(id, performance.now());
          client.send({ type: 'CHATMSG', room, id, body: body(160) });
          sent++;
        }
        await sleep(5);
      }
      return sent;
    };

    const measure = async (name: string, flood?: (seconds: number) => Promise<string>): Promise<Phase> => {
      latencies = [];
      delivered = 0;
      sentAt.clear();
      const cpuBefore = cpuMicros(relay.pid);
      const started = performance.now();
      const [sent, floodReport] = await Promise.all([converse(SECONDS), flood?.(SECONDS)]);
      await sleep(1_000);
      const relayCpuPct = ((cpuMicros(relay.pid) - cpuBefore) / 1e6 / ((performance.now() - started) / 1000)) * 100;
      const phase: Phase = {
        name,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        delivered,
        expected: sent * (ROOM_SIZE - 1),
        relayCpuPct,
        ...(floodReport === undefined ? {} : { flood: floodReport }),
      };
      console.log(
        `${name.padEnd(28)} other rooms: p50 ${fmt(phase.p50, 2)} ms, p95 ${fmt(phase.p95, 2)} ms, p99 ${fmt(phase.p99, 2)} ms; ` +
          `${phase.delivered}/${phase.expected} delivered; relay CPU ${fmt(relayCpuPct, 0)}%${floodReport === undefined ? '' : `; ${floodReport}`}`,
      );
      return phase;
    };

    /** The flooder runs in its own process, so its sending does not stall this one's clocks. */
    const flood = (bodyChars: number) => async (seconds: number): Promise<string> => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'flooder', relay.url, String(bodyChars), String(seconds)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return code === 0 ? output.trim() : `flooder failed with exit code ${code}`;
    };

    await converse(2); // warm-up
    const unloaded = await measure('unloaded');
    const small = await measure('flood, 160-char bodies', flood(160));
    const large = await measure(`flood, ${MAX_BODY_CHARS}-char bodies`, flood(MAX_BODY_CHARS));
    const again = await measure('unloaded again');
    for (const phase of [small, large]) {
      console.log(
        `${phase.name}: latency ratio flood/unloaded p50 ${fmt(phase.p50 / unloaded.p50, 2)}x, p95 ${fmt(phase.p95 / unloaded.p95, 2)}x, ` +
          `p99 ${fmt(phase.p99 / unloaded.p99, 2)}x (target within 2x)`,
      );
    }
    console.log(`unloaded again: p99 ${fmt(again.p99, 2)} ms (${fmt(again.p99 / unloaded.p99, 2)}x the first unloaded run: the noise floor)`);
  } finally {
    for (const { client } of chatters) client.close();
    await relay.stop();
  }
}

/** Child mode: a flooder with listeners in its room, raw sockets; prints one line of counts. */
async function flooder(url: string, bodyChars: number, seconds: number): Promise<void> {
  const room = newRoomId();
  const open = async (): Promise<WebSocket> => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('open', resolve));
    return socket;
  };
  const listeners = await Promise.all(Array.from({ length: FLOOD_LISTENERS }, open));
  let heard = 0;
  for (const listener of listeners) {
    listener.send(JSON.stringify({ type: 'GETROOM', room }));
    listener.on('message', (data) => {
      if (String(data).startsWith('{"type":"CHATMSG"')) heard++;
    });
  }
  const socket = await open();
  let limited = 0;
  let acked = 0;
  let closed: number | undefined;
  socket.on('message', (data) => {
    const text = String(data);
    if (text.includes('"RATE_LIMITED"')) limited++;
    else if (text.startsWith('{"type":"ACK"')) acked++;
  });
  socket.on('close', (code) => (closed = code));
  socket.send(JSON.stringify({ type: 'GETROOM', room }));
  await sleep(200);
  const text = body(bodyChars);
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < seconds * 1000 && closed === undefined) {
    const due = Math.floor(((performance.now() - started) / 1000) * FLOOD_RATE) - sent;
    for (let i = 0; i < due; i++, sent++) socket.send(`{"type":"CHATMSG","room":"${room}","id":"${newMessageId()}","body":"${text}"}`);
    await sleep(5);
  }
  const backlogMb = socket.bufferedAmount / 1024 / 1024;
  await sleep(500);
  for (const each of [socket, ...listeners]) each.terminate();
  process.stdout.write(
    `flooder queued ${sent} (${fmt(sent / seconds, 0)}/s), relay answered ${fmt((acked + limited) / seconds, 0)}/s: acked ${acked}, RATE_LIMITED ${limited}` +
      `${closed === undefined ? '' : `, closed ${closed}`}, ${fmt(backlogMb)} MB still unsent at the end; listeners got ${heard}\n`,
  );
}

if (process.argv[2] === 'flooder') await flooder(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
else await main();
