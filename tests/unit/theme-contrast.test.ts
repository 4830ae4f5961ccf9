import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The pairs theme.css promises in its header comment, checked in light and in dark. The ratio is
// WCAG 2's contrast ratio; AA asks 4.5:1 for text and 3:1 for what is not text (focus ring, a
// field's border, a status dot).
const css = readFileSync(new URL('../../src/ui/theme.css', import.meta.url), 'utf8');

function vars(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/(--pl-[a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}
const light = vars(css.slice(0, css.indexOf('@media')));
const darkBlock = css.slice(css.indexOf('@media (prefers-color-scheme: dark)'));
const dark = { ...light, ...vars(darkBlock.slice(0, darkBlock.indexOf('\n}'))) };

function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [16, 8, 0].map((s) => ((n >> s) & 255) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function ratio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const backgrounds = ['--pl-bg', '--pl-surface', '--pl-bubble', '--pl-bubble-mine'];
const text: [string, string][] = [
  ...['--pl-fg', '--pl-muted', '--pl-accent', '--pl-danger', '--pl-warn-fg'].flatMap((fg) => backgrounds.map((bg): [string, string] => [fg, bg])),
  ['--pl-accent-fg', '--pl-accent'],
  ['--pl-header-fg', '--pl-header-bg'],
  ['--pl-warn-fg', '--pl-warn-bg'],
  ['--pl-warn-bg', '--pl-warn-fg'],
  ['--pl-danger', '--pl-danger-bg'],
  ['--pl-bg', '--pl-danger'],
  ['--pl-fg', '--pl-border'],
];
const nonText: [string, string][] = [
  ...backgrounds.map((bg): [string, string] => ['--pl-focus', bg]),
  ['--pl-header-fg', '--pl-header-bg'], // the focus ring inside the header
  ['--pl-field-border', '--pl-bg'],
  ['--pl-ok', '--pl-bg'],
  ['--pl-danger', '--pl-bg'],
];

describe.each([['light', light], ['dark', dark]] as const)('theme.css, %s', (_name, scheme) => {
  it('defines every role, as a colour of its own in dark', () => {
    for (const role of Object.keys(light)) expect(scheme[role], role).toMatch(/^#[0-9a-f]{6}$/);
    if (scheme === dark) for (const role of Object.keys(light)) expect(vars(darkBlock)[role], `${role} has no dark value`).toBeDefined();
  });
  it.each(text)('text %s on %s reaches 4.5:1', (fg, bg) => {
    expect(ratio(scheme[fg]!, scheme[bg]!)).toBeGreaterThanOrEqual(4.5);
  });
  it.each(nonText)('%s against %s reaches 3:1', (fg, bg) => {
    expect(ratio(scheme[fg]!, scheme[bg]!)).toBeGreaterThanOrEqual(3);
  });
});

// Dark mode works only if nothing else names a colour: every stylesheet of the UI (the other
// components' own .css files too) takes its colours from theme.css's roles.
describe('stylesheets other than theme.css', () => {
  const dir = new URL('../../src/', import.meta.url);
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.css') && !f.endsWith('theme.css'));
  it.each(files)('%s names no colour of its own', (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const literal = /#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(|:\s*(?:white|black|red|green|blue|gray|grey)\b/gi;
    expect(text.match(literal) ?? []).toEqual([]);
  });
});
