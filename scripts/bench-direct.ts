// Issue 13: typed-to-shown over the direct path next to the relay path, in one run. Two pairs of
// Chromium profiles with the built extension on one real relay (loopback): the "direct" pair with
// Settings "Direct connections" on, connected over a data channel (People shows "direct" both
// sides), the "relay" pair with it off, as by default. Messages alternate between the pairs, one
// at a time, each sent once the last is shown, so the machine's load falls on both alike; the pair
// that goes first alternates too. Then the relay is killed and the direct pair goes on alone.
// Also counts, per message, which copy B showed first: the channel's (no seq yet) or the relay's.
// Prints figures; never asserts. Run through `npm run bench` (which builds first), or alone with
// `node scripts/loopback-only.mjs node --import tsx scripts/bench-direct.ts` after `npx vite build`.
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DIRECT_BURST, DIRECT_PER_SEC } from '../src/background/direct-path.ts';
import type { PopupPage } from '../tests/browser/popup-page.ts';
import { Profile } from '../tests/browser/profile.ts';
import { RelayProcess } from '../tests/browser/relay-process.ts';
import { summary, percentile, typedToShown, watchShown } from './typed-to-shown.ts';

/** Messages per path with the relay up; and over the direct path once it is down (0: skip). */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100);
const DOWN_MESSAGES = Number(process.env.BENCH_DOWN_MESSAGES ?? 50);
// A channel delivers DIRECT_BURST messages at once, then DIRECT_PER_SEC a second, and drops the
// rest (direct-path.ts rule 7): a phase longer than the burst is paced to the rate, so that every
// message can come over the channel, and the budget refills between phases.
const gapFor = (n: number) => (n > DIRECT_BURST ? 1000 / DIRECT_PER_SEC : 0);
const REFILL_MS = (DIRECT_BURST / DIRECT_PER_SEC) * 1000;

// Every popup notes the seq of the first `room-item` it gets for each text: null is the channel's
// copy (direct-receive.ts stores it without a seq), a number the relay's. A string, not a
// function: tsx would wrap a function in helpers the page lacks.
const FIRST_SEQ = `(() => {
  const c = globalThis.chrome;
  if (!c || !c.runtime || typeof c.runtime.connect !== 'function') return;
  const firstSeq = {};
  globalThis.firstSeq = firstSeq;
  const connect = c.runtime.connect.bind(c.runtime);
  c.runtime.connect = (...args) => {
    const port = connect(...args);
    port.onMessage.addListener((m) => {
      if (m && m.type === 'room-item' && m.item && m.item.kind === 'message' && !(m.item.text in firstSeq)) firstSeq[m.item.text] = m.item.seq;
    });
    return port;
  };
})();`;

const load = () => loadavg()[0]!.toFixed(2);
const relay = await RelayProcess.start({ RATE_PER_SEC: '1000', RATE_BURST: '1000', ADDRESS_RATE_PER_SEC: '1000', ADDRESS_RATE_BURST: '1000' });
const profiles = [new Profile('bench-direct-a'), new Profile('bench-direct-b'), new Profile('bench-relay-a'), new Profile('bench-relay-b')];
try {
  for (const p of profiles) await p.launch();
  for (const p of profiles) await p.ctx.addInitScript(FIRST_SEQ);
  const [da, db, ra, rb] = await Promise.all(profiles.map((p) => p.openPopup())) as [PopupPage, PopupPage, PopupPage, PopupPage];
  await da.saveSettings('A', relay.url, { direct: true });
  await db.saveSettings('B', relay.url, { direct: true });
  await ra.saveSettings('A', relay.url, { direct: false });
  await rb.saveSettings('B', relay.url, { direct: false });
  await db.joinRoom(await da.createRoom());
  await rb.joinRoom(await ra.createRoom());
  await Promise.all([da.memberShows('direct', 60_000), db.memberShows('direct', 60_000)]);
  await Promise.all([watchShown(db), watchShown(rb)]);

  const loadBefore = load();
  const direct: number[] = [];
  const relayed: number[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const viaDirect = () => typedToShown(da, db, `direct probe ${i}`).then((ms) => direct.push(ms));
    const viaRelay = () => typedToShown(ra, rb, `relay probe ${i}`).then((ms) => relayed.push(ms));
    if (i % 2 === 0) await viaDirect().then(viaRelay);
    else await viaRelay().then(viaDirect);
    if (gapFor(MESSAGES) > 0) await sleep(gapFor(MESSAGES));
  }
  const firstSeq = (popup: PopupPage) => popup.page.evaluate(() => (globalThis as unknown as { firstSeq: Record<string, number | null> }).firstSeq);
  // Which copy each line came from: a line not seen as a new item (shown with a page of the log
  // instead) is counted in neither.
  const copies = (seqs: Record<string, number | null>, prefix: string) => {
    const mine = Object.entries(seqs).filter(([t]) => t.startsWith(prefix));
    return `${mine.filter(([, s]) => s === null).length} shown first from the channel, ${mine.filter(([, s]) => s !== null).length} from the relay`;
  };
  const directSeqs = await firstSeq(db);
  console.log(`message typed in A -> shown in B, ${MESSAGES} messages per path, alternating, load average ${loadBefore} to ${load()}:`);
  console.log(`  direct path (relay up):  ${summary(direct)}; ${copies(directSeqs, 'direct probe ')} (target p95 < 10; issue 13)`);
  console.log(`  relay path (direct off): ${summary(relayed)}`);
  const ratio = (p: number) => (percentile(direct, p) / percentile(relayed, p)).toFixed(2);
  console.log(`  direct / relay: p50 ${ratio(50)}, p95 ${ratio(95)}, max ${ratio(100)}`);

  if (DOWN_MESSAGES > 0) {
    const refilled = sleep(REFILL_MS);
    await relay.kill('SIGKILL');
    await Promise.all([da, db].map((p) => p.page.locator('[data-testid=connection]:not(:has-text("online"))').waitFor()));
    await refilled;
    const loadDown = load();
    const down: number[] = [];
    for (let i = 0; i < DOWN_MESSAGES; i++) {
      down.push(await typedToShown(da, db, `relay down probe ${i}`));
      if (gapFor(DOWN_MESSAGES) > 0) await sleep(gapFor(DOWN_MESSAGES));
    }
    const downSeqs = await firstSeq(db);
    console.log(`  direct path, relay down: ${summary(down)}; ${DOWN_MESSAGES} messages, ${copies(downSeqs, 'relay down probe ')}, load average ${loadDown} to ${load()}`);
  }
} finally {
  await Promise.allSettled(profiles.map((p) => p.ctx?.close()));
  await relay.kill();
}
