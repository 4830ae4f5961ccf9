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
      MAX_ROOMS_PER_CONNECTION: '3', MAX_MEMBERS_PER_ROOM: '4', MAX_CONNECTIONS_PER_ADDRESS: '5',
      ALLOWED_ORIGINS: 'https://a.example, chrome-extension://*,none', IDLE_TIMEOUT_MS: '1000',
      MAX_BUFFERED_KB: '128', HISTORY_PATH: ':memory:', HISTORY_MAX_COUNT: '10', HISTORY_MAX_AGE_MS: '60000',
      TLS_CERT: 'cert.pem', TLS_KEY: 'key.pem', LOG_LEVEL: 'warn',
    });
    expect(config).toEqual({
      port: 9000, host: '0.0.0.0', maxFrameKb: 64, ratePerSec: 5, rateBurst: 10, rateKbPerSec: 64, maxRoomsPerConnection: 3,
      maxMembersPerRoom: 4, maxConnectionsPerAddress: 5, allowedOrigins: ['https://a.example', 'chrome-extension://*', 'none'],
      idleTimeoutMs: 1000, maxBufferedKb: 128, historyPath: ':memory:', historyMaxCount: 10, historyMaxAgeMs: 60000,
      tlsCert: 'cert.pem', tlsKey: 'key.pem', logLevel: 'warn',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['PORT', 'abc'], ['PORT', '70000'], ['MAX_FRAME_KB', '0'], ['RATE_PER_SEC', '1.5'], ['IDLE_TIMEOUT_MS', '-1'],
    ['ALLOWED_ORIGINS', 'evil'], ['ALLOWED_ORIGINS', ' , '], ['LOG_LEVEL', 'loud'], ['HISTORY_MAX_COUNT', '1e3'],
  ])('names %s when its value %j is bad', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} `));
  });

  it('needs TLS_CERT and TLS_KEY together', () => {
    expect(() => loadConfig({ TLS_CERT: 'cert.pem' })).toThrow(/TLS_CERT is set but TLS_KEY is not/);
  });
});
