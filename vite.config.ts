import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import manifest from './manifest.json' with { type: 'json' };

/**
 * CRXJS lists every `?iife` script as web-accessible to all sites, which would let any page
 * probe for Parley. scripting.executeScript does not need that, so the entry is removed.
 */
function noWebAccessibleOverlay(): Plugin {
  return {
    name: 'parley:no-web-accessible-overlay',
    apply: 'build',
    enforce: 'post',
    // After CRXJS has written its manifest: its own hooks run late and would add the entry back.
    writeBundle(options) {
      const file = resolve(options.dir ?? 'dist', 'manifest.json');
      const built = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      delete built.web_accessible_resources;
      writeFileSync(file, JSON.stringify(built, null, 2));
    },
  };
}

export default defineConfig({
  plugins: [crx({ manifest: manifest as ManifestV3Export }), noWebAccessibleOverlay()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome116',
  },
});
