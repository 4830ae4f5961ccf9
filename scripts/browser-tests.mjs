#!/usr/bin/env node
// Runs the browser tests inside a fresh network namespace with only loopback up, so Chromium,
// the relay and the test pages can reach 127.0.0.1 and ::1 and nothing else on this machine.
import { spawnSync } from 'node:child_process';

const extra = process.argv.slice(2).map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
const inner = `ip link set lo up && exec npx vitest run --project browser ${extra}`;
const isRoot = process.getuid?.() === 0;
const args = isRoot ? ['-n', 'sh', '-c', inner] : ['-r', '-n', 'sh', '-c', inner];
const run = spawnSync('unshare', args, { stdio: 'inherit' });
if (run.error) {
  console.error(`Cannot make a loopback-only network namespace (unshare): ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
