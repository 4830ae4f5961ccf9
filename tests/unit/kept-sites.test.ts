// "Keep Parley on a site" in the background (docs/security.md): every keep-site field is checked
// before anything is registered, Remove and a grant taken back in the browser unregister the
// site's script, and a page of a kept site opens on its room. The browser's permission, scripting
// and tabs APIs are stand-ins here; tests/browser/keep-site.test.ts drives the real ones.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const granted = new Set<string>();
/** The manifest's own host_permissions (a grant permissions.remove refuses to take). */
const required: string[] = [];

/**
 * Chromium's rule for whether granted pattern `g` covers `asked` (enough of it for these tests): same
 * scheme and host; a pattern with no port covers every port, one with a port only that port.
 */
function covers(g: string, asked: string): boolean {
  const parse = (p: string) => /^(https?):\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?\/\*$/.exec(p);
  const [a, b] = [parse(g), parse(asked)];
  if (!a || !b) return g === asked;
  return a[1] === b[1] && a[2] === b[2] && (a[3] === undefined || a[3] === (b[3] ?? (b[1] === 'https' ? '443' : '80')));
}
const registered = new Map<string, { id: string; matches?: string[]; js?: string[] }>();
const removedGrants: string[] = [];
const injected: number[] = [];
const tabs = new Map<number, { id: number; active: boolean; url?: string }>();
vi.mock('webextension-polyfill', () => ({
  default: {
    permissions: {
      contains: async ({ origins }: { origins: string[] }) => origins.every((o) => [...granted].some((g) => covers(g, o))),
      getAll: async () => ({ permissions: [], origins: [...granted] }),
      remove: async ({ origins }: { origins: string[] }) => {
        if (origins.some((o) => required.includes(o))) throw new Error('You cannot remove required permissions.');
        for (const o of origins) granted.delete(o);
        removedGrants.push(...origins);
        return true;
      },
    },
    scripting: {
      registerContentScripts: async (scripts: { id: string; matches?: string[]; js?: string[] }[]) => {
        for (const s of scripts) {
          if (registered.has(s.id)) throw new Error(`Duplicate script ID '${s.id}'`);
          registered.set(s.id, s);
        }
      },
      unregisterContentScripts: async ({ ids }: { ids: string[] }) => {
        for (const id of ids) if (!registered.delete(id)) throw new Error(`Nonexistent script ID '${id}'`);
      },
      getRegisteredContentScripts: async () => [...registered.values()],
      executeScript: async ({ target }: { target: { tabId: number } }) => {
        injected.push(target.tabId);
        return [];
      },
    },
    runtime: { getManifest: () => ({ host_permissions: [...required] }) },
    tabs: {
      get: async (id: number) => {
        const tab = tabs.get(id);
        if (!tab) throw new Error(`No tab with id: ${id}.`);
        return tab;
      },
    },
  },
}));
vi.mock('../../src/content/overlay-main.ts?iife', () => ({ default: 'overlay-main.js' }));

const { keepSiteIntent } = await import('../../src/background/intents/keep-site.ts');
const { forgetSiteIntent } = await import('../../src/background/intents/forget-site.ts');
const { KEEP_WAIT_MS, MAX_WAITING_KEEPS, permissionsAdded, permissionsRemoved, reconcileKeptSites, roomForKeptTab } = await import('../../src/background/kept-sites.ts');
const { loadKeptSites } = await import('../../src/background/kept-site-list.ts');
const { backgroundFixture } = await import('./background-fixture.ts');
const { MAX_KEPT_SITES } = await import('../../src/shared/kept-origin.ts');

const SITE = 'https://news.example';
/** SITE's pattern, as docs/security.md writes it: the default port named. */
const PATTERN = 'https://news.example:443/*';
/** The pattern an older Parley asked for: every port of the host. */
const WIDE = 'https://news.example/*';

beforeEach(() => {
  granted.clear();
  registered.clear();
  removedGrants.length = 0;
  injected.length = 0;
  tabs.clear();
  required.length = 0;
});

