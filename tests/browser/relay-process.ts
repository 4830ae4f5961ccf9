import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RelayProcessOptions {
  /** Run the built relay of this production install (tests/production-install.ts) with plain node. */
  readonly installDir?: string;
  /** The host name in `url` (e.g. `relay-one.test`, mapped to 127.0.0.1 in Chromium); 127.0.0.1 by default. */
  readonly hostName?: string;
}

/** The real relay as its own process, as `npm run relay` (or, with installDir, a production install) starts it. */
export class RelayProcess {
  child: ChildProcess | null = null;
  output = '';
  readonly dataDir = mkdtempSync(join(tmpdir(), 'parley-relay-'));

  constructor(readonly port: number, readonly env: Record<string, string> = {}, readonly options: RelayProcessOptions = {}) {}

  /** wss:// when the env sets TLS_CERT, on the host name asked for. */
  get url(): string {
    const scheme = this.env.TLS_CERT === undefined ? 'ws' : 'wss';
    return `${scheme}://${this.options.hostName ?? '127.0.0.1'}:${this.port}`;
  }

  static async start(env: Record<string, string> = {}, options: RelayProcessOptions = {}): Promise<RelayProcess> {
    const relay = new RelayProcess(await freePort(), env, options);
    await relay.restart();
    return relay;
  }

  /** Starts (again) on the same port and database; resolves once it logs that it listens. */
  async restart(): Promise<void> {
    // `node --import tsx`, not the tsx CLI: the CLI runs the relay in a child process, and a
    // SIGKILL aimed at the CLI would leave the real relay running as an orphan.
    const installDir = this.options.installDir;
    const { NODE_OPTIONS: _loader, ...inherited } = process.env;
    const [args, cwd] = installDir === undefined
      ? [['--import', 'tsx', 'relay/main.ts'], ROOT]
      : [[join(installDir, 'relay-dist/relay/main.js')], installDir];
    const child = spawn(process.execPath, args, {
      cwd,
      env: {
        // A production install runs without any loader the test runner may have put in NODE_OPTIONS.
        ...(installDir === undefined ? process.env : inherited), PORT: String(this.port), HOST: '127.0.0.1',
        HISTORY_PATH: join(this.dataDir, 'relay.sqlite'), ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // Only this process's own lines count: after a restart, the last process's "listening" is
    // still in `output`.
    let own = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        own += chunk.toString();
        this.#append(chunk);
        if (own.split('\n').some((line) => line.includes('"listening"'))) {
          child.stdout!.off('data', onData);
          child.stdout!.on('data', (c: Buffer) => this.#append(c));
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => this.#append(c));
      child.once('exit', (code) => reject(new Error(`relay exited with ${code} before listening:\n${this.output}`)));
    });
  }

  readonly #waiters = new Set<() => void>();

  #append(chunk: Buffer): void {
    this.output += chunk.toString();
    for (const check of [...this.#waiters]) check();
  }

  /**
   * Resolves once the relay's output holds `text`: a log line is written when the relay has
   * answered, so a client can have the answer before the line reaches us.
   */
  waitForOutput(text: string): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!this.output.includes(text)) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Deletes the relay's database, as an operator who lost the disk would. Only while stopped. */
  wipe(): void {
    if (this.child) throw new Error('stop the relay before wiping its database');
    for (const f of readdirSync(this.dataDir)) rmSync(join(this.dataDir, f), { force: true });
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
