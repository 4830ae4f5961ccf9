#!/usr/bin/env node
// Runs a command inside a fresh network namespace with only loopback up, so Chromium, the relay
// and test pages reach 127.0.0.1 and ::1 and nothing else. Usage: loopback-only.mjs CMD [ARGS...]
import { spawnSync } from 'node:child_process';

const quote = (a) => `'${a.replace(/'/g, "'\\''")}'`;
const command = process.argv.slice(2).map(quote).join(' ');
if (!command) {
  console.error('usage: loopback-only.mjs COMMAND [ARGS...]');
  process.exit(2);
}
const inner = `ip link set lo up && exec ${command}`;
// As root a plain new namespace; otherwise a user namespace maps us to root inside it.
const args = process.getuid?.() === 0 ? ['-n', 'sh', '-c', inner] : ['-r', '-n', 'sh', '-c', inner];
const run = spawnSync('unshare', args, { stdio: 'inherit' });
if (run.error) {
  console.error(`Cannot make a loopback-only network namespace (unshare): ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
