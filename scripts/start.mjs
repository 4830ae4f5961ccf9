#!/usr/bin/env node
// `npm start`: build the extension into dist/ (Chrome) and dist-firefox/ (Firefox) and the relay into relay-dist/, start the built relay
// on 127.0.0.1:8787, and say how to load the extension. The relay runs in the foreground; Ctrl+C stops it cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => resolve(root, 'node_modules/.bin', name);

const build = spawnSync(bin('vite'), ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const buildFirefox = spawnSync(bin('vite'), ['build', '--mode', 'firefox', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (buildFirefox.status !== 0) process.exit(buildFirefox.status ?? 1);
const buildRelay = spawnSync(process.execPath, [resolve(root, 'scripts/build-relay.mjs')], { cwd: root, stdio: 'inherit' });
if (buildRelay.status !== 0) process.exit(buildRelay.status ?? 1);

const port = process.env.PORT ?? '8787';
const host = process.env.HOST ?? '127.0.0.1';
console.log(`
Parley is built into ${resolve(root, 'dist')}

Load it in Chrome or Chromium:
  1. open chrome://extensions
  2. switch on "Developer mode" (top right)
  3. click "Load unpacked" and choose the dist/ folder above
  4. click the Parley icon in the toolbar (pin it from the puzzle-piece menu)

Or in Firefox (140 or later), from ${resolve(root, 'dist-firefox')}:
  1. open about:debugging#/runtime/this-firefox
  2. click "Load Temporary Add-on…" and choose dist-firefox/manifest.json
     (a temporary add-on is removed when Firefox quits; for a lasting install use the
     Firefox package from \`npm run package\`, signed through the add-on site)

The relay is starting on ws://${host}:${port} (the extension's default). Ctrl+C stops it.
`);

const relay = spawn(process.execPath, [resolve(root, 'relay-dist/relay/main.js')], { cwd: root, stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code) => process.exit(code ?? 0));
