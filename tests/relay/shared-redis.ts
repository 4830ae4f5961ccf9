import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { RelayConfig } from '../../relay/config.ts';
import { RedisServer } from '../redis/redis-server.ts';
import { startTestRelay, type TestRelay } from './relay.ts';

export interface SharedRedis {
  readonly url: string;
  /** A plain connection for a test to look at or change Redis behind the relays' backs. */
  readonly admin: Redis;
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** Two relay instances in this process on this Redis: to clients, one relay. */
  pair(overrides?: Partial<RelayConfig>): Promise<[TestRelay, TestRelay]>;
}

/** One real redis-server for the test file that calls this: started before its tests, stopped after. */
export function useSharedRedis(): SharedRedis {
  let server: RedisServer | undefined;
  let admin: Redis | undefined;
  beforeAll(async () => {
    server = await RedisServer.start();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });
  const started = (): RedisServer => {
    if (server === undefined) throw new Error('the shared redis-server is used outside a test');
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get admin() {
      started();
      return admin!;
    },
    kill: () => started().kill(),
    restart: () => started().restart(),
    pair: (overrides = {}) =>
      Promise.all([startTestRelay({ redisUrl: started().url, ...overrides }), startTestRelay({ redisUrl: started().url, ...overrides })]),
  };
}
