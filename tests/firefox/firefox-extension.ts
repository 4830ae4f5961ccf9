import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIST_FIREFOX = new URL('../../dist-firefox', import.meta.url).pathname;

/** The built Firefox extension folder the tests install, and its add-on id (gecko id). */
export interface FirefoxExtension {
  readonly dir: string;
  readonly id: string;
}

let cached: FirefoxExtension | null = null;

/** dist-firefox/, as `npm run build` (build:firefox, build/firefox-manifest.ts) makes it. */
export function firefoxExtension(): FirefoxExtension {
  if (cached) return cached;
  if (!existsSync(join(DIST_FIREFOX, 'manifest.json'))) throw new Error('build the Firefox extension first: npm run build:firefox');
  const manifest = JSON.parse(readFileSync(join(DIST_FIREFOX, 'manifest.json'), 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error(`${DIST_FIREFOX}/manifest.json has no browser_specific_settings.gecko.id`);
  cached = { dir: DIST_FIREFOX, id };
  return cached;
}
