#!/usr/bin/env node
// Store packages from the built extension folders: artifacts/parley-chrome-<version>.zip from dist/
// and artifacts/parley-firefox-<version>.zip from dist-firefox/, after `web-ext lint` passes the
// Firefox build with no errors (its warnings are printed). `npm run package` builds both first.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import webExt from 'web-ext';

const ROOT = new URL('../', import.meta.url).pathname;
const ARTIFACTS = join(ROOT, 'artifacts');
const targets = [
  { browser: 'chrome', dir: join(ROOT, 'dist') },
  { browser: 'firefox', dir: join(ROOT, 'dist-firefox') },
];

for (const { dir } of targets) {
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.error(`package: ${dir} has no manifest.json; run \`npm run build\` first.`);
    process.exit(1);
  }
}
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
for (const { browser, dir } of targets) {
  const built = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).version;
  if (built !== version) {
    console.error(`package: ${browser} build is version ${built}, package.json says ${version}; build again.`);
    process.exit(1);
  }
}

// The linter AMO runs: no errors, or no Firefox package.
const lint = await webExt.cmd.lint(
  { sourceDir: targets[1].dir, output: 'none', metadata: false, pretty: false, warningsAsErrors: false, selfHosted: false, boring: true },
  { shouldExitProgram: false },
);
for (const problem of [...lint.errors, ...lint.warnings, ...lint.notices]) {
  console.log(`web-ext lint ${problem._type}: ${problem.code} ${problem.file ?? ''}${problem.line ? `:${problem.line}` : ''} ${problem.message}`);
}
console.log(`web-ext lint: ${lint.summary.errors} errors, ${lint.summary.warnings} warnings, ${lint.summary.notices} notices`);
if (lint.summary.errors > 0) process.exit(1);

mkdirSync(ARTIFACTS, { recursive: true });
for (const { browser, dir } of targets) {
  const filename = `parley-${browser}-${version}.zip`;
  const { extensionPath } = await webExt.cmd.build(
    { sourceDir: dir, artifactsDir: ARTIFACTS, filename, overwriteDest: true, ignoreFiles: ['.vite'] },
    { shouldExitProgram: false, showReadyMessage: false },
  );
  console.log(`package: ${extensionPath}`);
}
