// Shared by scripts/fuzz-relay.ts and scripts/bench-*.ts: servers as child processes (so their CPU
// and memory are theirs alone, read from /proc), a small ws client that awaits frames by type, and
// statistics. Not a test helper: tests/relay/ has its own, tied to vitest.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { decodeRelayFrame } from '../src/shared/codec.ts';
import type { ClientToRelay, RelayFrameType, RelayToClient } from '../src/shared/protocol.ts';

export type FrameOf<T extends RelayFrameType> = Extract<RelayToClient, { type: T }>;

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly httpUrl: string;
  readonly exited: Promise<number | null>;
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`, which yields null). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `script` in its own node process with tsx loaded in-process (not the tsx CLI, which would
 * put a wrapper process between us and the server whose /proc figures we read). The script must log
 * a JSON line `{"event":"listening","url":…}` on stdout, as relay/main.ts does.
 */
export async function spawnServer(script: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${script} did not report listening within 20 s`)), 20_000);
    lines.on('line', (line) => {
      let event: { event?: unknown; url?: unknown; level?: unknown } = {};
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return;
      }
      if (event.event === 'listening' && typeof event.url === 'string') {
        clearTimeout(timer);
        resolve(event.url);
      } else if (event.level === 'error') {
        process.stderr.write(`${script}: ${line}\n`);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening`));
    });
  });
  const stop = async (graceMs = 5_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return { child, pid: child.pid!, url, httpUrl: url.replace(/^ws/, 'http'), exited, stop };
}

/** The relay as `npm run relay` runs it, in memory, quiet but for its listening line and errors. */
export const spawnRelay = (env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServerProcess> =>
  spawnServer('relay/main.ts', { PORT: '0', HOST: '127.0.0.1', HISTORY_PATH: ':memory:', LOG_LEVEL: 'info', ...env }, nodeArgs);

/**
 * Benchmarks run every client from 127.0.0.1, so per-address limits would measure the address, not
 * the relay: this lifts them (and the caps in all) for benches about something else.
 */
export const ONE_HOST_LIMITS: Record<string, string> = {
  ADDRESS_RATE_PER_SEC: '1000000', ADDRESS_RATE_BURST: '1000000', ADDRESS_RATE_KB_PER_SEC: '10000000',
  ADDRESS_CONNECTS_PER_MIN: '1000000', ADDRESS_CONNECT_BURST: '1000000', MAX_HANDSHAKES_PER_ADDRESS: '512',
  ADDRESS_MAX_BUFFERED_KB: '262144', MAX_CONNECTIONS: '100000', MAX_TRACKED_ADDRESSES: '200000',
  QUOTA_MAX_ADDRESSES: '200000',
  // Storage quotas too: every benchmark client shares one address and creates rooms and stores.
  ADDRESS_ROOMS_PER_HOUR: '1000000', ADDRESS_STORED_KB_PER_DAY: '1000000000',
};

/** Resident set size of a process in kilobytes, from /proc (VmRSS). */
export function rssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/** Clock ticks per second for /proc/<pid>/stat; 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** User + system CPU time of a process in microseconds, from /proc/<pid>/stat (10 ms resolution). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses; the fields after the last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / CLOCK_TICKS;
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile (0..100) of `values`, nearest rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

interface Waiter { accepts(frame: RelayToClient): boolean; resolve(frame: RelayToClient): void }

/**
 * A relay client that checks every frame it receives with the shared codec and queues it by type,
 * unless `onFrame` consumes it first (benchmarks count frames there without queueing them).
 */
export class WireClient {
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Frames that were not valid protocol; a correct relay never sends one. */
  invalidFrames = 0;
  onFrame: ((frame: RelayToClient, receivedAt: number) => boolean) | undefined;
  readonly #unread: RelayToClient[] = [];
  readonly #waiters = new Set<Waiter>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('message', (data, isBinary) => {
      const receivedAt = performance.now();
      const decoded = isBinary ? null : decodeRelayFrame(String(data));
      if (decoded === null || !decoded.ok) {
        this.invalidFrames++;
        return;
      }
      if (this.onFrame?.(decoded.value, receivedAt) === true) return;
      for (const waiter of this.#waiters) {
        if (!waiter.accepts(decoded.value)) continue;
        this.#waiters.delete(waiter);
        waiter.resolve(decoded.value);
        return;
      }
      this.#unread.push(decoded.value);
    });
  }

  static connect(url: string, timeoutMs = 10_000): Promise<WireClient> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('error', () => {}); // failures show as `closed` or as a frame that never comes
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no connection to ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new WireClient(socket));
      });
      socket.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`closed with ${code} before opening`));
      });
    });
  }

  send(frame: ClientToRelay): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = typeof data !== 'string'): void {
    this.socket.send(data, { binary });
  }

  next<T extends RelayFrameType>(type: T, timeoutMs = 10_000): Promise<FrameOf<T>> {
    const accepts = (frame: RelayToClient): frame is FrameOf<T> => frame.type === type;
    const index = this.#unread.findIndex(accepts);
    if (index >= 0) return Promise.resolve(this.#unread.splice(index, 1)[0] as FrameOf<T>);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        accepts,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame as FrameOf<T>);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no ${type} frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Joins and waits for the replay to finish; returns the ROOM frame. */
  async join(room: string, type: 'GETROOM' | 'ENTERROOM' = 'GETROOM'): Promise<FrameOf<'ROOM'>> {
    this.send({ type, room });
    const joined = await this.next('ROOM');
    await this.next('SYNCED');
    return joined;
  }

  close(): void {
    this.socket.terminate();
  }
}