async function keptFixture() {
  const f = await backgroundFixture();
  const roomId = f.keys.roomId;
  tabs.set(5, { id: 5, active: true, url: `${SITE}/2026/story?id=3#c` });
  const keep = (fields: Partial<{ origin: unknown; roomId: unknown; tabId: unknown }>) =>
    keepSiteIntent(f.bg, { type: 'keep-site', origin: SITE, roomId, tabId: 5, ...fields } as never, f.view());
  const errors = () => f.posted.filter((m) => m.type === 'error').map((m) => (m as { code: string }).code);
  return { f, roomId, keep, errors };
}

describe('keep-site checks every field before it registers anything', () => {
  it('refuses an origin that is not one (a path, another scheme, a wildcard, not a string)', async () => {
    const { keep, errors } = await keptFixture();
    granted.add(PATTERN);
    for (const origin of [`${SITE}/`, `${SITE}/2026`, 'file:///', 'https://*.example', 42, null]) await keep({ origin });
    expect(errors()).toEqual(Array(6).fill('CANNOT_KEEP'));
    expect(registered.size).toBe(0);
  });

  it('refuses a site that is not the page the popup names, or a tab not showing', async () => {
    const { keep, errors } = await keptFixture();
    granted.add('https://other.example/*');
    await keep({ origin: 'https://other.example' });
    tabs.set(6, { id: 6, active: false, url: `${SITE}/` });
    granted.add(PATTERN);
    await keep({ tabId: 6 });
    await keep({ tabId: 99 });
    await keep({ tabId: '5' });
    expect(errors()).toEqual(Array(4).fill('CANNOT_KEEP'));
    expect(registered.size).toBe(0);
  });

  it('refuses a room that is not ours', async () => {
    const { keep, errors } = await keptFixture();
    granted.add(PATTERN);
    await keep({ roomId: 'not-a-room' });
    expect(errors()).toEqual(['CANNOT_KEEP']);
    expect(registered.size).toBe(0);
  });

  it(`keeps at most ${MAX_KEPT_SITES} sites`, async () => {
    const { f, keep, errors, roomId } = await keptFixture();
    f.bg.mem.keptSites = Array.from({ length: MAX_KEPT_SITES }, (_, i) => ({ origin: `https://s${i}.example`, roomId, keptAt: i }));
    granted.add(PATTERN);
    await keep({});
    expect(errors()).toEqual(['CANNOT_KEEP']);
    expect(registered.size).toBe(0);
  });

  it('keeps a granted site: one script for that origin, stored, and the overlay opened on the page now', async () => {
    const { f, keep, errors, roomId } = await keptFixture();
    granted.add(PATTERN);
    await keep({});
    expect(errors()).toEqual([]);
    expect([...registered.values()].map((s) => s.matches)).toEqual([[PATTERN]]);
    expect(await loadKeptSites(f.bg.db)).toEqual([{ origin: SITE, roomId, keptAt: expect.any(Number) }]);
    expect(injected).toEqual([5]);
    // Kept again: still one script.
    await keep({});
    expect(registered.size).toBe(1);
  });
});

