import { spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { productionInstall } from '../production-install.ts';
import { createTestCa } from '../tls/test-ca.ts';
import { TestClient, newRoomId, randomBody } from './client.ts';
import { LogLines } from './log-lines.ts';

// The relay from `npm ci --omit=dev` in a fresh directory, started with plain `node`: no tsx, no
// TypeScript, nothing of the repository's own node_modules. The install compiles better-sqlite3
// (about a minute on two cores, once per change of the lock or the build; cached after that).
const INSTALL_TIMEOUT_MS = 300_000;
let dir = '';

beforeAll(async () => {
  dir = await productionInstall();
}, INSTALL_TIMEOUT_MS);

function startInstalled(env: Record<string, string>) {
  const data = mkdtempSync(join(tmpdir(), 'parley-prod-data-'));
  onTestFinished(() => rmSync(data, { recursive: true, force: true }));
  // Only what an operator's shell would have: no NODE_OPTIONS (a loader), no npm settings.
  const child = spawn(process.execPath, [join(dir, 'relay-dist/relay/main.js')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', HISTORY_PATH: join(data, 'relay.sqlite'), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const logs = new LogLines();
  createInterface({ input: child.stdout }).on('line', logs.write);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, logs, exited, data };
}

describe('production install', () => {
  it('holds the relay and its runtime packages, and no TypeScript loader or build tool', () => {
    const has = (name: string) => existsSync(join(dir, 'node_modules', name));
    for (const needed of ['ws', 'better-sqlite3', 'valibot']) expect(has(needed), needed).toBe(true);
    for (const dev of ['tsx', 'typescript', '@typescript', 'vite', 'vitest', 'esbuild', 'rolldown', 'preact', 'idb', 'webextension-polyfill']) {
      expect(has(dev), dev).toBe(false);
    }
    const main = join(dir, 'relay-dist/relay/main.js');
    expect(readFileSync(main, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    accessSync(main, constants.X_OK);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ 'parley-relay': 'relay-dist/relay/main.js' });
  });

  it('two clients chat through it over wss, it serves the join page, SIGHUP reloads the certificate, SIGTERM stops it', async () => {
    const ca = createTestCa();
    onTestFinished(() => ca.remove());
    const tlsDir = mkdtempSync(join(tmpdir(), 'parley-prod-tls-'));
    onTestFinished(() => rmSync(tlsDir, { recursive: true, force: true }));
    const first = ca.issue(['relay-one.test']);
    const [cert, key] = [join(tlsDir, 'cert.pem'), join(tlsDir, 'key.pem')];
    copyFileSync(first.cert, cert);
    copyFileSync(first.key, key);

    const relay = startInstalled({ TLS_CERT: cert, TLS_KEY: key, TLS_RELOAD_MS: '3600000' });
    const listening = await relay.logs.event('listening');
    const url = String(listening.url);
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const trust = { ca: ca.pem, servername: 'relay-one.test' };

    const alice = await TestClient.connect(url, trust);
    const bob = await TestClient.connect(url, trust);
    const room = newRoomId();
    await alice.join(room);
    await bob.join(room);
    const body = randomBody();
    await alice.chat(room, body);
    expect((await bob.next('CHATMSG')).body).toBe(body);

    const page = await new Promise<{ status: number | undefined; csp: unknown }>((resolve, reject) => {
      https.get(`${url.replace(/^wss/, 'https')}/join?x=1`, trust, (res) => {
        res.resume();
        resolve({ status: res.statusCode, csp: res.headers['content-security-policy'] });
      }).once('error', reject);
    });
    expect(page).toMatchObject({ status: 200, csp: expect.stringMatching(/^default-src 'none'/) });
    expect(await relay.logs.event('http_request')).toMatchObject({ method: 'GET', path: '/join', status: 200, address: '127.0.0.1' });

    const second = ca.issue(['relay-one.test']);
    copyFileSync(second.cert, join(tlsDir, 'cert.new'));
    copyFileSync(second.key, join(tlsDir, 'key.new'));
    renameSync(join(tlsDir, 'cert.new'), cert);
    renameSync(join(tlsDir, 'key.new'), key);
    relay.child.kill('SIGHUP');
    expect(await relay.logs.event('tls_reloaded')).toMatchObject({ reason: 'signal', serial: second.serial });
    const carol = await TestClient.connect(url, trust);
    await carol.join(room);
    const later = randomBody();
    await bob.chat(room, later);
    expect((await alice.next('CHATMSG')).body).toBe(later);

    relay.child.kill('SIGTERM');
    expect((await alice.closed).code).toBe(4010);
    expect(await relay.exited).toBe(0);
    expect(existsSync(join(relay.data, 'relay.sqlite'))).toBe(true);
  });
});
