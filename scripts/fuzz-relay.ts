// `npm run fuzz`: throws FUZZ_FRAMES malformed frames at a real relay process over several
// connections and checks that each one gets the typed ERROR that docs/protocol.md predicts (through
// scripts/fuzz-oracle.ts, written from the document, never from the codec), or the one the handlers
// give a frame for a room it never joined, then that the relay is still up, healthy,
// still relays a normal conversation correctly, counted the same errors, has not grown its memory
// beyond a bound, and stops cleanly. Exits non-zero on any failure.
//
// The relay runs as its own process (relay/main.ts, as `npm run relay` runs it) so a crash is a
// crash and its RSS is its own. Its rate limit is raised, since the point is that frames get
// processed, not that they get RATE_LIMITED; every other limit is the default.
//
// Env: FUZZ_FRAMES (default 20000; .ci/run sets 100000), FUZZ_SEED (default random; printed so a
// failure can be replayed), FUZZ_CONNECTIONS (default 8), FUZZ_RSS_BOUND_MB (default 64). The first
// and last lines say how many frames ran and where that number came from.
import { connect as tcpConnect } from 'node:net';
import { oracle } from './fuzz-oracle.ts';
import { BASE32_ALPHABET, DEFAULT_MAX_FRAME_KB, KEEPALIVE_INTERVAL_MS, MAX_BODY_CHARS } from '../src/shared/constants.ts';
import { newMessageId } from '../src/shared/message-id.ts';
import type { ClientToRelay, ErrorCode, RelayToClient } from '../src/shared/protocol.ts';
import { DEFAULT_CONFIG } from '../relay/config.ts';
import { fmt, isAlive, ONE_HOST_LIMITS, rssKb, sleep, spawnRelay, WireClient, type ServerProcess } from './bench-lib.ts';

