import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/** A directory holding a production install of the current build; `relay-dist/relay/main.js` is its entry. */
export async function productionInstall(): Promise<string> {
  if (!existsSync(join(DIST, 'relay', 'main.js'))) throw new Error('relay-dist/ is missing: run `npm run build:relay` (or `npm run build`) first');
  const dir = join(CACHE, installKey());
  if (existsSync(join(dir, DONE))) return dir;
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
    if (existsSync(join(dir, DONE))) return dir;
    throw error;
  }
  return dir;
}
