import type { Broker } from './broker.ts';
import type { RelayConfig } from './config.ts';
import { LocalBroker } from './local-broker.ts';
import type { Logger } from './log.ts';
import { RedisBroker } from './redis-broker.ts';
import { openSqliteHistory, retentionLimits } from './sqlite-history.ts';

/** REDIS_URL set: one of several instances on that Redis; unset: one process with history in SQLite. */
export function openBroker(config: RelayConfig, log: Logger): Promise<Broker> {
  if (config.redisUrl !== null) return RedisBroker.open(config, log);
  return Promise.resolve(new LocalBroker(openSqliteHistory(config.historyPath, retentionLimits(config))));
}