const DEFAULT_FRAMES = 20_000;
const FRAMES = envInt('FUZZ_FRAMES', DEFAULT_FRAMES);
const FRAMES_SOURCE = process.env.FUZZ_FRAMES ? `FUZZ_FRAMES=${process.env.FUZZ_FRAMES}` : `the default; FUZZ_FRAMES was not set`;
const SEED = envInt('FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
const CONNECTIONS = envInt('FUZZ_CONNECTIONS', 8);
const RSS_BOUND_MB = envInt('FUZZ_RSS_BOUND_MB', 64);
/** Frames in flight per connection: enough to keep the relay busy, few enough to bound buffers. */
const WINDOW = 32;
/** No answer for this long while frames are outstanding means the relay lost some. */
const STALL_MS = 15_000;
const MAX_CHARS = DEFAULT_MAX_FRAME_KB * 1024;
const HARD_CAP_BYTES = DEFAULT_CONFIG.frameHardCapKb * 1024;
/** The relay's default MAX_ROOMS_PER_CONNECTION: each fuzz connection fills it up. */
const ROOMS_PER_CONNECTION = 32;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer; got ${raw}`);
  return value;
}

// ---- seeded randomness -----------------------------------------------------------------------

let state = SEED >>> 0;
/** mulberry32: small, fast, and the same sequence for the same FUZZ_SEED. */
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}
const int = (max: number): number => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const chance = (p: number): boolean => random() < p;
const charsFrom = (alphabet: string, length: number): string => {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)];
  return out;
};
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const roomId = (): string => charsFrom(BASE64URL, 43);
const peerId = (): string => `p${charsFrom(BASE32_ALPHABET, 16)}`;
const body = (): string => charsFrom(BASE64URL, 1 + int(120));
const messageId = (): string => newMessageId(int(2 ** 40));

/** Any code point, weighted towards the ones parsers trip on; lone surrogates included. */
function randomText(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const kind = int(6);
    if (kind === 0) out += String.fromCharCode(int(0x20));
    else if (kind === 1) out += pick(['{', '}', '[', ']', '"', ':', ',', '\\', '\\u', 'e', '-', '0']);
    else if (kind === 2) out += String.fromCharCode(0xd800 + int(0x800));
    else if (kind === 3) out += String.fromCodePoint(0x10000 + int(0xfffff));
    else if (kind === 4) out += String.fromCharCode(0x80 + int(0xff80));
    else out += String.fromCharCode(0x20 + int(0x5f));
  }
  return out;
}

function randomJsonValue(depth = 0): unknown {
  const kind = int(depth > 2 ? 5 : 7);
  if (kind === 0) return null;
  if (kind === 1) return chance(0.5);
  if (kind === 2) return pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER, random() * 1e6]);
  if (kind === 3) return randomText(int(20));
  if (kind === 4) return pick(['', 'offer', 'GETROOM', roomId(), peerId(), messageId()]);
  if (kind === 5) return Array.from({ length: int(4) }, () => randomJsonValue(depth + 1));
  return Object.fromEntries(Array.from({ length: int(4) }, () => [randomText(int(6)), randomJsonValue(depth + 1)]));
}

// ---- hostile frames --------------------------------------------------------------------------

/** A well-formed client frame; fuzz connections join no room, so each is refused by a handler or the codec. */
function validFrame(): Record<string, unknown> {
  switch (int(6)) {
    case 0: return { type: 'GETROOM', room: roomId(), since: int(100) };
    case 1: return { type: 'ENTERROOM', room: roomId() };
    case 2: return { type: 'LEAVE', room: roomId() };
    case 3: return { type: 'CHATMSG', room: roomId(), id: messageId(), body: body() };
    case 4: return { type: 'SIGNAL', room: roomId(), to: peerId(), kind: pick(['offer', 'answer', 'candidate']), body: body() };
    default: return { type: 'PING', t: int(1e9) };
  }
}

/** Field values that look right and are not. */
const NEAR_MISSES: Record<string, () => unknown> = {
  room: () => pick([charsFrom(BASE64URL, 42), charsFrom(BASE64URL, 44), `${charsFrom(BASE64URL, 42)}=`, `${charsFrom(BASE64URL, 42)}+`, `${charsFrom(BASE64URL, 42)}/`, '', 43]),
  id: () => pick([charsFrom(BASE32_ALPHABET, 25), charsFrom(BASE32_ALPHABET, 27), `${charsFrom(BASE32_ALPHABET, 25)}${pick(['I', 'L', 'O', 'U', 'a'])}`, messageId().toLowerCase()]),
  body: () => pick(['', `${body()}=`, `${body()}+`, `${body()}/`, ' ', body().replace(/./, '.')]),
  to: () => pick([`p${charsFrom(BASE32_ALPHABET, 15)}`, `P${charsFrom(BASE32_ALPHABET, 16)}`, `p${charsFrom(BASE32_ALPHABET, 15)}U`, peerId() + 'A']),
  kind: () => pick(['Offer', 'ANSWER', 'candidates', '', 'pranswer', 0]),
  since: () => pick([-1, 1.5, '5', null, 2 ** 53, -0.5, true]),
  t: () => pick([-1, 1.5, '5', null, 2 ** 53, 1e21, [], {}]),
};

const encode = (frame: Record<string, unknown>): string => JSON.stringify(frame);

/** `rooms`: the rooms the sending connection is in (as many as MAX_ROOMS_PER_CONNECTION allows). */
type Generator = (rooms: readonly string[]) => { data: string | Buffer; label: string };

const GENERATORS: [weight: number, generate: Generator][] = [
  [5, () => ({ data: Buffer.from(Array.from({ length: int(512) }, () => int(256))), label: 'binary' })],
  [10, () => ({ data: randomText(int(300)), label: 'random text' })],
  [10, () => {
    const text = encode(validFrame());
    return { data: text.slice(0, int(text.length)), label: 'truncated' };
  }],
  [12, () => {
    const frame = validFrame();
    const keys = Object.keys(frame);
    frame[pick(keys)] = randomJsonValue();
    return { data: encode(frame), label: 'wrong field type' };
  }],
  [8, () => {
    const number = pick(['1e400', '-1e400', '9007199254740993', '-1', '1.5', '1e21', '0.0000001', '123456789012345678901234567890', '-0.0', '1E2']);
    return { data: pick([`{"type":"PING","t":${number}}`, `{"type":"GETROOM","room":"${roomId()}","since":${number}}`]), label: 'huge number' };
  }],
  [3, () => {
    // Deep ones stay within the hard cap (6 characters a level at most), so they are answered, not cut.
    const depth = chance(0.9) ? 1 + int(2_000) : 5_000 + int(Math.floor((HARD_CAP_BYTES - 100) / 6) - 5_000);
    const [open, close] = chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
    const nested = `${open.repeat(depth)}${chance(0.5) ? '1' : ''}${close.repeat(depth)}`;
    return { data: chance(0.5) ? nested : `{"type":"${pick(['GETROOM', 'CHATMSG', 'PING'])}","room":${nested}}`, label: 'deep nesting' };
  }],
  [8, () => {
    const type = pick(['ROOM', 'ACK', 'ERROR', 'PONG', 'getroom', 'GETROOM ', '__proto__', 'constructor', 'hasOwnProperty', '', randomText(int(150))]);
    return { data: encode({ ...validFrame(), type }), label: 'unknown type' };
  }],
  [4, () => ({ data: pick(['null', '[]', '"GETROOM"', '42', 'true', '{}', '{"type":5}', '{"type":null}', '{"type":["PING"]}', '{"Type":"PING","t":1}', '']), label: 'not a frame' })],
  [15, () => {
    const frame = validFrame();
    const keys = Object.keys(frame).filter((key) => key in NEAR_MISSES);
    if (keys.length === 0) return { data: encode({ ...frame, t: NEAR_MISSES.t!() }), label: 'bad field' };
    const key = pick(keys);
    frame[key] = NEAR_MISSES[key]!();
    return { data: encode(frame), label: 'bad field' };
  }],
  [8, () => {
    // Valid frames for a room this connection is not in: the codec passes them, a handler refuses.
    const frame = pick([
      { type: 'CHATMSG', room: roomId(), id: messageId(), body: body() },
      { type: 'LEAVE', room: roomId() },
      { type: 'SIGNAL', room: roomId(), to: peerId(), kind: 'offer', body: body() },
    ]);
    return { data: encode(frame), label: 'not in room' };
  }],
  [5, () => {
    // Keys that mean something elsewhere, prototype names, and a duplicate type (the last one wins).
    const text = encode({ type: 'CHATMSG', room: roomId(), id: messageId(), body: body() }).slice(0, -1);
    const extra = pick([
      `,"from":"${peerId()}","seq":1,"at":0`,
      ',"__proto__":{"type":"PING"}',
      ',"constructor":{"prototype":{}}',
      ',"type":"PING"',
      ',"type":"CHATMSG"',
      `,"body":"${'A'.repeat(MAX_BODY_CHARS + 1)}"`,
    ]);
    return { data: `${text}${extra}}`, label: 'extra keys' };
  }],
  [8, (rooms) => {
    // Frames about rooms the connection is in: handler refusals, and bad fields next to good ones.
    const room = pick(rooms);
    const frame = pick<Record<string, unknown>>([
      { type: 'SIGNAL', room, to: peerId(), kind: pick(['offer', 'answer', 'candidate']), body: body() },
      { type: 'GETROOM', room: roomId() },
      { type: 'CHATMSG', room, id: NEAR_MISSES.id!(), body: body(), from: peerId() },
      { type: 'CHATMSG', room, id: messageId(), body: NEAR_MISSES.body!(), seq: 1 },
      { type: 'SIGNAL', room, to: NEAR_MISSES.to!(), kind: 'offer', body: body() },
      { type: 'LEAVE', room: NEAR_MISSES.room!() },
    ]);
    return { data: encode(frame), label: 'in own room' };
  }],
  [0.3, () => {
    // Over MAX_FRAME_KB but under the hard cap: read, and answered with FRAME_TOO_LARGE.
    // The whole frame, envelope included, is from MAX_CHARS + 1 to HARD_CAP_BYTES characters.
    const [head, tail] = [`{"type":"CHATMSG","room":"${roomId()}","id":"${messageId()}","body":"`, '"}'];
    const length = MAX_CHARS + 1 + int(HARD_CAP_BYTES - MAX_CHARS);
    return { data: `${head}${'A'.repeat(length - head.length - tail.length)}${tail}`, label: 'oversized' };
  }],
];
const TOTAL_WEIGHT = GENERATORS.reduce((sum, [weight]) => sum + weight, 0);

