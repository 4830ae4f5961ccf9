#!/usr/bin/env node
// `npm run relay`: configuration from the environment, JSON logs on stdout, clean stop on signals.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger, errorText } from './log.ts';
import { startRelay } from './server.ts';

const log = createLogger('info');

try {
  const relay = await startRelay(loadConfig(process.env));
  const stop = (signal: NodeJS.Signals): void => {
    log.info('shutting_down', { signal });
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown_failed', { error: errorText(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // A renewed certificate (certbot's deploy hook, systemctl reload). Only with TLS: without it
  // SIGHUP keeps its default and ends the process, so a relay started in a terminal that is then
  // closed does not linger holding its port (docs/protocol.md, "TLS renewal").
  if (relay.config.tlsCert !== null) process.on('SIGHUP', () => relay.reloadTls());
} catch (error) {
  const message = error instanceof ConfigError ? error.message : errorText(error);
  log.error('startup_failed', { error: message });
  process.exit(1);
}
