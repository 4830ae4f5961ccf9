import { defineConfig } from 'vitest/config';

// Two projects: `unit` for single modules (no network), `relay` for a real relay on real sockets.
// Browser tests run outside vitest (scripts/browser-tests.mjs) because they need their own network
// namespace.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'relay', include: ['relay/**/*.test.ts', 'tests/relay/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      {
        test: {
          name: 'browser', include: ['tests/browser/**/*.test.ts'], environment: 'node',
          // Each file launches Chromium profiles; two cores do not fit two files at once.
          fileParallelism: false, testTimeout: 120_000, hookTimeout: 120_000,
        },
      },
      {
        test: {
          // Real Firefox (over WebDriver BiDi) with a real Chromium and a real relay: run on their own,
          // after the Chromium files, in the loopback-only namespace (npm run test:firefox).
          name: 'firefox', include: ['tests/firefox/**/*.test.ts'], environment: 'node',
          fileParallelism: false, testTimeout: 120_000, hookTimeout: 120_000,
        },
      },
    ],
  },
});
