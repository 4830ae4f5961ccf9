// Where typed-to-shown time goes over the direct path, message by message: two profiles with
// "Direct connections" on, against a build instrumented with wall-clock marks
// (scripts/direct-trace.patch adds `mark()` calls and src/shared/trace.ts; it is never applied to
// src/ on a branch). Marks are read back through CDP from both service workers and B's popup; the
// offscreen documents' send and receive times travel with the message itself. First with the
// relay up (its copy races the channel's), then with the relay killed. Prints each stage's
// p50/p95/mean and share; never asserts.
//
// Run in a scratch copy:  git apply scripts/direct-trace.patch && npx vite build &&
//   node scripts/loopback-only.mjs node --import tsx scripts/bench-direct-trace.ts
import { setTimeout as sleep } from 'node:timers/promises';
import { DIRECT_BURST, DIRECT_PER_SEC } from '../src/background/direct-path.ts';
import type { PopupPage } from '../tests/browser/popup-page.ts';
import { Profile } from '../tests/browser/profile.ts';
import { RelayProcess } from '../tests/browser/relay-process.ts';
import { allShown, percentile, pressSend, shownAt, watchShown } from './typed-to-shown.ts';

/** Per phase; at most DIRECT_BURST, so that the channel's budget (direct-path.ts rule 7) drops none. */
const MESSAGES = Math.min(DIRECT_BURST, Number(process.env.BENCH_MESSAGES ?? 100));

interface Mark { k: string; n: string; t: number }
const readMarks = () => (globalThis as unknown as { __marks?: Mark[] }).__marks ?? [];

// The path of one message over the channel, in order: [source, mark, label]. A's marks and B's
// popup's are keyed by text, B's worker's by id.
type Source = 'bgA' | 'bgB' | 'viewB';
const PATH: [Source, string, string][] = [
  ['bgA', 'intent-start', 'A: popup port to worker, queue wait'],
  ['bgA', 'sealed', 'A: sign + seal (+ reply, thread reads)'],
  ['bgA', 'queued', 'A: queueOwnMessage (IDB write)'],
  ['bgA', 'direct-posted', 'A: sendDirect (post to offscreen port)'],
  ['bgB', 'ofs-tx', 'A: worker port to offscreen, channel.send'],
  ['bgB', 'ofs-rx', 'data channel A offscreen to B offscreen'],
  ['bgB', 'bg-port-rx', 'B: offscreen port to worker'],
  ['bgB', 'queue-start', 'B: wait in serial queue'],
  ['bgB', 'parsed', 'B: parse + checks'],
  ['bgB', 'dup-checked', 'B: roomKeys + dup check (IDB read)'],
  ['bgB', 'opened', 'B: AES-GCM open'],
  ['bgB', 'verified', 'B: Ed25519 verify + sender claim'],
  ['bgB', 'digest', 'B: reply/thread fields + body digest (SHA-256)'],
  ['bgB', 'waiting-made', 'B: makeRoomForWaiting (IDB rw, getAll pending)'],
  ['bgB', 'pcl-written', 'B: putChatLine (IDB rw: get + write)'],
  ['viewB', 'view-recv', 'B: worker port to popup'],
];

