import { onTestFinished } from 'vitest';
import type { ClientOptions } from 'ws';
import type { RelayConfig } from '../../relay/config.ts';
import { startRelay, type RunningRelay } from '../../relay/server.ts';
import { TestClient } from './client.ts';
import { LogLines } from './log-lines.ts';

export interface TestRelay extends RunningRelay {
  connect(options?: ClientOptions): Promise<TestClient>;
  httpUrl(path: string): string;
}

/** A test relay whose log lines (at `info` unless told otherwise) the test can read and await. */
export async function startLoggedRelay(overrides: Partial<RelayConfig> = {}): Promise<TestRelay & { logs: LogLines }> {
  const logs = new LogLines();
  const relay = await startRelay({ port: 0, historyPath: ':memory:', logLevel: 'info', ...overrides }, { writeLog: logs.write });
  onTestFinished(() => relay.close());
  return { ...testRelay(relay), logs };
}

/** A real relay in this process on a free port, quiet, in-memory unless told otherwise; stopped after the test. */
export async function startTestRelay(overrides: Partial<RelayConfig> = {}): Promise<TestRelay> {
  const relay = await startRelay({ port: 0, historyPath: ':memory:', logLevel: 'silent', ...overrides });
  onTestFinished(() => relay.close());
  return testRelay(relay);
}

function testRelay(relay: RunningRelay): TestRelay {
  return {
    ...relay,
    connect: (options) => TestClient.connect(relay.url, options),
    httpUrl: (path) => relay.url.replace(/^ws/, 'http') + path,
  };
}
