import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import manifest from './manifest.json' with { type: 'json' };
import { firefoxManifest } from './build/firefox-manifest.ts';

/**
 * CRXJS lists every `?iife` script as web-accessible to all sites, which would let any page
 * probe for Parley. scripting.executeScript does not need that, so those entries are removed;
 * the overlay's page (declared in manifest.json, behind a per-session dynamic URL) stays.
 */
function noWebAccessibleOverlay(): Plugin {
  return {
    name: 'parley:no-web-accessible-overlay',
    apply: 'build',
    enforce: 'post',
    // After CRXJS has written its manifest: its own hooks run late and would add the entry back.
    writeBundle(options) {
      const file = resolve(options.dir ?? 'dist', 'manifest.json');
      const built = JSON.parse(readFileSync(file, 'utf8')) as { web_accessible_resources?: unknown };
      const entries = (built.web_accessible_resources ?? []) as { resources: string[] }[];
      built.web_accessible_resources = entries.filter((e) => !e.resources.some((r) => r.startsWith('src/content/')));
      writeFileSync(file, JSON.stringify(built, null, 2));
    },
  };
}

// `vite build` builds Chrome's dist/; `vite build --mode firefox` builds dist-firefox/ from the same
// sources (build/firefox-manifest.ts says what differs in the manifest, src/shared/browser-target.ts
// what differs at run time).
export default defineConfig(({ mode }) => {
  const firefox = mode === 'firefox';
  return {
    plugins: [
      crx({
        manifest: (firefox ? firefoxManifest(manifest) : manifest) as ManifestV3Export,
        browser: firefox ? 'firefox' : 'chrome',
      }),
      noWebAccessibleOverlay(),
    ],
    define: { __PARLEY_BROWSER__: JSON.stringify(firefox ? 'firefox' : 'chrome') },
    build: {
      outDir: firefox ? 'dist-firefox' : 'dist',
      emptyOutDir: true,
      target: firefox ? 'firefox140' : 'chrome116',
      // The overlay's page is reached only through web_accessible_resources, which CRXJS copies
      // as is; naming it as an input makes Vite build it like the popup. The offscreen document
      // (direct-path.ts) is reached only through chrome.offscreen, likewise.
      rollupOptions: { input: { overlay: 'src/overlay/index.html', ...(firefox ? {} : { offscreen: 'src/offscreen/index.html' }) } },
    },
  };
});
