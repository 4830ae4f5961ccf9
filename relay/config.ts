import { isIP } from 'node:net';
import { DEFAULT_MAX_FRAME_KB, DEFAULT_RELAY_HOST, DEFAULT_RELAY_PORT } from '../src/shared/constants.ts';
import { LOG_LEVELS, type LogLevel } from './log.ts';

export interface RelayConfig {
  readonly port: number;
  readonly host: string;
  readonly maxFrameKb: number;
  readonly ratePerSec: number;
  readonly rateBurst: number;
  /** Bytes a connection may send per second, in kilobytes; bursts up to two full-size frames. */
  readonly rateKbPerSec: number;
  readonly maxRoomsPerConnection: number;
  /** EPHEMERAL frames per second per connection, a budget apart from chat's (docs/protocol.md "Ephemeral broadcasts"). */
  readonly ephemeralPerSec: number;
  readonly ephemeralBurst: number;
  readonly maxMembersPerRoom: number;
  readonly maxConnectionsPerAddress: number;
  /** Entries: an exact origin, `scheme://*`, `none` (no Origin header) or `*`. */
  readonly allowedOrigins: readonly string[];
  readonly idleTimeoutMs: number;
  readonly maxBufferedKb: number;
  /** A SQLite file, or ':memory:' for a store that dies with the process. */
  readonly historyPath: string;
  readonly historyMaxCount: number;
  readonly historyMaxAgeMs: number;
  /** Stored bytes retained per room, in KB; the room's oldest messages are trimmed first. */
  readonly roomMaxStoredKb: number;
  /** Stored bytes retained in all, in KB; the oldest messages of any room are trimmed first. */
  readonly storeMaxKb: number;
  /** The SQLite write-ahead log is checkpointed back to this size before a commit is acked, in KB. */
  readonly walMaxKb: number;
  /** How often a worker thread checkpoints the write-ahead log while messages are written. */
  readonly walCheckpointMs: number;
  /** KB one address may store per rolling day; beyond it CHATMSG gets DAILY_QUOTA. */
  readonly addressStoredKbPerDay: number;
  /** Rooms one address may create per rolling hour; beyond it GETROOM gets TOO_MANY_NEW_ROOMS. */
  readonly addressRoomsPerHour: number;
  /** Rooms the store keeps; beyond it the least recently active room without members is forgotten. */
  readonly maxStoredRooms: number;
  /** Addresses each address quota remembers (bounds its memory). */
  readonly quotaMaxAddresses: number;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  /** How often TLS_CERT/TLS_KEY are checked for a renewed pair (they are also reloaded on SIGHUP). */
  readonly tlsReloadMs: number;
  /** Reverse proxies whose X-Forwarded-For (its last entry) names the client. */
  readonly trustedProxies: readonly string[];
  /** Where the join page tells a visitor without Parley to get it; null: "ask the person who invited you". */
  readonly installUrl: string | null;
  /**
   * A Redis server (redis:// or rediss://) shared by every instance of this relay: rooms, history,
   * sequence numbers and presence then live there (relay/redis-broker.ts). Null: one process,
   * history in SQLite at historyPath.
   */
  readonly redisUrl: string | null;
  /**
   * With Redis: an instance that has not refreshed its heartbeat for this long is dead, and the
   * others take its members out of their rooms (LEFT). It refreshes every third of it.
   */
  readonly redisInstanceTtlMs: number;
  readonly logLevel: LogLevel;
  /** Frames up to this are read (and charged) and answered FRAME_TOO_LARGE; beyond it ws closes with 1009. */
  readonly frameHardCapKb: number;
  /** Budgets shared by every connection from one address, kept after its last one closes. */
  readonly addressRatePerSec: number;
  readonly addressRateBurst: number;
  readonly addressRateKbPerSec: number;
  /** New connections (TCP accepts) per address: a token bucket refilled per minute. */
  readonly addressConnectsPerMin: number;
  readonly addressConnectBurst: number;
  /** Open WebSocket connections in all. */
  readonly maxConnections: number;
  /** Sockets not yet upgraded to WebSocket (HTTP requests included), in all and per address. */
  readonly maxHandshakes: number;
  readonly maxHandshakesPerAddress: number;
  readonly handshakeTimeoutMs: number;
  /** A socket with unsent frames whose buffer moves nothing for this long is cut. */
  readonly stallTimeoutMs: number;
  /** Unsent bytes the relay holds for all of one address's sockets together, and for all sockets. */
  readonly addressMaxBufferedKb: number;
  readonly totalMaxBufferedKb: number;
  /** Addresses the relay remembers budgets for; bounds the per-address table's memory. */
  readonly maxTrackedAddresses: number;
  /** HTTP requests one keep-alive socket may carry (node's server.maxRequestsPerSocket). */
  readonly maxRequestsPerSocket: number;
  /** Access records (http_request lines): a token bucket for the relay in all and one per address. */
  readonly accessLogPerSec: number;
  readonly accessLogBurst: number;
  readonly addressAccessLogPerSec: number;
  readonly addressAccessLogBurst: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * What the relay adds to a client's CHATMSG, in KB, rounded up: ,"from":"p…" (27 bytes),
 * ,"seq":… (at most 23) and ,"at":… (at most 20) come to 70 bytes.
 */
const ENVELOPE_KB = 1;

/** A quarter over the frame limit: room to answer FRAME_TOO_LARGE, too little to be a bypass. */
function hardCapKb(maxFrameKb: number): number {
  return Math.ceil((maxFrameKb * 5) / 4);
}

export const DEFAULT_CONFIG: RelayConfig = Object.freeze({
  port: DEFAULT_RELAY_PORT,
  host: DEFAULT_RELAY_HOST,
  maxFrameKb: DEFAULT_MAX_FRAME_KB,
  ratePerSec: 20,
  // Room for a reconnecting client to flush its outbox and rejoin its rooms in one go.
  rateBurst: 100,
  // A frame budget alone lets 20 full-size (400 KB) frames a second through, which is a flood in
  // bytes; a person pasting long texts stays far below this.
  rateKbPerSec: 256,
  maxRoomsPerConnection: 32,
  // Typing updates every few seconds in a room or two; the burst lets a reconnect announce presence
  // in every room of a connection at MAX_ROOMS_PER_CONNECTION.
  ephemeralPerSec: 4,
  ephemeralBurst: 40,
  maxMembersPerRoom: 100,
  // Households and offices share one address; benchmarks from one host must raise this.
  maxConnectionsPerAddress: 64,
  allowedOrigins: Object.freeze(['none', 'chrome-extension://*', 'moz-extension://*']),
  // Clients send a keepalive every 15 s (KEEPALIVE_INTERVAL_MS), so 60 s tolerates three losses.
  idleTimeoutMs: 60_000,
  // About ten full-size frames: a reader that falls further behind than that is not coming back.
  maxBufferedKb: 4096,
  historyPath: '.data/relay.sqlite',
  historyMaxCount: 1000,
  historyMaxAgeMs: 7 * DAY_MS,
  // About 1000 messages of 4 KB: far above a conversation, far below 1000 full-size pastes.
  roomMaxStoredKb: 4096,
  storeMaxKb: 1024 * 1024,
  // The worker checkpoints at a quarter of this (4 MiB, SQLite's own default): the bound is reached
  // only when the worker falls behind, and then the relay's thread pays for one TRUNCATE.
  walMaxKb: 16 * 1024,
  walCheckpointMs: 1_000,
  // A very busy person (thousands of messages, dozens of long pastes) stays well under this.
  addressStoredKbPerDay: 32 * 1024,
  // A household behind one address, re-creating its rooms after a relay lost them, fits.
  addressRoomsPerHour: 60,
  // A room row is about 150 bytes: 100,000 rooms are some 15 MB, and far more than 10,000 users hold.
  maxStoredRooms: 100_000,
  // About 0.7 KB per address for both quotas: about 11 MB in all. At least MAX_CONNECTIONS +
  // MAX_HANDSHAKES, so an address with a live connection never has to be forgotten.
  quotaMaxAddresses: 16_384,
  tlsCert: null,
  tlsKey: null,
  // certbot renews a month before expiry; a minute's delay in picking it up costs nothing.
  tlsReloadMs: 60_000,
  installUrl: null,
  redisUrl: null,
  redisInstanceTtlMs: 10_000,
  trustedProxies: Object.freeze([]),
  logLevel: 'info',
  // A quarter over the frame limit: room to tell "too big" from a broken connection, and every
  // byte of it is charged to the byte budget, so it is no way around the budget.
  frameHardCapKb: hardCapKb(DEFAULT_MAX_FRAME_KB),
  // A household or office behind one address: several people, each at the per-connection rate.
  addressRatePerSec: 100,
  addressRateBurst: 400,
  addressRateKbPerSec: 1024,
  // Every extension behind the address can reconnect at once after a relay restart.
  addressConnectsPerMin: 60,
  addressConnectBurst: 64,
  // The design target is 10,000 idle connections; beyond it, file descriptors and memory run out.
  maxConnections: 10_000,
  maxHandshakes: 512,
  maxHandshakesPerAddress: 16,
  // A WebSocket upgrade is one round trip; a client still sending headers after 5 s is stalling.
  handshakeTimeoutMs: 5_000,
  stallTimeoutMs: 5_000,
  addressMaxBufferedKb: 16 * 1024,
  totalMaxBufferedKb: 256 * 1024,
  // A few hundred bytes each (three token buckets): 65,536 addresses cost some 30 MB at most.
  maxTrackedAddresses: 65_536,
  // A browser, a health probe and a metrics scraper each need a handful; a pipelining flood is cut here.
  maxRequestsPerSocket: 100,
  // Probes and scrapers make a few records a minute; these bound what a flood can write to disk.
  accessLogPerSec: 10,
  accessLogBurst: 100,
  addressAccessLogPerSec: 1,
  addressAccessLogBurst: 20,
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Parse<T> = (text: string, name: string) => T;

const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Parse<number> => (text, name) => {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(`${name} must be an integer ${range}; got ${JSON.stringify(text)}.`);
  }
  return value;
};

const text: Parse<string> = (value) => value;
const path: Parse<string | null> = (value) => value;

const webAddress: Parse<string | null> = (value, name) => {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(`${name} must be an https:// or http:// address; got ${JSON.stringify(value)}.`);
  }
  return url.href;
};

const redisAddress: Parse<string | null> = (value, name) => {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    // The value may hold a password: say what is wrong without repeating it.
    throw new ConfigError(`${name} must be a redis:// or rediss:// address (redis://host:6379, optionally with /db).`);
  }
  return value;
};

