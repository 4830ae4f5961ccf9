// Extension figures: what a page gets injected, and how long a message typed in one browser
// takes to show in another (two Chromium profiles with the built extension, a real relay, loopback).
// Prints figures; never asserts. Run through `npm run bench` (which builds first), or alone with
// `node scripts/loopback-only.mjs node --import tsx scripts/bench-extension.ts` after `npm run build`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Profile } from '../tests/browser/profile.ts';
import { RelayProcess } from '../tests/browser/relay-process.ts';
import { summary, typedToShown, watchShown } from './typed-to-shown.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200);
const dist = new URL('../dist/', import.meta.url).pathname;

const manifest = JSON.parse(readFileSync(`${dist}manifest.json`, 'utf8')) as { content_scripts?: { js: string[] }[] };
const declared = (manifest.content_scripts ?? []).flatMap((c) => c.js);
const injectedAlways = declared.reduce((sum, f) => sum + gzipSync(readFileSync(dist + f)).length, 0);
const overlay = gzipSync(readFileSync(`${dist}src/content/overlay-main.js`)).length;
console.log(`injected into every page before the overlay opens: ${injectedAlways} bytes gzipped (${declared.length} declared content scripts; target < 3072)`);
console.log(`overlay script, injected on demand into one tab: ${(overlay / 1024).toFixed(1)} KB gzipped`);

const relay = await RelayProcess.start({ RATE_PER_SEC: '1000', RATE_BURST: '1000' });
const [a, b] = await Promise.all([new Profile('bench-a').launch(), new Profile('bench-b').launch()]);
try {
  const [pa, pb] = await Promise.all([a.openPopup(), b.openPopup()]);
  await pa.saveSettings('A', relay.url);
  await pb.saveSettings('B', relay.url);
  await pb.joinRoom(await pa.createRoom());
  // B notes, by the shared wall clock, when each text first appears in its chat log.
  await watchShown(pb);
  const latencies: number[] = [];
  for (let i = 0; i < MESSAGES; i++) latencies.push(await typedToShown(pa, pb, `latency probe ${i}`));
  console.log(`message typed in A -> shown in B, ${MESSAGES} messages: ${summary(latencies)} (target p95 < 20, loopback; issue 9)`);
} finally {
  await Promise.allSettled([a.close(), b.close()]);
  await relay.kill();
}
