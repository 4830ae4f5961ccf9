import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { TestClient, newRoomId } from './client.ts';

interface LogLine { level: string; event: string; [field: string]: unknown }

/** `relay/main.ts` as `npm run relay` runs it (tsx), with its JSON log lines as they come. */
function runRelay(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
    env: { ...process.env, HISTORY_PATH: ':memory:', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const lines: LogLine[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line) as LogLine);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const signalled = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, signal) => resolve(signal)));
  const event = async (name: string): Promise<LogLine> => {
    for (;;) {
      const found = lines.find((line) => line.event === name);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { child, exited, signalled, event };
}

describe('relay/main.ts', () => {
  it('logs JSON, and on SIGTERM closes clients with 4010 and exits 0', async () => {
    const relay = runRelay({});
    const listening = await relay.event('listening');
    expect(listening).toMatchObject({ level: 'info', url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/) });
    const alice = await TestClient.connect(String(listening.url));
    await alice.join(newRoomId());
    relay.child.kill('SIGTERM');
    expect((await alice.closed).code).toBe(4010);
    expect(await relay.exited).toBe(0);
  });

  it('without TLS, ends on SIGHUP (a closed terminal), so it does not keep its port', async () => {
    // docs/protocol.md, "TLS renewal": SIGHUP is handled only when TLS_CERT/TLS_KEY are set.
    const relay = runRelay({});
    await relay.event('listening');
    relay.child.kill('SIGHUP');
    expect(await relay.signalled).toBe('SIGHUP');
  });

  it('refuses to start on a bad variable, naming it', async () => {
    const relay = runRelay({ MAX_MEMBERS_PER_ROOM: 'lots' });
    expect(await relay.event('startup_failed')).toMatchObject({ level: 'error', error: expect.stringMatching(/^MAX_MEMBERS_PER_ROOM /) });
    expect(await relay.exited).toBe(1);
  });

  it('starts with an IDLE_TIMEOUT_MS below the 15 s keepalive, but warns naming both numbers', async () => {
    // docs/protocol.md, "Keepalive and idle connections".
    const relay = runRelay({ IDLE_TIMEOUT_MS: '10000' });
    expect(await relay.event('idle_timeout_below_keepalive')).toMatchObject({ level: 'warn', IDLE_TIMEOUT_MS: 10000, KEEPALIVE_INTERVAL_MS: 15000 });
    await relay.event('listening');
  });
});