interface Expected { code: ErrorCode; ref: string | undefined; room: string | undefined; label: string; sample: string }

/** The answer the relay must give, or null for a frame it would accept (such a frame is not sent). */
function predict(data: string | Buffer, label: string, rooms: readonly string[]): Expected | null {
  const sample = typeof data === 'string' ? data.slice(0, 120) : `<${data.length} binary bytes>`;
  const expect = (code: ErrorCode, ref?: string, room?: string): Expected => ({ code, ref, room, label, sample });
  if (typeof data !== 'string') return expect('BINARY_FRAME');
  // ws sends a string as UTF-8, turning lone surrogates into U+FFFD: predict on what arrives.
  const arrives = Buffer.from(data, 'utf8').toString('utf8');
  const verdict = oracle(arrives, MAX_CHARS);
  if (!verdict.ok) return expect(verdict.code, verdict.ref);
  const frame = verdict.frame as unknown as ClientToRelay;
  const member = 'room' in frame && rooms.includes(frame.room);
  switch (frame.type) {
    case 'CHATMSG':
    case 'LEAVE':
    case 'EPHEMERAL':
      return member ? null : expect('NOT_IN_ROOM', frame.type, frame.room);
    case 'SIGNAL':
      // Peer ids are 80 random bits: a made-up one is never a member.
      return expect(member ? 'NO_SUCH_PEER' : 'NOT_IN_ROOM', frame.type, frame.room);
    case 'GETROOM':
      return member || rooms.length < ROOMS_PER_CONNECTION ? null : expect('TOO_MANY_ROOMS', frame.type, frame.room);
    case 'ENTERROOM':
    case 'PING':
      return null;
  }
}

