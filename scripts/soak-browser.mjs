#!/usr/bin/env node
// Flaky browser tests are defects; this finds them. Builds the extension once, then runs the
// browser suite N times in a row (default 10) while a CPU-heavy job keeps every core busy, and
// stops at the first failing run, printing which run and which tests failed. Not part of
// `npm test`: it takes N suite runs and loads the whole machine.
//
// Usage: node scripts/soak-browser.mjs [N] [vitest filters...]
//   e.g. node scripts/soak-browser.mjs 2 tests/browser/retention-gap.test.ts
// Env: SOAK_LOAD (busy processes, default one per core; 0 for none).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const [countArg, ...filters] = process.argv.slice(2);
const runs = countArg === undefined ? 10 : Number(countArg);
const loaders = process.env.SOAK_LOAD === undefined ? availableParallelism() : Number(process.env.SOAK_LOAD);
if (!Number.isSafeInteger(runs) || runs < 1) fail(`N must be a positive integer; got ${countArg}`);
if (!Number.isSafeInteger(loaders) || loaders < 0) fail(`SOAK_LOAD must be a non-negative integer; got ${process.env.SOAK_LOAD}`);

function fail(message) {
  console.error(`soak: ${message}`);
  process.exit(2);
}

const logs = mkdtempSync(join(tmpdir(), 'parley-soak-'));
console.log(`soak: building once, then ${runs} run(s) of the browser suite${filters.length ? ` (${filters.join(' ')})` : ''} under ${loaders} busy process(es); logs in ${logs}`);
// Both halves: the production-install tests run the compiled relay (relay-dist/).
const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
if (build.status !== 0) fail(`the build failed:\n${build.stdout}${build.stderr}`);

// The load: one busy loop per core, in its own process so the suite competes for every core.
const load = Array.from({ length: loaders }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopLoad = () => {
  for (const child of load) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.on('exit', stopLoad);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** Failed tests named in vitest's JSON report; a file that failed outside any test counts too. */
function failures(reportPath) {
  let report;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch {
    return ['(no test report: the run died before vitest wrote one; see its log)'];
  }
  const out = [];
  for (const file of report.testResults ?? []) {
    const name = file.name.replace(ROOT, '');
    const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const test of failed) out.push(`${name} > ${test.fullName}: ${String(test.failureMessages?.[0] ?? '').split('\n')[0]}`);
    if (failed.length === 0 && file.status === 'failed') out.push(`${name}: ${String(file.message ?? '').split('\n')[0]}`);
  }
  return out;
}

let passed = 0;
for (let run = 1; run <= runs; run++) {
  const reportPath = join(logs, `run-${run}.json`);
  const logPath = join(logs, `run-${run}.log`);
  const started = Date.now();
  // As `npm test` does (scripts/scratch-tmp.mjs): each run's profiles and relay databases in a
  // folder of its own, deleted after the run, so N runs do not fill /tmp.
  const scratch = mkdtempSync(join(tmpdir(), 'parley-soak-run-'));
  const result = spawnSync('node', [
    'scripts/loopback-only.mjs', 'npx', 'vitest', 'run', '--project', 'browser',
    '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`, ...filters,
  ], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TMPDIR: scratch } });
  rmSync(scratch, { recursive: true, force: true });
  writeFileSync(logPath, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status === 0) {
    passed++;
    console.log(`soak: run ${run}/${runs} passed in ${seconds} s`);
    continue;
  }
  console.log(`soak: run ${run}/${runs} FAILED after ${seconds} s (exit ${result.status ?? result.signal}); log: ${logPath}`);
  for (const line of failures(reportPath)) console.log(`  failed: ${line}`);
  break;
}
stopLoad();
console.log(`soak: ${passed} of ${runs} run(s) passed in a row under ${loaders} busy process(es)`);
process.exit(passed === runs ? 0 : 1);