async function run(a: Profile, b: Profile, pa: PopupPage, pb: PopupPage, label: string, prefix: string): Promise<void> {
  const typed = new Map<string, number>();
  const texts: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const text = `${prefix} ${i}`;
    texts.push(text);
    typed.set(text, await pressSend(pa, text));
    await shownAt(pb, text);
  }
  const shown = await allShown(pb);
  const sources: Record<Source, Mark[]> = {
    bgA: await (await a.worker()).evaluate(readMarks),
    bgB: await (await b.worker()).evaluate(readMarks),
    viewB: await pb.page.evaluate(readMarks),
  };
  const index = new Map<string, number>();
  for (const [source, marks] of Object.entries(sources)) for (const m of marks) if (!index.has(`${source}|${m.k}|${m.n}`)) index.set(`${source}|${m.k}|${m.n}`, m.t);
  const idOf = new Map<string, string>();
  for (const m of sources.bgA) if (m.n.startsWith('id:')) idOf.set(m.k, m.n.slice(3));
  const stages = PATH.map(() => [] as number[]);
  const render: number[] = [];
  const totals: number[] = [];
  /** Per message shown from the channel, each stage's duration by the mark that ends it. */
  const byMark: Map<string, number>[] = [];
  let viaRelay = 0;
  // From A's outbox write (both copies leave right after it) to each copy reaching B's worker.
  const race = { channel: [] as number[], relay: [] as number[], out: [] as number[], sctp: [] as number[], back: [] as number[] };
  for (const text of texts) {
    const id = idOf.get(text) ?? '';
    const at = (source: Source, name: string) => index.get(`${source}|${text}|${name}`) ?? index.get(`${source}|${id}|${name}`);
    const relayPosted = at('bgB', 'relay-posted');
    const queued = at('bgA', 'queued');
    const channelIn = at('bgB', 'bg-port-rx');
    const relayIn = at('bgB', 'relay-rx');
    if (queued !== undefined && channelIn !== undefined && relayIn !== undefined) {
      race.channel.push(channelIn - queued);
      race.relay.push(relayIn - queued);
      race.out.push(at('bgB', 'ofs-tx')! - queued);
      race.sctp.push(at('bgB', 'ofs-rx')! - at('bgB', 'ofs-tx')!);
      race.back.push(channelIn - at('bgB', 'ofs-rx')!);
    }
    const times = [typed.get(text)!, ...PATH.map(([s, n]) => at(s, n))];
    // The relay's copy shown first: the channel's found it stored and stopped, with no stages to split.
    if (times.some((t) => t === undefined) || (relayPosted !== undefined && relayPosted < times[times.length - 2]!)) {
      viaRelay++;
      continue;
    }
    const durations = new Map<string, number>();
    for (let s = 0; s < PATH.length; s++) {
      stages[s]!.push(times[s + 1]! - times[s]!);
      durations.set(PATH[s]![1], times[s + 1]! - times[s]!);
    }
    byMark.push(durations);
    render.push(shown[text]! - times[times.length - 1]!);
    totals.push(shown[text]! - times[0]!);
  }
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const totalMean = mean(totals);
  console.log(`${label}: ${totals.length} of ${MESSAGES} shown first from the channel, ${viaRelay} from the relay`);
  const p = (v: number[]) => v.length ? `p50 ${percentile(v, 50).toFixed(1)} ms, p95 ${percentile(v, 95).toFixed(1)} ms (${v.length})` : 'none';
  if (race.relay.length) {
    console.log(`  A queued to the copy's arrival in B's worker: channel ${p(race.channel)}; relay ${p(race.relay)}; channel first for ${race.channel.filter((c, i) => c < race.relay[i]!).length}`);
    console.log(`    the channel's: A worker to A offscreen's send ${p(race.out)}; offscreen to offscreen ${p(race.sctp)}; B offscreen to B worker ${p(race.back)}`);
  }

  if (totals.length === 0) return;
  console.log(`  total: p50 ${percentile(totals, 50).toFixed(1)} ms, p95 ${percentile(totals, 95).toFixed(1)} ms, mean ${totalMean.toFixed(1)} ms`);
  const rows = [...PATH.map(([, , l], s) => ({ l, v: stages[s]! })), { l: 'B popup: to DOM (Preact render)', v: render }];
  for (const { l, v } of rows) {
    console.log(`  ${l.padEnd(48)} p50 ${percentile(v, 50).toFixed(2).padStart(6)}  p95 ${percentile(v, 95).toFixed(2).padStart(6)}  mean ${mean(v).toFixed(2).padStart(6)} ms  (${((mean(v) / totalMean) * 100).toFixed(0).padStart(2)}%)`);
  }
  // What-if: each message's total without the stages a change would take off the path. An
  // estimate: on a busy machine, time taken off one stage may partly reappear in another.
  const whatIf = (what: string, removed: string[]) => {
    const left = totals.map((total, i) => total - removed.reduce((sum, name) => sum + (byMark[i]!.get(name) ?? 0), 0));
    console.log(`  what if ${what.padEnd(76)} p50 ${percentile(left, 50).toFixed(1)} ms, p95 ${percentile(left, 95).toFixed(1)} ms`);
  };
  whatIf('B showed the channel\'s line before storing it (as showThenStore does)', ['waiting-made', 'pcl-written']);
  whatIf('A put it on the channel before its outbox write commits', ['queued']);
  whatIf('both', ['waiting-made', 'pcl-written', 'queued']);
}

const relay = await RelayProcess.start({ RATE_PER_SEC: '1000', RATE_BURST: '1000' });
const [a, b] = await Promise.all([new Profile('dtrace-a').launch(), new Profile('dtrace-b').launch()]);
try {
  const [pa, pb] = await Promise.all([a.openPopup(), b.openPopup()]);
  await pa.saveSettings('A', relay.url, { direct: true });
  await pb.saveSettings('B', relay.url, { direct: true });
  await pb.joinRoom(await pa.createRoom());
  await Promise.all([pa.memberShows('direct', 60_000), pb.memberShows('direct', 60_000)]);
  await watchShown(pb);
  await run(a, b, pa, pb, 'relay up', 'up probe');
  const refilled = sleep((DIRECT_BURST / DIRECT_PER_SEC) * 1000);
  await relay.kill('SIGKILL');
  await pa.page.locator('[data-testid=connection]:not(:has-text("online"))').waitFor();
  await refilled;
  await run(a, b, pa, pb, 'relay down', 'down probe');
} finally {
  await Promise.allSettled([a.close(), b.close()]);
  await relay.kill();
}