function nextHostileFrame(rooms: readonly string[]): { data: string | Buffer; expected: Expected } {
  for (;;) {
    let roll = random() * TOTAL_WEIGHT;
    const generate = GENERATORS.find(([weight]) => (roll -= weight) < 0)?.[1] ?? GENERATORS[0]![1];
    const { data, label } = generate(rooms);
    const expected = predict(data, label, rooms);
    if (expected !== null) return { data, expected };
  }
}

// ---- the run ---------------------------------------------------------------------------------

const checks: { name: string; ok: boolean; detail: string }[] = [];
function check(name: string, ok: boolean, detail = ''): void {
  checks.push({ name, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail === '' ? '' : `: ${detail}`}`);
}

interface FuzzStats {
  sent: number;
  answered: number;
  mismatches: string[];
  unexpected: string[];
  byCode: Map<string, number>;
  byLabel: Map<string, number>;
}

/** One connection's share: keeps WINDOW frames in flight, matches each ERROR to its frame in order. */
async function fuzzConnection(relay: ServerProcess, quota: number, stats: FuzzStats, onProgress: () => void): Promise<string | null> {
  // A listener shares every room with the fuzzing connection: none of its frames may reach it.
  const listener = await WireClient.connect(relay.url);
  const client = await WireClient.connect(relay.url);
  const rooms = Array.from({ length: ROOMS_PER_CONNECTION }, roomId);
  for (const room of rooms) await listener.join(room);
  for (const room of rooms) {
    await client.join(room);
    await listener.next('JOINED');
  }
  // The listener says nothing else, so it keeps alive as the extension does, whatever the run's length.
  const keepalive = setInterval(() => listener.send({ type: 'PING', t: 0 }), KEEPALIVE_INTERVAL_MS);
  const heard: string[] = [];
  listener.onFrame = (frame) => {
    if (frame.type === 'PONG') return frame.t === 0; // keepalive answers are consumed here
    heard.push(`${frame.type} ${JSON.stringify(frame).slice(0, 100)}`);
    return true;
  };
  const pending: Expected[] = [];
  let wake: (() => void) | undefined;
  let lastAnswerAt = performance.now();
  client.onFrame = (frame: RelayToClient) => {
    lastAnswerAt = performance.now();
    const expected = pending.shift();
    if (frame.type !== 'ERROR' || expected === undefined) {
      stats.unexpected.push(`${frame.type} ${JSON.stringify(frame).slice(0, 160)}`);
    } else {
      stats.answered++;
      stats.byCode.set(frame.code, (stats.byCode.get(frame.code) ?? 0) + 1);
      const refOk = expected.ref === undefined || frame.ref === expected.ref;
      if (frame.code !== expected.code || !refOk || frame.room !== expected.room) {
        stats.mismatches.push(
          `${expected.label}: expected ${expected.code}/${expected.ref ?? '-'}/${expected.room ?? '-'}, ` +
            `got ${frame.code}/${frame.ref ?? '-'}/${frame.room ?? '-'} for ${JSON.stringify(expected.sample)}`,
        );
      }
      onProgress();
    }
    wake?.();
    return true;
  };
  let closedEarly: string | null = null;
  void client.closed.then(({ code }) => {
    closedEarly = `closed with ${code}`;
    wake?.();
  });

  for (let sent = 0; sent < quota || pending.length > 0;) {
    if (closedEarly !== null) {
      clearInterval(keepalive);
      return closedEarly;
    }
    if (sent < quota && pending.length < WINDOW) {
      const { data, expected } = nextHostileFrame(rooms);
      pending.push(expected);
      stats.byLabel.set(expected.label, (stats.byLabel.get(expected.label) ?? 0) + 1);
      client.sendRaw(data);
      stats.sent++;
      sent++;
      // Let the socket write now and then, so generation does not starve the event loop.
      if (sent % WINDOW === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      continue;
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 1_000);
    });
    wake = undefined;
    if (pending.length > 0 && performance.now() - lastAnswerAt > STALL_MS) {
      clearInterval(keepalive);
      client.close();
      listener.close();
      return `${pending.length} frames unanswered after ${STALL_MS} ms (first: ${pending[0]!.label})`;
    }
  }
  clearInterval(keepalive);
  listener.send({ type: 'PING', t: 1 });
  await listener.next('PONG');
  client.close();
  listener.close();
  if (client.invalidFrames + listener.invalidFrames > 0) return 'the relay sent frames that fail the codec';
  if (heard.length > 0) return `a room member heard ${heard.length} frames, e.g. ${heard.slice(0, 2).join(' | ')}`;
  return null;
}

/** Connections that must be closed by the protocol itself: invalid UTF-8 (1007), over the hard cap (1009). */
async function closers(relay: ServerProcess): Promise<void> {
  const expectClose = async (label: string, expectedCode: number, send: (client: WireClient) => void, count: number) => {
    const codes: number[] = [];
    for (let i = 0; i < count; i++) {
      const client = await WireClient.connect(relay.url);
      send(client);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ code: number }>((resolve) => {
        timer = setTimeout(() => resolve({ code: -1 }), 10_000);
      });
      codes.push((await Promise.race([client.closed, timeout])).code);
      clearTimeout(timer);
      client.close();
    }
    const wrong = codes.filter((code) => code !== expectedCode);
    check(`${label} closes with ${expectedCode}`, wrong.length === 0, `${count} connections${wrong.length > 0 ? `, got ${wrong.join(',')}` : ''}`);
  };
  await expectClose('invalid UTF-8 text', 1007, (client) => {
    client.sendRaw(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]), false);
  }, 10);
  await expectClose('a frame over the hard cap', 1009, (client) => client.sendRaw('A'.repeat(HARD_CAP_BYTES + 1)), 3);

  // Raw TCP garbage, a bad upgrade, half a request: the HTTP layer must drop them without harm.
  const garbage = [
    Buffer.from(Array.from({ length: 2048 }, () => int(256))),
    Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: nope\r\n\r\n'),
    Buffer.from(`GET /${'a'.repeat(100_000)} HTTP/1.1\r\n`),
    Buffer.from('POST /healthz HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\nxx'),
  ];
  const port = Number(new URL(relay.httpUrl).port);
  let dropped = 0;
  for (const payload of garbage) {
    await new Promise<void>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1', () => socket.write(payload));
      socket.on('error', () => {});
      socket.on('data', () => {});
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 3_000);
      socket.on('close', () => {
        clearTimeout(timer);
        dropped++;
        resolve();
      });
      // A request the server answers and keeps alive is fine too: end our side so it can close.
      setTimeout(() => socket.end(), 500);
    });
  }
  check('raw TCP garbage is dropped', dropped === garbage.length, `${dropped}/${garbage.length} sockets closed`);
}

/** Two clients meet in a room and talk, as the extension would. */
async function conversation(relay: ServerProcess): Promise<string | null> {
  const [alice, bob] = [await WireClient.connect(relay.url), await WireClient.connect(relay.url)];
  try {
    const room = roomId();
    const created = await alice.join(room, 'GETROOM');
    if (!created.created || created.head !== 0) return `GETROOM: ${JSON.stringify(created)}`;
    const entered = await bob.join(room, 'ENTERROOM');
    if (entered.members.join() !== created.peer) return `ENTERROOM members: ${JSON.stringify(entered)}`;
    const joined = await alice.next('JOINED');
    if (joined.peer !== entered.peer) return `JOINED: ${JSON.stringify(joined)}`;
    for (let i = 1; i <= 10; i++) {
      const [from, to, fromId] = i % 2 === 1 ? [alice, bob, created.peer] : [bob, alice, entered.peer];
      const id = newMessageId();
      const text = body();
      from.send({ type: 'CHATMSG', room, id, body: text });
      const ack = await from.next('ACK');
      const got = await to.next('CHATMSG');
      if (ack.seq !== i || ack.id !== id) return `ACK ${i}: ${JSON.stringify(ack)}`;
      if (got.seq !== i || got.id !== id || got.body !== text || got.from !== fromId || got.at !== ack.at) {
        return `CHATMSG ${i}: ${JSON.stringify(got)}`;
      }
    }
    if (alice.invalidFrames + bob.invalidFrames > 0) return 'the relay sent frames that fail the codec';
    return null;
  } finally {
    alice.close();
    bob.close();
  }
}

async function metricsErrors(relay: ServerProcess): Promise<Map<string, number>> {
  const text = await (await fetch(`${relay.httpUrl}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/^parley_relay_errors_total\{code="(\w+)"\} (\d+)$/gm)) {
    if (Number(match[2]) > 0) counts.set(match[1]!, Number(match[2]));
  }
  return counts;
}