describe('a keep-site sent before the browser answered (its question closes the popup)', () => {
  it('registers nothing until the grant, then keeps the site and opens the overlay', async () => {
    const { f, keep, errors, roomId } = await keptFixture();
    await keep({});
    expect(errors()).toEqual([]);
    expect(registered.size).toBe(0);
    granted.add('https://unrelated.example/*');
    await permissionsAdded(f.bg, ['https://unrelated.example/*']);
    expect(registered.size).toBe(0);
    granted.add(PATTERN);
    await permissionsAdded(f.bg, [PATTERN]);
    expect([...registered.values()].map((s) => s.matches)).toEqual([[PATTERN]]);
    expect((await loadKeptSites(f.bg.db)).map((s) => [s.origin, s.roomId])).toEqual([[SITE, roomId]]);
    expect(injected).toEqual([5]);
  });

  it(`waits ${KEEP_WAIT_MS / 60_000} minutes at most, and for ${MAX_WAITING_KEEPS} sites at most`, async () => {
    const { f, keep } = await keptFixture();
    await keep({});
    granted.add(PATTERN);
    await permissionsAdded(f.bg, [PATTERN], Date.now() + KEEP_WAIT_MS + 1);
    expect(registered.size).toBe(0);
    granted.clear();
    await keep({}); // the first of six
    for (let i = 0; i < MAX_WAITING_KEEPS; i++) {
      tabs.set(20 + i, { id: 20 + i, active: true, url: `https://s${i}.example/` });
      await keep({ origin: `https://s${i}.example`, tabId: 20 + i });
    }
    granted.add(PATTERN);
    await permissionsAdded(f.bg, [PATTERN]);
    expect(registered.size).toBe(0);
  });

  it('does not open the overlay on a tab that left the site meanwhile (it opens on the next load)', async () => {
    const { f, keep } = await keptFixture();
    await keep({});
    tabs.set(5, { id: 5, active: true, url: 'https://elsewhere.example/' });
    granted.add(PATTERN);
    await permissionsAdded(f.bg, [PATTERN]);
    expect(registered.size).toBe(1);
    expect(injected).toEqual([]);
  });
});

describe('taking it back', () => {
  it('forget-site unregisters the script, forgets the site and removes the grant', async () => {
    const { f, keep } = await keptFixture();
    granted.add(PATTERN);
    await keep({});
    await forgetSiteIntent(f.bg, { type: 'forget-site', origin: SITE }, f.view());
    expect(registered.size).toBe(0);
    expect(await loadKeptSites(f.bg.db)).toEqual([]);
    expect(removedGrants).toEqual([PATTERN]);
  });

  it('a grant taken back in the browser unregisters that site only', async () => {
    const { f, keep } = await keptFixture();
    granted.add(PATTERN);
    await keep({});
    tabs.set(8, { id: 8, active: true, url: 'http://127.0.0.1:3000/x' });
    granted.add('http://127.0.0.1:3000/*');
    await keep({ origin: 'http://127.0.0.1:3000', tabId: 8 });
    granted.delete(PATTERN);
    await permissionsRemoved(f.bg, [PATTERN]);
    expect([...registered.values()].map((s) => s.matches)).toEqual([['http://127.0.0.1:3000/*']]);
    expect((await loadKeptSites(f.bg.db)).map((s) => s.origin)).toEqual(['http://127.0.0.1:3000']);
  });

  it('on a worker start, drops a site whose grant is gone and a stray script of ours, and puts back a missing one', async () => {
    const { f, roomId } = await keptFixture();
    f.bg.mem.keptSites = [{ origin: SITE, roomId, keptAt: 1 }, { origin: 'https://gone.example', roomId, keptAt: 2 }];
    granted.add(PATTERN);
    registered.set('parley-keep https://stray.example', { id: 'parley-keep https://stray.example', matches: ['https://stray.example/*'] });
    registered.set('someone else', { id: 'someone else' });
    await reconcileKeptSites(f.bg);
    expect([...registered.keys()].sort()).toEqual([`parley-keep ${SITE}`, 'someone else']);
    // A script left by an older build (another file name) is replaced by this build's.
    registered.set(`parley-keep ${SITE}`, { id: `parley-keep ${SITE}`, matches: [PATTERN], js: ['old-overlay.js'] });
    await reconcileKeptSites(f.bg);
    expect(registered.get(`parley-keep ${SITE}`)?.js).toEqual(['overlay-main.js']);
    expect(f.bg.mem.keptSites.map((s) => s.origin)).toEqual([SITE]);
  });
});

