import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KEEP_INSTALLS, PRUNE_AFTER_MS, pruneInstalls } from '../production-install.ts';

// tests/production-install.ts: the cache keeps the KEEP_INSTALLS most recently used complete
// installs and removes the rest, but never anything used within PRUNE_AFTER_MS (an hour), which a
// concurrent run may be using or building. Real folders in a scratch cache, with set times.
const DONE = '.parley-install-complete';
const HOUR = 60 * 60 * 1000;

describe('production install cache', () => {
  it('keeps the newest installs and anything used within the hour, and removes the rest', () => {
    expect(KEEP_INSTALLS).toBe(3);
    expect(PRUNE_AFTER_MS).toBe(HOUR);
    const cache = mkdtempSync(join(tmpdir(), 'parley-install-cache-'));
    onTestFinished(() => rmSync(cache, { recursive: true, force: true }));
    const now = Date.now();
    const entry = (name: string, ageMs: number, complete: boolean): void => {
      const dir = join(cache, name);
      mkdirSync(join(dir, 'node_modules'), { recursive: true });
      const when = new Date(now - ageMs);
      if (complete) {
        writeFileSync(join(dir, DONE), 'npm ci\n');
        utimesSync(join(dir, DONE), when, when);
      }
      utimesSync(dir, when, when);
    };
    entry('in-use', 30 * HOUR, true); // the run's own install: a hit on an old build
    entry('used-2h', 2 * HOUR, true);
    entry('used-3h', 3 * HOUR, true);
    entry('used-4h', 4 * HOUR, true); // beyond the newest three (with in-use): removed
    entry('used-5h', 5 * HOUR, true);
    entry('used-10min', 10 * 60 * 1000, true); // the newest: kept anyway
    entry('building.123-abcd', 5 * 60 * 1000, false); // another run is building it
    entry('died.456-beef', 3 * HOUR, false); // a build that died halfway
    entry('.removing-gone.789-cafe', 3 * HOUR, true); // a removal that was cut short

    const removed = pruneInstalls(cache, join(cache, 'in-use'), now);

    expect(removed.sort()).toEqual(['.removing-gone.789-cafe', 'died.456-beef', 'used-3h', 'used-4h', 'used-5h']);
    expect(readdirSync(cache).sort()).toEqual(['building.123-abcd', 'in-use', 'used-10min', 'used-2h']);
    expect(existsSync(join(cache, 'in-use', DONE))).toBe(true);
  });

  it('removes nothing used within the hour, however many there are', () => {
    const cache = mkdtempSync(join(tmpdir(), 'parley-install-cache-'));
    onTestFinished(() => rmSync(cache, { recursive: true, force: true }));
    for (let i = 0; i < 6; i++) {
      mkdirSync(join(cache, `recent-${i}`));
      writeFileSync(join(cache, `recent-${i}`, DONE), 'npm ci\n');
    }
    expect(pruneInstalls(cache, null, Date.now() + PRUNE_AFTER_MS - 60_000)).toEqual([]);
    expect(readdirSync(cache)).toHaveLength(6);
  });
});
