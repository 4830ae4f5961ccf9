import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firefoxManifest } from '../../build/firefox-manifest.ts';

// The rules of docs/architecture.md "Where the browsers differ and why" (the manifest), applied to
// the project's own manifest.json.

const chrome = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('the Firefox manifest', () => {
  const firefox = firefoxManifest(chrome);

  it('runs the background module as an event page, not a service worker', () => {
    expect(firefox.background).toEqual({ scripts: ['src/background/index.ts'], type: 'module' });
  });

  it('keeps ws:// to a relay on this computer plain: no upgrade-insecure-requests, scripts only from the extension', () => {
    const csp = (firefox.content_security_policy as { extension_pages: string }).extension_pages;
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect(csp.split(';').map((d) => d.trim()).filter(Boolean)).toEqual(["script-src 'self'", "object-src 'self'"]);
  });

  it('names its add-on id, Firefox 140 as its floor (142 on Android) and collects no data', () => {
    expect(firefox.browser_specific_settings).toEqual({
      gecko: { id: 'parley@parley.chat', strict_min_version: '140.0', data_collection_permissions: { required: ['personalCommunications'] } },
      gecko_android: { strict_min_version: '142.0' },
    });
  });

  it("drops Chrome's minimum version and the offscreen permission, and changes nothing else", () => {
    expect(firefox).not.toHaveProperty('minimum_chrome_version');
    expect(firefox.permissions).toEqual((chrome.permissions as string[]).filter((p) => p !== 'offscreen'));
    const { background: _b, content_security_policy: _c, browser_specific_settings: _s, permissions: _p, ...rest } = firefox;
    const { background: _cb, minimum_chrome_version: _m, permissions: _cp, ...chromeRest } = chrome;
    expect(rest).toEqual(chromeRest);
  });

  it('leaves the manifest it was given as it was', () => {
    expect(chrome.background).toEqual({ service_worker: 'src/background/index.ts', type: 'module' });
    expect(chrome).toHaveProperty('minimum_chrome_version');
  });
});