describe('the room of a kept site', () => {
  it('opens a tab with no room chosen on the site\'s room; a chosen room and other frames stay as they are', async () => {
    const { f, keep, roomId } = await keptFixture();
    granted.add(PATTERN);
    await keep({});
    f.bg.overlayRooms.clear();
    await roomForKeptTab(f.bg, { tab: { id: 11 } as never, frameId: 0, url: `${SITE}/other` });
    expect(f.bg.overlayRooms.get(11)).toBe(roomId);
    f.bg.overlayRooms.set(12, 'chosen');
    await roomForKeptTab(f.bg, { tab: { id: 12 } as never, frameId: 0, url: `${SITE}/other` });
    expect(f.bg.overlayRooms.get(12)).toBe('chosen');
    await roomForKeptTab(f.bg, { tab: { id: 13 } as never, frameId: 3, url: `${SITE}/frame` });
    await roomForKeptTab(f.bg, { tab: { id: 14 } as never, frameId: 0, url: 'https://elsewhere.example/' });
    expect(f.bg.overlayRooms.has(13) || f.bg.overlayRooms.has(14)).toBe(false);
  });
});

describe('a kept site is exactly one origin, its default port named (docs/security.md)', () => {
  it('keeps a site on the default port with a pattern that names that port', async () => {
    const { keep } = await keptFixture();
    granted.add(PATTERN);
    await keep({});
    expect([...registered.values()].map((s) => s.matches)).toEqual([[PATTERN]]);
  });

  it('on a worker start, a script registered with the old, wide pattern is registered again with the site\'s own', async () => {
    const { f, roomId } = await keptFixture();
    f.bg.mem.keptSites = [{ origin: SITE, roomId, keptAt: 1 }];
    granted.add(PATTERN);
    registered.set(`parley-keep ${SITE}`, { id: `parley-keep ${SITE}`, matches: [WIDE], js: ['overlay-main.js'] });
    await reconcileKeptSites(f.bg);
    expect([...registered.values()].map((s) => s.matches)).toEqual([[PATTERN]]);
    expect(f.bg.mem.keptSites.map((s) => s.origin)).toEqual([SITE]);
  });

  it('on a worker start, a wide grant left by the old pattern is removed, and the site it alone covered is forgotten', async () => {
    const { f, roomId } = await keptFixture();
    f.bg.mem.keptSites = [{ origin: SITE, roomId, keptAt: 1 }, { origin: 'http://127.0.0.1:3000', roomId, keptAt: 2 }];
    granted.add(WIDE);
    granted.add('http://127.0.0.1:3000/*');
    registered.set(`parley-keep ${SITE}`, { id: `parley-keep ${SITE}`, matches: [WIDE], js: ['overlay-main.js'] });
    await reconcileKeptSites(f.bg);
    expect(granted.has(WIDE)).toBe(false);
    expect([...granted]).toEqual(['http://127.0.0.1:3000/*']);
    expect([...registered.values()].map((s) => s.matches)).toEqual([['http://127.0.0.1:3000/*']]);
    expect(f.bg.mem.keptSites.map((s) => s.origin)).toEqual(['http://127.0.0.1:3000']);
  });

  it('a wide grant the manifest itself lists stays (the browser will not take it), and the site stays kept', async () => {
    const { f, roomId } = await keptFixture();
    required.push(WIDE);
    granted.add(WIDE);
    f.bg.mem.keptSites = [{ origin: SITE, roomId, keptAt: 1 }];
    await reconcileKeptSites(f.bg);
    expect([...registered.values()].map((s) => s.matches)).toEqual([[PATTERN]]);
    expect(f.bg.mem.keptSites.map((s) => s.origin)).toEqual([SITE]);
  });

  it('a waiting keep asks the browser whether the grant is there, whatever words permissions.onAdded uses', async () => {
    const { f, keep } = await keptFixture();
    await keep({});
    granted.add(PATTERN);
    await permissionsAdded(f.bg, [WIDE]); // the same grant written without its default port
    expect([...registered.values()].map((s) => s.matches)).toEqual([[PATTERN]]);
  });
});

