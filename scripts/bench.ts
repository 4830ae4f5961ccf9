// `npm run bench`: runs each benchmark in turn, each as its own process, and prints their figures.
// Benchmarks never assert timings; DESIGN.md ("Performance targets") says what to compare against.
// The load average is printed first because the figures mean little on a machine that is busy
// with something else.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

const BENCHES = [
  'scripts/bench-relay-cpu.ts',
  'scripts/bench-redis.ts', // issue 9: cross-instance latency, deliveries per core on 1 and 3 instances
  'scripts/bench-flood.ts',
  'scripts/bench-storage.ts', // bytes one address can make the relay store per day
  'scripts/bench-limits.ts', // what one hostile address costs the relay at its default limits
  'scripts/bench-access-log.ts', // access log one socket can make the relay write
  'scripts/bench-extension.ts',
  'scripts/bench-big-room.ts', // issue 10: a 10,000-message room opened and joined
  'scripts/bench-search.ts', // issue 10: search over a 10,000-line room
  'scripts/bench-page-room.ts', // issue 11: one page room derivation (PBKDF2), Node and Chromium
  'scripts/bench-direct.ts', // issue 13: typed-to-shown over the direct path next to the relay path
];
// Benchmarks that drive Chromium run in a loopback-only network namespace, like the browser tests.
const IN_LOOPBACK_NAMESPACE = new Set(['scripts/bench-extension.ts', 'scripts/bench-big-room.ts', 'scripts/bench-search.ts', 'scripts/bench-page-room.ts', 'scripts/bench-direct.ts']);

const started = performance.now();
console.log(`bench: ${cpus().length} cores, Node ${process.version}, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n== ${bench}`);
  const command = [process.execPath, '--import', 'tsx', bench];
  if (IN_LOOPBACK_NAMESPACE.has(bench)) command.unshift(process.execPath, 'scripts/loopback-only.mjs');
  const result = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`${bench} exited with ${result.status ?? result.signal}`);
  }
}
console.log(`\nbench: ${((performance.now() - started) / 1000).toFixed(0)} s, load average now ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
process.exitCode = failed === 0 ? 0 : 1;
