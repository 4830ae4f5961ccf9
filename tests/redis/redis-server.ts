import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  /**
   * Keep data across restart(): an append-only file fsynced on every write, so a restart is a
   * Redis that comes back with everything. Without it a restart is a Redis that lost its data.
   */
  readonly persist?: boolean;
}

/**
 * A real, throwaway redis-server (Debian's package) as a child process on a free loopback port,
 * in a temporary folder of its own. Tests stop it with kill(); restart() brings it back on the
 * same port, with its data only when `persist` was asked for.
 */
export class RedisServer {
  child: ChildProcess | null = null;
  output = '';
  readonly dir = mkdtempSync(join(tmpdir(), 'parley-redis-'));

  private constructor(readonly port: number, readonly options: RedisServerOptions) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options);
    await server.restart();
    return server;
  }

  /** Starts (again) on the same port; resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (this.child !== null) throw new Error('redis-server is still running; kill() it first');
    const persistence = this.options.persist === true
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
      : ['--appendonly', 'no', '--save', ''];
    const child = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--protected-mode', 'yes',
      ...persistence,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        this.output += chunk.toString();
        if (this.output.includes('Ready to accept connections')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${this.output}`)));
    });
    await ready;
    this.output = '';
  }

  /** Ends the server at once (SIGKILL by default), as a crash or an operator would. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
