import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The permissions table in docs/security.md, checked against the manifest the build ships
// (dist/, as loaded by every other browser test), not the source config CRXJS rewrites.
const manifest = JSON.parse(readFileSync(new URL('../../dist/manifest.json', import.meta.url), 'utf8'));

describe('the built manifest asks for what docs/security.md says, and no more', () => {
  it('requests activeTab, scripting, alarms and offscreen only, and no host permissions at install', () => {
    expect([...manifest.permissions].sort()).toEqual(['activeTab', 'alarms', 'offscreen', 'scripting']);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_permissions).toBeUndefined();
    // Only asked for at runtime, one site at a time ("Keep Parley on a site").
    expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(manifest.content_scripts).toBeUndefined();
  });

  it('lets no web page connect, and exposes only the overlay page, at a per-session address', () => {
    expect(manifest.externally_connectable).toBeUndefined();
    expect(manifest.web_accessible_resources).toEqual([
      { matches: ['http://*/*', 'https://*/*'], resources: ['src/overlay/index.html'], use_dynamic_url: true },
    ]);
  });
});
