import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

// review12: a user follows the README ("also run alone by `npm run test:firefox`"); every
// `npm run NAME` the README, the docs and the test config name must be a script in package.json.

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);

it('every npm run script the README, docs and vitest.config.ts name exists', () => {
  const files = ['README.md', 'docs/architecture.md', 'docs/security.md', 'docs/protocol.md', 'vitest.config.ts'];
  const named = new Set(files.flatMap((f) => [...read(f).matchAll(/npm run ([a-z][a-z:-]*)/g)].map((m) => m[1]!)));
  expect([...named].filter((name) => !scripts.includes(name))).toEqual([]);
});
