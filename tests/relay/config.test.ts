import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from '../../relay/config.ts';

describe('config', () => {
  it('uses the defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({ host: '127.0.0.1', port: 8787, historyPath: '.data/relay.sqlite' });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000', HOST: '0.0.0.0', MAX_FRAME_KB: '64', RATE_PER_SEC: '5', RATE_BURST: '10', RATE_KB_PER_SEC: '64',
      MAX_ROOMS_PER_CONNECTION: '3', EPHEMERAL_PER_SEC: '7', EPHEMERAL_BURST: '9', MAX_MEMBERS_PER_ROOM: '4', MAX_CONNECTIONS_PER_ADDRESS: '5',
      ALLOWED_ORIGINS: 'https://a.example, chrome-extension://*,none', IDLE_TIMEOUT_MS: '4000',
      MAX_BUFFERED_KB: '128', HISTORY_PATH: ':memory:', HISTORY_MAX_COUNT: '10', HISTORY_MAX_AGE_MS: '60000',
      TLS_CERT: 'cert.pem', TLS_KEY: 'key.pem', LOG_LEVEL: 'warn',
      ROOM_MAX_STORED_KB: '100', STORE_MAX_KB: '1000', ADDRESS_STORED_KB_PER_DAY: '200', ADDRESS_ROOMS_PER_HOUR: '7',
      QUOTA_MAX_ADDRESSES: '120', MAX_STORED_ROOMS: '300',
      FRAME_HARD_CAP_KB: '80', ADDRESS_RATE_PER_SEC: '50', ADDRESS_RATE_BURST: '60', ADDRESS_RATE_KB_PER_SEC: '512',
      ADDRESS_CONNECTS_PER_MIN: '30', ADDRESS_CONNECT_BURST: '8', MAX_CONNECTIONS: '100', MAX_HANDSHAKES: '20',
      MAX_HANDSHAKES_PER_ADDRESS: '4', HANDSHAKE_TIMEOUT_MS: '2000', STALL_TIMEOUT_MS: '3000',
      ADDRESS_MAX_BUFFERED_KB: '256', TOTAL_MAX_BUFFERED_KB: '1024', MAX_TRACKED_ADDRESSES: '500',
      INSTALL_URL: 'https://parley.example/get', TRUSTED_PROXIES: '10.0.0.2, ::1',
      TLS_RELOAD_MS: '5000',
      REDIS_URL: 'redis://redis.internal:6379/2', REDIS_INSTANCE_TTL_MS: '4000',
      WAL_MAX_KB: '512', WAL_CHECKPOINT_MS: '250',
      MAX_REQUESTS_PER_SOCKET: '10', ACCESS_LOG_PER_SEC: '3', ACCESS_LOG_BURST: '30', ADDRESS_ACCESS_LOG_PER_SEC: '2', ADDRESS_ACCESS_LOG_BURST: '6',
    });
    expect(config).toEqual({
      port: 9000, host: '0.0.0.0', maxFrameKb: 64, ratePerSec: 5, rateBurst: 10, rateKbPerSec: 64, maxRoomsPerConnection: 3, ephemeralPerSec: 7, ephemeralBurst: 9,
      maxMembersPerRoom: 4, maxConnectionsPerAddress: 5, allowedOrigins: ['https://a.example', 'chrome-extension://*', 'none'],
      idleTimeoutMs: 4000, maxBufferedKb: 128, historyPath: ':memory:', historyMaxCount: 10, historyMaxAgeMs: 60000,
      tlsCert: 'cert.pem', tlsKey: 'key.pem', logLevel: 'warn',
      roomMaxStoredKb: 100, storeMaxKb: 1000, addressStoredKbPerDay: 200, addressRoomsPerHour: 7, quotaMaxAddresses: 120, maxStoredRooms: 300,
      frameHardCapKb: 80, addressRatePerSec: 50, addressRateBurst: 60, addressRateKbPerSec: 512,
      addressConnectsPerMin: 30, addressConnectBurst: 8, maxConnections: 100, maxHandshakes: 20,
      maxHandshakesPerAddress: 4, handshakeTimeoutMs: 2000, stallTimeoutMs: 3000,
      addressMaxBufferedKb: 256, totalMaxBufferedKb: 1024, maxTrackedAddresses: 500,
      installUrl: 'https://parley.example/get', trustedProxies: ['10.0.0.2', '::1'],
      tlsReloadMs: 5000,
      redisUrl: 'redis://redis.internal:6379/2', redisInstanceTtlMs: 4000,
      walMaxKb: 512, walCheckpointMs: 250,
      maxRequestsPerSocket: 10, accessLogPerSec: 3, accessLogBurst: 30, addressAccessLogPerSec: 2, addressAccessLogBurst: 6,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['PORT', 'abc'], ['PORT', '70000'], ['MAX_FRAME_KB', '0'], ['RATE_PER_SEC', '1.5'], ['IDLE_TIMEOUT_MS', '-1'],
    ['ALLOWED_ORIGINS', 'evil'], ['ALLOWED_ORIGINS', ' , '], ['LOG_LEVEL', 'loud'], ['HISTORY_MAX_COUNT', '1e3'],
    ['INSTALL_URL', 'javascript:alert(1)'], ['INSTALL_URL', 'parley.example'],
    ['TRUSTED_PROXIES', '10.0.0.2,proxy.local'], ['TRUSTED_PROXIES', '10.0.0.0/8'],
  ])('names %s when its value %j is bad', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} `));
  });

  // docs/protocol.md, "Storage quotas": each byte bound holds one full-size frame; the store holds a room.
  it.each([
    [{ MAX_FRAME_KB: '64', ROOM_MAX_STORED_KB: '63' }, /^ROOM_MAX_STORED_KB \(63\) must be at least MAX_FRAME_KB \(64\)/],
    [{ MAX_FRAME_KB: '64', ADDRESS_STORED_KB_PER_DAY: '63' }, /^ADDRESS_STORED_KB_PER_DAY \(63\) must be at least MAX_FRAME_KB/],
    [{ ROOM_MAX_STORED_KB: '4096', STORE_MAX_KB: '4095' }, /^STORE_MAX_KB \(4095\) must be at least ROOM_MAX_STORED_KB \(4096\)/],
  ])('refuses storage limits that contradict each other: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  // The rules come from docs/protocol.md, "Configuration": settings that contradict each other.
  it.each([
    [{ MAX_FRAME_KB: '64', FRAME_HARD_CAP_KB: '63' }, /^FRAME_HARD_CAP_KB \(63\) must be at least MAX_FRAME_KB \(64\)/],
    // A full-size frame plus the from, seq and at the relay adds: MAX_FRAME_KB + 1.
    [{ MAX_FRAME_KB: '64', MAX_BUFFERED_KB: '64' }, /^MAX_BUFFERED_KB \(64\) must be at least MAX_FRAME_KB \+ 1 \(65\)/],
    [{ MAX_CONNECTIONS: '100', MAX_HANDSHAKES: '20', QUOTA_MAX_ADDRESSES: '119' }, /^QUOTA_MAX_ADDRESSES \(119\) must be at least MAX_CONNECTIONS \+ MAX_HANDSHAKES \(120\)/],
    [{ MAX_BUFFERED_KB: '512', ADDRESS_MAX_BUFFERED_KB: '511' }, /^ADDRESS_MAX_BUFFERED_KB \(511\) must be at least MAX_BUFFERED_KB \(512\)/],
    [{ ADDRESS_MAX_BUFFERED_KB: '4096', TOTAL_MAX_BUFFERED_KB: '4095' }, /^TOTAL_MAX_BUFFERED_KB \(4095\) must be at least ADDRESS_MAX_BUFFERED_KB \(4096\)/],
    [{ MAX_HANDSHAKES: '3', MAX_HANDSHAKES_PER_ADDRESS: '4' }, /^MAX_HANDSHAKES \(3\) must be at least MAX_HANDSHAKES_PER_ADDRESS \(4\)/],
    [{ ACCESS_LOG_BURST: '19', ADDRESS_ACCESS_LOG_BURST: '20' }, /^ACCESS_LOG_BURST \(19\) must be at least ADDRESS_ACCESS_LOG_BURST \(20\)/],
    [{ MAX_CONNECTIONS: '100', MAX_HANDSHAKES: '20', MAX_TRACKED_ADDRESSES: '119' }, /^MAX_TRACKED_ADDRESSES \(119\) must be at least MAX_CONNECTIONS \+ MAX_HANDSHAKES \(120\)/],
    // A full hold of 100 frames at 20 a second drains in 5 s.
    [{ RATE_PER_SEC: '20', RATE_BURST: '100', IDLE_TIMEOUT_MS: '4999' }, /^IDLE_TIMEOUT_MS \(4999\) must be at least the 5000 ms .*RATE_PER_SEC\/RATE_BURST/],
    // A full byte hold of two 64 KB frames at 16 KB a second drains in 8 s.
    [{ MAX_FRAME_KB: '64', RATE_KB_PER_SEC: '16', IDLE_TIMEOUT_MS: '7999' }, /^IDLE_TIMEOUT_MS \(7999\) must be at least the 8000 ms .*RATE_KB_PER_SEC/],
  ])('refuses contradicting settings %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts settings right at the edge of each rule', () => {
    expect(() => loadConfig({ MAX_FRAME_KB: '64', FRAME_HARD_CAP_KB: '64', RATE_KB_PER_SEC: '16', IDLE_TIMEOUT_MS: '8000' })).not.toThrow();
    expect(() => loadConfig({ MAX_FRAME_KB: '64', MAX_BUFFERED_KB: '65' })).not.toThrow();
    expect(() => loadConfig({ MAX_CONNECTIONS: '100', MAX_HANDSHAKES: '20', QUOTA_MAX_ADDRESSES: '120' })).not.toThrow();
  });

  it('needs TLS_CERT and TLS_KEY together', () => {
    expect(() => loadConfig({ TLS_CERT: 'cert.pem' })).toThrow(/TLS_CERT is set but TLS_KEY is not/);
  });
});