async function main(): Promise<void> {
  console.log(`fuzz: ${FRAMES} frames (${FRAMES_SOURCE}) over ${CONNECTIONS} connections, seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
  const started = performance.now();
  const relay = await spawnRelay({
    ...ONE_HOST_LIMITS,
    RATE_PER_SEC: '1000000',
    RATE_BURST: '1000000',
    RATE_KB_PER_SEC: '1000000',
    MAX_CONNECTIONS_PER_ADDRESS: String(2 * CONNECTIONS + 16),
    // Every fuzz connection is 127.0.0.1 and GETROOM creates a room almost every time.
    ADDRESS_ROOMS_PER_HOUR: '1000000', ADDRESS_STORED_KB_PER_DAY: '1000000',
  });
  const stats: FuzzStats = { sent: 0, answered: 0, mismatches: [], unexpected: [], byCode: new Map(), byLabel: new Map() };
  const warmup = Math.min(FRAMES, Math.max(2_000, Math.floor(FRAMES / 10)));
  let baselineKb: number | undefined;
  let peakKb = 0;
  const sampler = setInterval(() => {
    if (isAlive(relay.pid)) peakKb = Math.max(peakKb, rssKb(relay.pid));
  }, 250);
  const onProgress = () => {
    if (baselineKb === undefined && stats.answered >= warmup) baselineKb = rssKb(relay.pid);
  };

  try {
    const startKb = rssKb(relay.pid);
    const fuzzStarted = performance.now();
    const shares = Array.from({ length: CONNECTIONS }, (_, i) => Math.floor(FRAMES / CONNECTIONS) + (i < FRAMES % CONNECTIONS ? 1 : 0));
    const failures = (await Promise.all(shares.map((quota) => fuzzConnection(relay, quota, stats, onProgress).catch((error: unknown) => String(error))))).filter((f) => f !== null);
    const fuzzSeconds = (performance.now() - fuzzStarted) / 1000;
    const afterFuzzKb = rssKb(relay.pid);

    console.log(`sent ${stats.sent} frames in ${fmt(fuzzSeconds)} s (${fmt(stats.sent / fuzzSeconds, 0)} frames/s); answers by code: ${[...stats.byCode].map(([c, n]) => `${c} ${n}`).join(', ')}`);
    console.log(`frames by kind: ${[...stats.byLabel].map(([l, n]) => `${l} ${n}`).join(', ')}`);
    check('every connection got through its frames, and room members heard none of them', failures.length === 0, failures.slice(0, 3).join('; '));
    check('every frame got exactly one ERROR answer', stats.answered === stats.sent && stats.unexpected.length === 0,
      `${stats.answered}/${stats.sent} answered${stats.unexpected.length > 0 ? `; unexpected: ${stats.unexpected.slice(0, 3).join(' | ')}` : ''}`);
    check('every ERROR has the code and ref docs/protocol.md predicts', stats.mismatches.length === 0,
      stats.mismatches.length === 0 ? `${stats.answered} compared` : `${stats.mismatches.length} mismatches, e.g. ${stats.mismatches.slice(0, 3).join(' | ')}`);

    const counted = await metricsErrors(relay);
    const ours = [...stats.byCode].sort().map(([c, n]) => `${c}=${n}`).join(',');
    const theirs = [...counted].sort().map(([c, n]) => `${c}=${n}`).join(',');
    check('/metrics counts the same errors', ours === theirs, theirs);

    await closers(relay);

    check('the relay process is still up', isAlive(relay.pid) && relay.child.exitCode === null, `pid ${relay.pid}`);
    const health = await fetch(`${relay.httpUrl}/healthz`).then(async (res) => ({ status: res.status, body: (await res.json()) as { ok?: unknown } }), (error: unknown) => ({ status: 0, body: { ok: String(error) } }));
    check('/healthz is ok', health.status === 200 && health.body.ok === true, JSON.stringify(health.body));
    const talk = await conversation(relay).catch((error: unknown) => String(error));
    check('a two-client conversation still works (GETROOM, ENTERROOM, CHATMSG, ACK)', talk === null, talk ?? '10 messages, seqs 1..10');

    await sleep(500);
    const finalKb = rssKb(relay.pid);
    const base = baselineKb ?? startKb;
    const growthMb = (finalKb - base) / 1024;
    console.log(`relay RSS: start ${fmt(startKb / 1024)} MB, after warmup (${warmup} frames) ${fmt(base / 1024)} MB, after fuzz ${fmt(afterFuzzKb / 1024)} MB, final ${fmt(finalKb / 1024)} MB, peak ${fmt(peakKb / 1024)} MB`);
    check(`relay RSS grew at most ${RSS_BOUND_MB} MB after warmup`, growthMb <= RSS_BOUND_MB, `${growthMb >= 0 ? '+' : ''}${fmt(growthMb)} MB`);
  } catch (error) {
    check('the run completed', false, error instanceof Error ? error.stack ?? error.message : String(error));
  } finally {
    clearInterval(sampler);
    const code = await relay.stop();
    check('the relay stops cleanly on SIGTERM', code === 0, `exit code ${code}`);
  }

  const failed = checks.filter((c) => !c.ok).length;
  console.log(`fuzz: ${stats.sent} of ${FRAMES} frames sent (${FRAMES_SOURCE}), seed ${SEED}, ${fmt((performance.now() - started) / 1000)} s in all`);
  console.log(`fuzz: ${checks.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
