import { RelayProcess } from '../browser/relay-process.ts';
import { RedisServer, type RedisServerOptions } from '../redis/redis-server.ts';

/**
 * A deployment of several instances as an operator runs it: one real redis-server and `count`
 * relay processes, each started as `npm run relay` is, with REDIS_URL pointing at it. Each instance
 * has its own port, as instances behind a load balancer do; a client picks one by its url.
 */
export interface Cluster {
  readonly redis: RedisServer;
  readonly relays: RelayProcess[];
  stop(): Promise<void>;
}

export async function startCluster(count: number, redisOptions: RedisServerOptions = {}, env: Record<string, string> = {}): Promise<Cluster> {
  const redis = await RedisServer.start(redisOptions);
  const relays: RelayProcess[] = [];
  try {
    // One at a time: three tsx start-ups at once only slow each other down on two cores.
    for (let i = 0; i < count; i++) relays.push(await RelayProcess.start({ REDIS_URL: redis.url, LOG_LEVEL: 'info', ...env }));
  } catch (error) {
    await Promise.allSettled(relays.map((relay) => relay.kill()));
    await redis.stop();
    throw error;
  }
  return {
    redis,
    relays,
    stop: async () => {
      await Promise.allSettled(relays.map((relay) => relay.kill()));
      await redis.stop();
    },
  };
}
