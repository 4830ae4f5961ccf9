#!/usr/bin/env node
// `npm run build:relay`: the relay as plain JavaScript in relay-dist/, runnable with `node` from a
// production install (no TypeScript loader). tsc, not a bundler: one .js file per .ts file (stack
// traces and source maps name the real files), the same compiler as `npm run typecheck`, and the
// runtime packages (ws, better-sqlite3, valibot) stay plain imports resolved from node_modules.
import { spawnSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, 'relay-dist');
// A file deleted from relay/ must not live on in the build.
rmSync(out, { recursive: true, force: true });
const tsc = spawnSync(resolve(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.relay.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
chmodSync(resolve(out, 'relay/main.js'), 0o755);