describe('a kept site whose room was left', () => {
  it('opens a new tab of the site on the room joined most recently', async () => {
    const { f, keep, roomId } = await keptFixture();
    granted.add(PATTERN);
    await keep({});
    const older = await f.storedRoom();
    const newer = await f.storedRoom();
    f.bg.mem.rooms.set(newer, { ...f.bg.mem.rooms.get(newer)!, joinedAt: 5 });
    f.bg.mem.rooms.delete(roomId); // left
    await roomForKeptTab(f.bg, { tab: { id: 11 } as never, frameId: 0, url: `${SITE}/other` });
    expect(f.bg.overlayRooms.get(11)).toBe(newer);
    expect(older).not.toBe(newer);
  });

  it('with no room at all, closes the overlay the script opened', async () => {
    const { f, keep, roomId } = await keptFixture();
    granted.add(PATTERN);
    await keep({});
    f.bg.mem.rooms.delete(roomId);
    const tab = hostPort(11, `${SITE}/other`, f.bg);
    await roomForKeptTab(f.bg, tab.port.sender);
    expect(f.bg.overlayRooms.has(11)).toBe(false);
    expect(tab.sent).toEqual([{ type: 'close-overlay' }]);
  });
});

/** A content script's host port in tab `tabId` on page `url`, registered as the background holds it. */
function hostPort(tabId: number, url: string, bg?: { overlayHosts: Map<number, unknown> }) {
  const sent: unknown[] = [];
  const port = { name: 'parley-overlay-host', sender: { url, frameId: 0, tab: { id: tabId } as never }, postMessage: (m: unknown) => void sent.push(m) };
  bg?.overlayHosts.set(tabId, port);
  return { port, sent };
}

describe('taking a site back closes the overlays open on it', () => {
  async function keptWithOverlays() {
    const { f, keep } = await keptFixture();
    granted.add(PATTERN);
    await keep({});
    const onSite = hostPort(21, `${SITE}/a?b`, f.bg);
    const otherPort = hostPort(22, 'https://news.example:8443/a', f.bg);
    const elsewhere = hostPort(23, 'https://elsewhere.example/', f.bg);
    return { f, onSite, otherPort, elsewhere };
  }

  it('Remove (forget-site)', async () => {
    const { f, onSite, otherPort, elsewhere } = await keptWithOverlays();
    await forgetSiteIntent(f.bg, { type: 'forget-site', origin: SITE }, f.view());
    expect(onSite.sent).toEqual([{ type: 'close-overlay' }]);
    expect([otherPort.sent, elsewhere.sent]).toEqual([[], []]);
  });

  it('a grant taken back in the browser (permissions.onRemoved)', async () => {
    const { f, onSite, otherPort, elsewhere } = await keptWithOverlays();
    granted.delete(PATTERN);
    await permissionsRemoved(f.bg, [PATTERN]);
    expect(onSite.sent).toEqual([{ type: 'close-overlay' }]);
    expect([otherPort.sent, elsewhere.sent]).toEqual([[], []]);
  });
});

describe('a keep the browser declined', () => {
  it('stops waiting: a grant made later another way keeps nothing', async () => {
    const { f, keep } = await keptFixture();
    await keep({});
    await forgetSiteIntent(f.bg, { type: 'forget-site', origin: SITE, declined: true }, f.view());
    granted.add(PATTERN);
    await permissionsAdded(f.bg, [PATTERN]);
    expect(registered.size).toBe(0);
    expect(await loadKeptSites(f.bg.db)).toEqual([]);
  });

  it('touches nothing else: a site kept already stays kept, with its grant and its overlays', async () => {
    const { f, keep } = await keptFixture();
    granted.add(PATTERN);
    await keep({});
    const onSite = hostPort(21, `${SITE}/a`, f.bg);
    await forgetSiteIntent(f.bg, { type: 'forget-site', origin: SITE, declined: true }, f.view());
    expect([...registered.values()].map((s) => s.matches)).toEqual([[PATTERN]]);
    expect(removedGrants).toEqual([]);
    expect(onSite.sent).toEqual([]);
  });
});