const addresses: Parse<readonly string[]> = (value, name) => {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const bad = entries.find((entry) => isIP(entry) === 0);
  if (bad !== undefined) throw new ConfigError(`${name} must be a comma-separated list of IP addresses; got ${JSON.stringify(bad)}.`);
  return Object.freeze(entries);
};

const ORIGIN_ENTRY = /^(none|\*|[a-z][a-z0-9+.-]*:\/\/(\*|[^\s/*]+))$/i;
const origins: Parse<readonly string[]> = (value, name) => {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const bad = entries.find((entry) => !ORIGIN_ENTRY.test(entry));
  if (bad !== undefined || entries.length === 0) {
    throw new ConfigError(
      `${name} must be a comma-separated list of origins (https://example.org), scheme://* , none or *; ` +
        `got ${JSON.stringify(bad ?? value)}.`,
    );
  }
  return Object.freeze(entries);
};

const logLevel: Parse<LogLevel> = (value, name) => {
  const level = LOG_LEVELS.find((candidate) => candidate === value);
  if (level === undefined) throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(value)}.`);
  return level;
};

/** Which environment variable sets each field, and how its text is read. */
const ENV: { readonly [K in keyof RelayConfig]: readonly [name: string, parse: Parse<RelayConfig[K]>] } = {
  port: ['PORT', integer(0, 65_535)],
  host: ['HOST', text],
  maxFrameKb: ['MAX_FRAME_KB', integer(1, 64 * 1024)],
  ratePerSec: ['RATE_PER_SEC', integer(1)],
  rateBurst: ['RATE_BURST', integer(1)],
  rateKbPerSec: ['RATE_KB_PER_SEC', integer(1)],
  maxRoomsPerConnection: ['MAX_ROOMS_PER_CONNECTION', integer(1)],
  ephemeralPerSec: ['EPHEMERAL_PER_SEC', integer(1)],
  ephemeralBurst: ['EPHEMERAL_BURST', integer(1)],
  maxMembersPerRoom: ['MAX_MEMBERS_PER_ROOM', integer(1)],
  maxConnectionsPerAddress: ['MAX_CONNECTIONS_PER_ADDRESS', integer(1)],
  allowedOrigins: ['ALLOWED_ORIGINS', origins],
  idleTimeoutMs: ['IDLE_TIMEOUT_MS', integer(1)],
  maxBufferedKb: ['MAX_BUFFERED_KB', integer(1)],
  historyPath: ['HISTORY_PATH', text],
  historyMaxCount: ['HISTORY_MAX_COUNT', integer(1)],
  historyMaxAgeMs: ['HISTORY_MAX_AGE_MS', integer(1)],
  roomMaxStoredKb: ['ROOM_MAX_STORED_KB', integer(1)],
  storeMaxKb: ['STORE_MAX_KB', integer(1)],
  walMaxKb: ['WAL_MAX_KB', integer(64)],
  walCheckpointMs: ['WAL_CHECKPOINT_MS', integer(10)],
  addressStoredKbPerDay: ['ADDRESS_STORED_KB_PER_DAY', integer(1)],
  addressRoomsPerHour: ['ADDRESS_ROOMS_PER_HOUR', integer(1)],
  maxStoredRooms: ['MAX_STORED_ROOMS', integer(1)],
  quotaMaxAddresses: ['QUOTA_MAX_ADDRESSES', integer(1)],
  tlsCert: ['TLS_CERT', path],
  tlsKey: ['TLS_KEY', path],
  tlsReloadMs: ['TLS_RELOAD_MS', integer(1)],
  installUrl: ['INSTALL_URL', webAddress],
  redisUrl: ['REDIS_URL', redisAddress],
  redisInstanceTtlMs: ['REDIS_INSTANCE_TTL_MS', integer(30)],
  trustedProxies: ['TRUSTED_PROXIES', addresses],
  logLevel: ['LOG_LEVEL', logLevel],
  frameHardCapKb: ['FRAME_HARD_CAP_KB', integer(1, 64 * 1024)],
  addressRatePerSec: ['ADDRESS_RATE_PER_SEC', integer(1)],
  addressRateBurst: ['ADDRESS_RATE_BURST', integer(1)],
  addressRateKbPerSec: ['ADDRESS_RATE_KB_PER_SEC', integer(1)],
  addressConnectsPerMin: ['ADDRESS_CONNECTS_PER_MIN', integer(1)],
  addressConnectBurst: ['ADDRESS_CONNECT_BURST', integer(1)],
  maxConnections: ['MAX_CONNECTIONS', integer(1)],
  maxHandshakes: ['MAX_HANDSHAKES', integer(1)],
  maxHandshakesPerAddress: ['MAX_HANDSHAKES_PER_ADDRESS', integer(1)],
  handshakeTimeoutMs: ['HANDSHAKE_TIMEOUT_MS', integer(1)],
  stallTimeoutMs: ['STALL_TIMEOUT_MS', integer(1)],
  addressMaxBufferedKb: ['ADDRESS_MAX_BUFFERED_KB', integer(1)],
  totalMaxBufferedKb: ['TOTAL_MAX_BUFFERED_KB', integer(1)],
  maxTrackedAddresses: ['MAX_TRACKED_ADDRESSES', integer(1)],
  maxRequestsPerSocket: ['MAX_REQUESTS_PER_SOCKET', integer(1)],
  accessLogPerSec: ['ACCESS_LOG_PER_SEC', integer(1)],
  accessLogBurst: ['ACCESS_LOG_BURST', integer(1)],
  addressAccessLogPerSec: ['ADDRESS_ACCESS_LOG_PER_SEC', integer(1)],
  addressAccessLogBurst: ['ADDRESS_ACCESS_LOG_BURST', integer(1)],
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function assign<K extends keyof RelayConfig>(target: Mutable<RelayConfig>, key: K, value: RelayConfig[K]): void {
  target[key] = value;
}

function fromEnv<K extends keyof RelayConfig>(env: NodeJS.ProcessEnv, key: K): RelayConfig[K] | undefined {
  const [name, parse] = ENV[key];
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : parse(raw, name);
}

/** Defaults overridden by the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const overrides: Partial<Mutable<RelayConfig>> = {};
  for (const key of Object.keys(ENV) as (keyof RelayConfig)[]) {
    const value = fromEnv(env, key);
    if (value !== undefined) assign(overrides as Mutable<RelayConfig>, key, value);
  }
  return resolveConfig(overrides);
}

/** Defaults overridden field by field (tests pass only what they change), checked as a whole. */
export function resolveConfig(overrides: Partial<RelayConfig> = {}): RelayConfig {
  // The hard cap follows the frame limit unless it is set itself, so raising MAX_FRAME_KB alone works.
  const maxFrameKb = overrides.maxFrameKb ?? DEFAULT_CONFIG.maxFrameKb;
  const config: RelayConfig = Object.freeze({ ...DEFAULT_CONFIG, frameHardCapKb: hardCapKb(maxFrameKb), ...overrides });
  if ((config.tlsCert === null) !== (config.tlsKey === null)) {
    const [set, missing] = config.tlsCert === null ? [ENV.tlsKey[0], ENV.tlsCert[0]] : [ENV.tlsCert[0], ENV.tlsKey[0]];
    throw new ConfigError(`${set} is set but ${missing} is not; TLS needs both.`);
  }
  if (config.maxBufferedKb < config.maxFrameKb + ENVELOPE_KB) {
    // Otherwise one legitimate frame, with the from/seq/at the relay adds to it, to a perfectly
    // healthy reader would count as a slow consumer.
    throw new ConfigError(
      `MAX_BUFFERED_KB (${config.maxBufferedKb}) must be at least MAX_FRAME_KB + ${ENVELOPE_KB} (${config.maxFrameKb + ENVELOPE_KB}): ` +
        'a full-size frame plus the from, seq and at the relay adds.',
    );
  }
  // One full-size message must fit each byte bound, or a legitimate message could never be stored.
  for (const key of ['roomMaxStoredKb', 'addressStoredKbPerDay'] as const) {
    if (config[key] < config.maxFrameKb) {
      throw new ConfigError(`${ENV[key][0]} (${config[key]}) must be at least MAX_FRAME_KB (${config.maxFrameKb}).`);
    }
  }
  if (config.storeMaxKb < config.roomMaxStoredKb) {
    throw new ConfigError(`STORE_MAX_KB (${config.storeMaxKb}) must be at least ROOM_MAX_STORED_KB (${config.roomMaxStoredKb}).`);
  }
  checkConsistency(config);
  return config;
}

/** `a` must be at least `b`, or the relay refuses to start naming both variables. */
function atLeast(config: RelayConfig, a: keyof RelayConfig, b: keyof RelayConfig, why: string): void {
  if ((config[a] as number) >= (config[b] as number)) return;
  throw new ConfigError(`${ENV[a][0]} (${config[a]}) must be at least ${ENV[b][0]} (${config[b]}): ${why}.`);
}

/** Limits that contradict each other would fail in ways that look like bugs; refuse them at startup. */
function checkConsistency(config: RelayConfig): void {
  atLeast(config, 'frameHardCapKb', 'maxFrameKb', 'frames the relay accepts must not close the socket');
  atLeast(config, 'addressMaxBufferedKb', 'maxBufferedKb', "one socket's buffer must fit in its address's");
  atLeast(config, 'totalMaxBufferedKb', 'addressMaxBufferedKb', "one address's buffers must fit in the relay's");
  atLeast(config, 'maxHandshakes', 'maxHandshakesPerAddress', "one address's handshakes must fit in the relay's");
  atLeast(config, 'accessLogBurst', 'addressAccessLogBurst', "one address's access records must fit in the relay's");
  // Every live connection and handshake has an entry, so only forgotten addresses are ever evicted.
  const live = config.maxConnections + config.maxHandshakes;
  if (config.quotaMaxAddresses < live) {
    throw new ConfigError(
      `QUOTA_MAX_ADDRESSES (${config.quotaMaxAddresses}) must be at least MAX_CONNECTIONS + MAX_HANDSHAKES (${live}): ` +
        'an address with a live connection must never be forgotten by the quotas.',
    );
  }
  if (config.maxTrackedAddresses < live) {
    throw new ConfigError(
      `MAX_TRACKED_ADDRESSES (${config.maxTrackedAddresses}) must be at least MAX_CONNECTIONS + MAX_HANDSHAKES (${live}): ` +
        'every open socket needs its address remembered.',
    );
  }
  // Held frames count as life, but a hold that takes longer to drain than the idle timeout means
  // the two settings describe different clients.
  const drainMs = Math.ceil(
    1000 * Math.max(config.rateBurst / config.ratePerSec, connectionByteBurstKb(config) / config.rateKbPerSec),
  );
  if (config.idleTimeoutMs < drainMs) {
    throw new ConfigError(
      `IDLE_TIMEOUT_MS (${config.idleTimeoutMs}) must be at least the ${drainMs} ms a full hold takes to drain at ` +
        `RATE_PER_SEC/RATE_BURST (${config.ratePerSec}/${config.rateBurst}) and RATE_KB_PER_SEC (${config.rateKbPerSec}).`,
    );
  }
}

/** The byte bucket holds two full-size frames, or a second's worth if that is more. */
export const connectionByteBurstKb = (config: RelayConfig): number => Math.max(config.rateKbPerSec, 2 * config.maxFrameKb);
export const addressByteBurstKb = (config: RelayConfig): number => Math.max(config.addressRateKbPerSec, 2 * config.maxFrameKb);
