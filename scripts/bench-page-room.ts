// A page's public room code: how long one derivation takes (PBKDF2-SHA256, PAGE_ROOM_KDF_ITERATIONS),
// in Node and in the built extension's service worker in Chromium, where "Chat about this page"
// runs it. The target is 0.3-1 s per derivation (docs/protocol.md "A public page room"): slow enough
// that a relay turning guessed addresses into room ids pays for each, quick enough for a click.
// Prints figures; never asserts. After `npx vite build`:
// `node scripts/loopback-only.mjs node --import tsx scripts/bench-page-room.ts`
import { PAGE_ROOM_KDF_ITERATIONS } from '../src/shared/constants.ts';
import { pageRoomCode } from '../src/shared/page-room.ts';
import { Profile } from '../tests/browser/profile.ts';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const line = (where: string, xs: number[]) =>
  console.log(`page room KDF (${PAGE_ROOM_KDF_ITERATIONS.toLocaleString('en')} iterations), ${where}: median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)} (${RUNS} runs)`);

const node: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  await pageRoomCode(`https://news.example/story/${i}`);
  node.push(performance.now() - t);
}
line(`Node ${process.version}`, node);

const profile = await new Profile('bench-page-room').launch();
try {
  const worker = await profile.worker();
  const chromium = await worker.evaluate(async ([iterations, runs]) => {
    const enc = new TextEncoder();
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const key = await crypto.subtle.importKey('raw', enc.encode(`https://news.example/story/${i}`), 'PBKDF2', false, ['deriveBits']);
      await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode('parley/v1 page room'), iterations }, key, 120);
      out.push(performance.now() - t);
    }
    return out;
  }, [PAGE_ROOM_KDF_ITERATIONS, RUNS] as const);
  line('Chromium service worker', chromium);
} finally {
  await profile.close();
}
