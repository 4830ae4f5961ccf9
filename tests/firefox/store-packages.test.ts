import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { expect, it } from 'vitest';

// Issue 12: `npm run package` makes a store-ready zip per browser from the builds `npm run build`
// made, and the Firefox one only when `web-ext lint` (the linter the add-on store runs) finds no error.

const ROOT = new URL('../../', import.meta.url).pathname;

/** One file's bytes from a zip (stored or deflated), read from its central directory. */
function fileInZip(zip: Buffer, name: string): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip: no end of central directory');
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const entry = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const local = zip.readUInt32LE(at + 42);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (entry !== name) continue;
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(data, data + size);
    return method === 0 ? raw : inflateRawSync(raw);
  }
  throw new Error(`${name} is not in the zip`);
}

it('packages a zip per browser, the Firefox one passing web-ext lint with no error', () => {
  const run = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  expect(run.stdout).toMatch(/web-ext lint: 0 errors/);
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

  const chrome = JSON.parse(fileInZip(readFileSync(join(ROOT, 'artifacts', `parley-chrome-${version}.zip`)), 'manifest.json').toString('utf8'));
  expect(chrome.background.service_worker).toBeTruthy();
  expect(chrome.browser_specific_settings).toBeUndefined();

  const firefox = JSON.parse(fileInZip(readFileSync(join(ROOT, 'artifacts', `parley-firefox-${version}.zip`)), 'manifest.json').toString('utf8'));
  expect(firefox.background.scripts?.length).toBeGreaterThan(0);
  expect(firefox.background.service_worker).toBeUndefined();
  expect(firefox.browser_specific_settings.gecko.id).toBeTruthy();
  expect(firefox.browser_specific_settings.gecko.data_collection_permissions).toEqual({ required: ['personalCommunications'] });
  // Both carry the same extension: the popup they open.
  expect(firefox.action.default_popup).toBe(chrome.action.default_popup);
}, 150_000);
