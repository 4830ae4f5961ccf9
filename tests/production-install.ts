import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// The relay as an operator installs it (docs/deploy.md): package.json, package-lock.json and the
// built relay in a fresh directory, then `npm ci` without dev dependencies, from the npm cache only
// (the test machine's own `npm ci` filled it). better-sqlite3 compiles from source here, about a
// minute, so the result is kept on disk under a hash of everything that went in, and the relay and
// browser test projects share one install per change.

const ROOT = new URL('../', import.meta.url).pathname;
const DIST = join(ROOT, 'relay-dist');
const CACHE = join(tmpdir(), 'parley-production-install');
const DONE = '.parley-install-complete';

/**
 * The cache keeps the `KEEP_INSTALLS` most recently used complete installs (a few worktrees or
 * branches at once each keep theirs), and removes everything else in it (older installs, builds
 * that died halfway) only once it has not been used for `PRUNE_AFTER_MS`: a run that started
 * within the hour (another worktree, another test project) may be using it, or building it.
 * "Used" is the complete marker's time, touched on every hit; for anything else, its folder's.
 */
export const KEEP_INSTALLS = 3;
export const PRUNE_AFTER_MS = 60 * 60 * 1000;
const REMOVING = '.removing-';

/**
 * The exact command. `--omit=optional` as well as `--omit=dev`: valibot declares TypeScript as an
 * optional peer, which makes npm keep TypeScript (and its platform binary) in a `--omit=dev`
 * install; nothing the relay needs at run time is optional.
 */
export const INSTALL_COMMAND = ['npm', 'ci', '--omit=dev', '--omit=optional', '--offline', '--no-audit', '--no-fund'] as const;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** What the install depends on: the manifests, every built file, and the Node ABI better-sqlite3 is built for. */
function installKey(): string {
  const hash = createHash('sha256').update(`${process.version} ${process.arch} ${process.platform}\n`);
  for (const file of [join(ROOT, 'package.json'), join(ROOT, 'package-lock.json'), ...files(DIST)]) {
    hash.update(`${relative(ROOT, file)}\n`).update(readFileSync(file)).update('\n');
  }
  return hash.digest('hex').slice(0, 20);
}

function run(command: readonly string[], cwd: string): Promise<string> {
  // npm settings of the npm that runs the tests (`npm test` sets npm_config_*) must not leak into
  // this install, except where its cache is.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) || /^npm_config_cache$/i.test(name)));
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command.join(' ')} exited with ${code}:\n${output}`))));
  });
}

function lastUsed(path: string): number | null {
  try {
    return statSync(existsSync(join(path, DONE)) ? join(path, DONE) : path).mtimeMs;
  } catch {
    return null; // removed meanwhile by another run
  }
}

/**
 * Applies the rule above to `cache` (never touching `inUse`); returns the names it removed. Each
 * entry is first renamed out of the way (atomic: no run can find it half-removed and take it for
 * a complete install), then deleted. Best effort: a race with another run's pruning is harmless.
 */
export function pruneInstalls(cache = CACHE, inUse: string | null = null, now = Date.now()): string[] {
  if (!existsSync(cache)) return [];
  const entries = readdirSync(cache)
    .filter((name) => join(cache, name) !== inUse)
    .map((name) => ({ name, complete: !name.startsWith(REMOVING) && existsSync(join(cache, name, DONE)), used: lastUsed(join(cache, name)) }))
    .filter((entry): entry is { name: string; complete: boolean; used: number } => entry.used !== null);
  const kept = new Set(
    entries
      .filter((entry) => entry.complete)
      .sort((a, b) => b.used - a.used)
      .slice(0, Math.max(0, KEEP_INSTALLS - (inUse === null ? 0 : 1)))
      .map((entry) => entry.name),
  );
  const removed: string[] = [];
  for (const entry of entries) {
    if (kept.has(entry.name) || now - entry.used < PRUNE_AFTER_MS) continue;
    const doomed = entry.name.startsWith(REMOVING) ? join(cache, entry.name) : join(cache, `${REMOVING}${entry.name}.${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      if (doomed !== join(cache, entry.name)) renameSync(join(cache, entry.name), doomed);
      rmSync(doomed, { recursive: true, force: true });
      removed.push(entry.name);
    } catch {
      // Another run renamed or removed it first.
    }
  }
  return removed;
}

/** A directory holding a production install of the current build; `relay-dist/relay/main.js` is its entry. */
export async function productionInstall(): Promise<string> {
  if (!existsSync(join(DIST, 'relay', 'main.js'))) throw new Error('relay-dist/ is missing: run `npm run build:relay` (or `npm run build`) first');
  const dir = join(CACHE, installKey());
  const ready = (): string => {
    const now = new Date();
    // Marks it used, so no other run prunes it for the next hour.
    utimesSync(join(dir, DONE), now, now);
    pruneInstalls(CACHE, dir);
    return dir;
  };
  if (existsSync(join(dir, DONE))) return ready();
  mkdirSync(CACHE, { recursive: true });
  // Built beside the final place and renamed into it, so a run that dies halfway leaves nothing
  // that looks complete, and two runs at once both end with one whole install.
  const building = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(building);
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(ROOT, file), join(building, file));
    cpSync(DIST, join(building, 'relay-dist'), { recursive: true });
    await run(INSTALL_COMMAND, building);
    writeFileSync(join(building, DONE), `${INSTALL_COMMAND.join(' ')}\n`);
    renameSync(building, dir);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (existsSync(join(dir, DONE))) return ready();
    throw error;
  }
  return ready();
}
