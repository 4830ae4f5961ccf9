// Where typed-to-shown time goes, message by message: the same two-profile run as
// scripts/bench-extension.ts, against a build instrumented with wall-clock marks
// (scripts/typed-to-shown-trace.patch adds `mark()` calls and src/shared/trace.ts; it is never
// applied to src/ on a branch). Marks are read back through CDP from both service workers and both
// popups, joined by message text and id, and each stage's p50/p95/mean is printed with its share.
// Prints figures; never asserts.
//
// With RELAY_TRACE_FILE set, the patched relay appends when each CHATMSG came in and when its ACK
// and fan-out were written, and the relay hop is split in three.
//
// Run in a scratch copy:  git apply scripts/typed-to-shown-trace.patch && npx vite build &&
//   node scripts/loopback-only.mjs node --import tsx scripts/bench-extension-trace.ts
import { existsSync, readFileSync } from 'node:fs';
import { Profile } from '../tests/browser/profile.ts';
import { RelayProcess } from '../tests/browser/relay-process.ts';
import { allShown, pressSend, shownAt, watchShown } from './typed-to-shown.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200);
/** Milliseconds between messages: 0 sends the next as soon as the last is shown, as bench-extension does. */
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 0);

interface Mark { k: string; n: string; t: number }
type MarksOf = () => Mark[];
const readMarks: MarksOf = () => (globalThis as unknown as { __marks?: Mark[] }).__marks ?? [];

/** BENCH_RELAY_MEMORY=1 runs the relay on `:memory:`, to tell its storage from the rest of the hop. */
const RELAY_MEMORY = process.env.BENCH_RELAY_MEMORY === '1';

