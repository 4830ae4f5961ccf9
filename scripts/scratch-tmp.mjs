#!/usr/bin/env node
// Runs a command with TMPDIR set to a scratch folder of its own, then deletes the folder: every
// test's relay database, browser profile, certificate and Chromium's own temporary files land there
// (os.tmpdir() reads TMPDIR), so a test run leaves nothing behind in /tmp, however its tests end.
// Usage: node scripts/scratch-tmp.mjs <command> [args...]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('scratch-tmp: usage: node scripts/scratch-tmp.mjs <command> [args...]');
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), 'parley-scratch-'));
const cleanUp = () => rmSync(scratch, { recursive: true, force: true });
const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, TMPDIR: scratch } });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  cleanUp();
  process.exit(code ?? (signal ? 128 : 1));
});
