import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST_FIREFOX = join(ROOT, 'dist-firefox');
const DIST = join(ROOT, 'dist');

/** The built Firefox extension folder the tests install, and its add-on id (gecko id). */
export interface FirefoxExtension {
  readonly dir: string;
  readonly id: string;
}

let cached: FirefoxExtension | null = null;

/** dist-firefox/ (npm run build:firefox); until that build exists, a temporary patched copy of dist/. */
export function firefoxExtension(): FirefoxExtension {
  if (cached) return cached;
  const dir = existsSync(join(DIST_FIREFOX, 'manifest.json')) ? DIST_FIREFOX : temporaryFirefoxCopy();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error(`${dir}/manifest.json has no browser_specific_settings.gecko.id`);
  cached = { dir, id };
  return cached;
}

/**
 * TEMPORARY, until `npm run build:firefox` (issue 12's Firefox build) lands on main; then delete
 * this function and build dist-firefox/ before the tests. A copy of the Chrome build with the
 * three manifest changes Firefox needs to install and run it:
 * - background.scripts: Firefox runs the background as an event page, not a service worker;
 * - a gecko id (with the data-collection declaration new add-ons must make);
 * - content_security_policy.extension_pages without Firefox's MV3 default
 *   `upgrade-insecure-requests`, which turns ws://127.0.0.1 into wss:// and so never reaches a
 *   plain loopback relay ("up but did not accept the connection"); seen in this harness.
 */
function temporaryFirefoxCopy(): string {
  if (!existsSync(join(DIST, 'manifest.json'))) throw new Error('build the extension first: npx vite build');
  // One folder per checkout, made afresh by each test file (they run one at a time).
  const dir = join(tmpdir(), `parley-dist-firefox-temporary-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(DIST, dir, { recursive: true });
  const file = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { background: { service_worker?: string; scripts?: string[]; type?: string } };
  manifest.background = { scripts: [manifest.background.service_worker!], type: 'module' };
  manifest.browser_specific_settings = {
    gecko: { id: 'parley-temporary-test@example.invalid', strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } },
  };
  manifest.content_security_policy = { extension_pages: "script-src 'self'" };
  delete manifest.minimum_chrome_version;
  writeFileSync(file, JSON.stringify(manifest, null, 2));
  return dir;
}