const relay = await RelayProcess.start({ RATE_PER_SEC: '1000', RATE_BURST: '1000', ...(RELAY_MEMORY ? { HISTORY_PATH: ':memory:' } : {}) });
const [a, b] = await Promise.all([new Profile('trace-a').launch(), new Profile('trace-b').launch()]);
try {
  const [pa, pb] = await Promise.all([a.openPopup(), b.openPopup()]);
  await pa.saveSettings('A', relay.url);
  await pb.saveSettings('B', relay.url);
  await pb.joinRoom(await pa.createRoom());
  await watchShown(pb);
  const texts: string[] = [];
  const typed = new Map<string, number>();
  for (let i = 0; i < MESSAGES; i++) {
    const text = `latency probe ${i}`;
    texts.push(text);
    typed.set(text, await pressSend(pa, text));
    await shownAt(pb, text);
    if (GAP_MS > 0) await new Promise((r) => setTimeout(r, GAP_MS));
  }
  const shown = await allShown(pb);
  const sources = {
    bgA: await (await a.worker()).evaluate(readMarks),
    bgB: await (await b.worker()).evaluate(readMarks),
    viewA: await pa.page.evaluate(readMarks),
    viewB: await pb.page.evaluate(readMarks),
    relay: [] as Mark[],
  };
  const relayTrace = process.env.RELAY_TRACE_FILE;
  const relaySplit = relayTrace !== undefined && existsSync(relayTrace);
  if (relaySplit) {
    for (const line of readFileSync(relayTrace, 'utf8').split('\n').filter(Boolean)) {
      const { k, in: inAt, out } = JSON.parse(line) as { k: string; in: number; out: number };
      sources.relay.push({ k, n: 'relay-in', t: inAt }, { k, n: 'relay-out', t: out });
    }
  }

  // The path of one message, in order: [source, mark name (its key is the text or the id), label].
  type Step = [keyof typeof sources, string, string];
  const path: Step[] = [
    ['viewA', 'view-send', 'A popup: keydown to port post (composer)'],
    ['bgA', 'intent-recv', 'A: popup port to worker'],
    ['bgA', 'intent-start', 'A: wait in serial queue'],
    ['bgA', 'sm-room-checked', 'A: roomKeys + rooms get (IDB)'],
    ['bgA', 'sm-dup-checked', 'A: duplicate check (IDB)'],
    ['bgA', 'sm-settings', 'A: loadSettings (IDB)'],
    ['bgA', 'sm-signed', 'A: identity + Ed25519 sign + sender claim (IDB)'],
    ['bgA', 'sm-sealed', 'A: AES-GCM seal'],
    ['bgA', 'qom-tx-done', 'A: queueOwnMessage (IDB write, 2 stores)'],
    ['bgA', 'ws-sent:CHATMSG', 'A: flushRoomOutbox to socket.send (IDB reads)'],
    ...(relaySplit
      ? [
        ['relay', 'relay-in', 'A socket.send to relay receives (Chromium + TCP)'],
        ['relay', 'relay-out', 'relay: decode, store, ack, fan-out write'],
        ['bgB', 'ws-recv:CHATMSG', 'relay write to B onmessage (TCP + Chromium)'],
      ] satisfies Step[]
      : [['bgB', 'ws-recv:CHATMSG', 'relay + loopback (A send to B onmessage)']] satisfies Step[]),
    ['bgB', 'frame-start:CHATMSG', 'B: wait in serial queue'],
    ['bgB', 'oc-keys', 'B: isOnLink rooms get (IDB) + roomKeys'],
    ['bgB', 'oc-dup-checked', 'B: duplicate check (IDB)'],
    ['bgB', 'oc-opened', 'B: AES-GCM open'],
    ['bgB', 'ci-verified', 'B: ownIdentity + Ed25519 verify'],
    ['bgB', 'ci-fingerprint-safety', 'B: fingerprint + safety code (SHA-256)'],
    ['bgB', 'oc-checked', 'B: sender claim (IDB write)'],
    ['bgB', 'pcl-tx-done', 'B: putChatLine (IDB write, 2 stores)'],
    ['bgB', 'pcl-posted', 'B: postToWatchers'],
    ['viewB', 'view-recv:room-item', 'B: worker port to popup'],
    ['viewB', 'view-dispatched:room-item', 'B popup: reducer dispatch'],
  ];
  const index = new Map<string, number>();
  for (const [source, marks] of Object.entries(sources)) {
    for (const m of marks) {
      const key = `${source}|${m.k}|${m.n}`;
      if (!index.has(key)) index.set(key, m.t);
    }
  }
  const idOf = new Map<string, string>();
  for (const m of sources.bgA) if (m.n.startsWith('id:')) idOf.set(m.k, m.n.slice(3));

  const stages = path.map(() => [] as number[]);
  const render: number[] = [];
  const totals: number[] = [];
  const ackRoundTrips: number[] = [];
  /** Per message, each stage's duration by the mark that ends it, for the what-if sums below. */
  const byMark: Map<string, number>[] = [];
  let incomplete = 0;
  for (const text of texts) {
    const id = idOf.get(text);
    const at = (source: string, name: string) => index.get(`${source}|${text}|${name}`) ?? index.get(`${source}|${id}|${name}`);
    const times = [typed.get(text)!, ...path.map(([source, name]) => at(source, name))];
    const end = shown[text];
    if (id === undefined || end === undefined || times.some((t) => t === undefined)) {
      incomplete++;
      continue;
    }
    const durations = new Map<string, number>();
    for (let s = 0; s < path.length; s++) {
      stages[s]!.push(times[s + 1]! - times[s]!);
      durations.set(path[s]![1], times[s + 1]! - times[s]!);
    }
    byMark.push(durations);
    render.push(end - times[times.length - 1]!);
    const acked = at('bgA', 'ws-recv:ACK');
    if (acked !== undefined) ackRoundTrips.push(acked - at('bgA', 'ws-sent:CHATMSG')!);
    totals.push(end - times[0]!);
  }
  const q = (values: number[], p: number) => {
    const sorted = [...values].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  };
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  const totalMean = mean(totals);
  console.log(`typed-to-shown trace, ${totals.length} of ${MESSAGES} messages complete (${incomplete} without every mark), gap ${GAP_MS} ms between messages, relay history ${RELAY_MEMORY ? ':memory:' : 'in a SQLite file (WAL)'}`);
  console.log(`total: p50 ${q(totals, 50).toFixed(1)} ms, p95 ${q(totals, 95).toFixed(1)} ms, mean ${totalMean.toFixed(1)} ms`);
  const rows = [...path.map(([, , label], s) => ({ label, v: stages[s]! })), { label: 'B popup: dispatch to DOM (Preact render)', v: render }];
  for (const { label, v } of rows) {
    console.log(`  ${label.padEnd(52)} p50 ${q(v, 50).toFixed(2).padStart(6)}  p95 ${q(v, 95).toFixed(2).padStart(6)}  mean ${mean(v).toFixed(2).padStart(6)} ms  (${((mean(v) / totalMean) * 100).toFixed(0).padStart(2)}% of mean)`);
  }
  console.log(`A: CHATMSG sent to its ACK received (relay store + two loopback hops): p50 ${q(ackRoundTrips, 50).toFixed(2)} ms, p95 ${q(ackRoundTrips, 95).toFixed(2)} ms`);
  // What-if: each message's total without the stages a change would take off the path. An estimate:
  // on a busy machine, time taken off one stage may partly reappear as waiting in another.
  const whatIf = (label: string, removed: string[]) => {
    const left = totals.map((total, i) => total - removed.reduce((sum, name) => sum + (byMark[i]!.get(name) ?? 0), 0));
    console.log(`  what if ${label.padEnd(90)} p50 ${q(left, 50).toFixed(1)} ms, p95 ${q(left, 95).toFixed(1)} ms`);
  };
  const senderReads = ['sm-room-checked', 'sm-dup-checked', 'sm-settings', 'ws-sent:CHATMSG'];
  const receiverWrites = ['oc-keys', 'oc-dup-checked', 'oc-checked', 'pcl-tx-done'];
  const queueWaits = ['intent-start', 'frame-start:CHATMSG'];
  whatIf('A: rooms/settings in memory, dup check in the write, send without re-reading the outbox', senderReads);
  whatIf('B: route/dup/claim from memory, item posted before its IndexedDB write', receiverWrites);
  whatIf('both of the above', [...senderReads, ...receiverWrites]);
  whatIf('both, and no queue wait behind publishState/ACK work', [...senderReads, ...receiverWrites, ...queueWaits]);
  if (relaySplit) whatIf('both, no queue wait, and the relay\'s own work free (its upper bound)', [...senderReads, ...receiverWrites, ...queueWaits, 'relay-out']);
  // Work that is not on the path but can sit ahead of the next message in a serial queue.
  for (const [source, marks] of [['bgA', sources.bgA], ['bgB', sources.bgB]] as const) {
    const spans: number[] = [];
    let start: number | undefined;
    for (const m of marks) {
      if (m.n === 'publish-start') start = m.t;
      else if (m.n === 'publish-end' && start !== undefined) {
        spans.push(m.t - start);
        start = undefined;
      }
    }
    if (spans.length > 0) console.log(`${source} publishState: ${spans.length} runs, p50 ${q(spans, 50).toFixed(2)} ms, p95 ${q(spans, 95).toFixed(2)} ms`);
    const frameSpans = (type: string) => {
      const begun = new Map<string, number>();
      const out: number[] = [];
      for (const m of marks) {
        if (m.n === `frame-start:${type}`) begun.set(m.k, m.t);
        else if (m.n === `frame-end:${type}` && begun.has(m.k)) out.push(m.t - begun.get(m.k)!);
      }
      return out;
    };
    for (const type of ['CHATMSG', 'ACK']) {
      const spans2 = frameSpans(type);
      if (spans2.length > 0) console.log(`${source} ${type} task, start to end: ${spans2.length} runs, p50 ${q(spans2, 50).toFixed(2)} ms, p95 ${q(spans2, 95).toFixed(2)} ms`);
    }
  }
} finally {
  await Promise.allSettled([a.close(), b.close()]);
  await relay.kill();
}
