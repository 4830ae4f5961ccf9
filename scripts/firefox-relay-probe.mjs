#!/usr/bin/env node
// Does a Firefox build reach a relay? Installs an extension folder into Firefox ESR (puppeteer-core,
// WebDriver BiDi), starts the real relay on the default address (ws://127.0.0.1:8787), creates a
// room from the popup and prints what the relay saw (/metrics and its log).
// Run in the loopback-only namespace: node scripts/loopback-only.mjs node scripts/firefox-relay-probe.mjs [DIR]
// Exit 0: the relay accepted the extension's connection; 1: it did not within 15 s.
// A diagnostic tool for any extension folder (a hand-patched copy, an older build), not a test:
// that the build chats, and stays connected with no view open past Firefox's 30 s idle stop, is
// checked by tests/firefox/ (firefox-chromium-chat.test.ts, firefox-stays-awake.test.ts).
// With SNIFF=1, a bare TCP listener stands in for the relay and prints how each connection the
// extension opens begins: "GET /" (plain ws:// or http://) or a TLS ClientHello (upgraded to wss://).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer from 'puppeteer-core';

const ROOT = new URL('../', import.meta.url).pathname;
const dir = resolve(process.argv[2] ?? join(ROOT, 'dist-firefox'));
const id = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).browser_specific_settings.gecko.id;
const uuid = randomUUID();
const PORT = 8787;

if (process.env.SNIFF === '1') await sniff();

const data = mkdtempSync(join(tmpdir(), 'parley-ff-probe-'));
const relay = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
  cwd: ROOT, env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', HISTORY_PATH: join(data, 'relay.sqlite') },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let log = '';
relay.stdout.on('data', (c) => { log += c; });
relay.stderr.on('data', (c) => { log += c; });
await new Promise((ok, fail) => {
  relay.stdout.on('data', () => { if (log.includes('"listening"')) ok(); });
  relay.once('exit', (code) => fail(new Error(`relay exited ${code}: ${log}`)));
});

const metric = async (name) => {
  const text = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
};

async function launch() {
  return puppeteer.launch({
  browser: 'firefox', executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr', protocol: 'webDriverBiDi',
  headless: true,
  // WebDriver BiDi refuses to navigate to moz-extension:// pages unless system access is allowed.
  env: { ...process.env, MOZ_REMOTE_ALLOW_SYSTEM_ACCESS: '1' },
  // A known internal UUID, so the popup's moz-extension:// address is known.
  extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [id]: uuid }) },
  });
}

/** Installs the extension, opens its popup as a tab and creates a room (which opens its relay link). */
async function createRoom(browser) {
  await browser.installExtension(dir);
  const page = await browser.newPage();
  // Firefox's BiDi navigation to an extension page may not report its load: wait for the button.
  void page.goto(`moz-extension://${uuid}/src/popup/index.html`).catch(() => {});
  await page.waitForSelector('[data-testid="create-room"]', { timeout: 15_000 });
  await page.locator('[data-testid="create-room"]').click();
  return page;
}

async function sniff() {
  const net = await import('node:net');
  const seen = [];
  const server = net.createServer((socket) => socket.once('data', (b) => {
    seen.push(b[0] === 0x16 ? `TLS ClientHello (0x${b.subarray(0, 3).toString('hex')})` : JSON.stringify(b.subarray(0, 600).toString('latin1')));
    socket.destroy();
  }));
  await new Promise((ok) => server.listen(PORT, '127.0.0.1', ok));
  const browser = await launch();
  try {
    await createRoom(browser);
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && seen.length === 0) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1_000)); // the HTTP probe that may follow a failed socket
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`extension: ${dir}\nconnections to 127.0.0.1:${PORT} began with:\n  ${seen.join('\n  ')}`);
  process.exit(0);
}

const browser = await launch();
let ok = false;
try {
  const page = await createRoom(browser);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !ok) {
    ok = (await metric('parley_relay_connections_total')) > 0;
    if (!ok) await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`extension: ${dir}`);
  console.log(`relay connections accepted: ${await metric('parley_relay_connections_total')}, open: ${await metric('parley_relay_connections')}`);
  console.log(`popup says: ${(await page.$eval('body', (b) => b.innerText)).replace(/\s+/g, ' ').slice(0, 400)}`);
} finally {
  await browser.close();
  relay.kill('SIGTERM');
}
console.log('relay log:\n' + log.trim().split('\n').slice(0, 12).join('\n'));
console.log(ok ? "RESULT: the relay accepted the Firefox extension's connection" : 'RESULT: no connection reached the relay');
process.exit(ok ? 0 : 1);
