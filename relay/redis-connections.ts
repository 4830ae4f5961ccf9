import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from './config.ts';
import { defineScripts, type Scripts } from './redis-scripts.ts';

/** A command Redis has not answered in this long fails (INTERNAL; the sender's outbox retries). */
const COMMAND_TIMEOUT_MS = 2_000;

export interface RedisConnections {
  /** Fails fast while Redis is unreachable: no offline queue, no resend of unanswered commands. */
  readonly commands: Redis;
  /** Subscriptions only; made again by the broker's resync after a reconnect, never by ioredis. */
  readonly subscriber: Redis;
  readonly scripts: Scripts;
}

/**
 * Connects both connections and loads the scripts, or throws a ConfigError naming REDIS_URL
 * (password hidden), so a relay that cannot reach Redis stops at startup with a clear message.
 */
export async function openRedisConnections(url: string, instance: string): Promise<RedisConnections> {
  const options: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  };
  // Named so an operator (and a test) can tell the connections apart in CLIENT LIST.
  const commands = new Redis(url, { ...options, commandTimeout: COMMAND_TIMEOUT_MS, connectionName: `parley-commands-${instance}` });
  const subscriber = new Redis(url, { ...options, autoResubscribe: false, connectionName: `parley-subscriber-${instance}` });
  // Going down and coming back are logged by the broker from 'close' and 'ready'.
  for (const connection of [commands, subscriber]) connection.on('error', () => {});
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
    return { commands, subscriber, scripts: await defineScripts(commands) };
  } catch (error) {
    closeRedisConnections({ commands, subscriber });
    throw redisStartupError(url, error);
  }
}

export function closeRedisConnections(connections: Pick<RedisConnections, 'commands' | 'subscriber'>): void {
  connections.commands.disconnect();
  connections.subscriber.disconnect();
}

export const redisStartupError = (url: string, error: unknown): ConfigError =>
  new ConfigError(`REDIS_URL: cannot use ${withoutPassword(url)}: ${error instanceof Error ? error.message : String(error)}`);

export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
