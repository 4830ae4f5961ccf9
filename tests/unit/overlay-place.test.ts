// The overlay's place per site (docs/architecture.md, "The overlay's chrome and place"): the
// expected answers below are the doc's rules, not read from the code under test.
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';

vi.mock('webextension-polyfill', () => ({ default: { action: { setBadgeText: async () => {} } } }));
import { openParleyDb } from '../../src/background/db.ts';
import { loadPlace, storePlace, validPlace } from '../../src/background/overlay-place.ts';

const good = { side: null, left: 100, top: 50, width: 320, height: 448, minimised: false };

describe('a save-place from a content script', () => {
  it('is kept as sent when every field is what the doc says', () => {
    expect(validPlace(good)).toEqual(good);
    expect(validPlace({ ...good, side: 'left', minimised: true })).toEqual({ ...good, side: 'left', minimised: true });
  });

  it.each([
    ['a side that is not left, right or null', { ...good, side: 'top' }],
    ['a number that is not finite', { ...good, left: Number.NaN }],
    ['an infinite size', { ...good, width: Number.POSITIVE_INFINITY }],
    ['a number sent as text', { ...good, top: '5' }],
    ['minimised that is not a boolean', { ...good, minimised: 1 }],
    ['no object at all', null],
  ])('is ignored with %s', (_why, raw) => {
    expect(validPlace(raw)).toBeNull();
  });

  it('has its width clamped to 240..1200, its height to 200..1600, its offsets to 0..20000', () => {
    expect(validPlace({ ...good, width: 10, height: 10, left: -50, top: -1 })).toMatchObject({ width: 240, height: 200, left: 0, top: 0 });
    expect(validPlace({ ...good, width: 5000, height: 5000, left: 1e9, top: 1e9 })).toMatchObject({ width: 1200, height: 1600, left: 20000, top: 20000 });
  });
});

describe('places remembered per site', () => {
  it('keeps at most 200 sites, forgetting the least recently placed first', async () => {
    const db = await openParleyDb(`places-${Math.random()}`);
    for (let i = 0; i < 201; i++) await storePlace(db, `https://site${i}.example`, { ...good, left: i }, 1000 + i);
    expect(await loadPlace(db, 'https://site0.example')).toBeNull();
    expect(await loadPlace(db, 'https://site1.example')).toEqual({ ...good, left: 1 });
    expect(await loadPlace(db, 'https://site200.example')).toEqual({ ...good, left: 200 });
    // Placing an old site again makes it recent: the next one forgotten is the oldest other.
    await storePlace(db, 'https://site1.example', good, 5000);
    await storePlace(db, 'https://new.example', good, 5001);
    expect(await loadPlace(db, 'https://site1.example')).toEqual(good);
    expect(await loadPlace(db, 'https://site2.example')).toBeNull();
  });
});
