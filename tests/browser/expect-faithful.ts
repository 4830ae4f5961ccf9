import { expect } from 'vitest';
import type { Box, ChatReport } from './chat-inspect.ts';
import { PAYLOADS } from './xss-payloads.ts';

// What a chat view must show for the XSS corpus (tests/browser/xss-payloads.ts), whichever browser
// shows it: shared by the Chromium popup and overlay test and the Firefox popup test.

const SENT = PAYLOADS.map((p) => p.text);
const ALLOWED_TAGS = ['A', 'BDI', 'DIV', 'SPAN'];

const inside = (inner: Box, outer: Box) =>
  inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;

/** Everything a view must show for the corpus; failures name the payload, not a 10,000-character diff. */
export function expectFaithful(report: ChatReport, view: string): void {
  expect(report.texts.length, `${view}: one message per payload`).toBe(SENT.length);
  const wrongText = PAYLOADS.filter((p, i) => report.texts[i] !== p.text).map((p) => p.name);
  expect(wrongText, `${view}: messages that do not show exactly what was sent`).toEqual([]);

  const wrongLinks = PAYLOADS.flatMap((p, i) => {
    const expected = (p.links ?? []).map((raw) => ({ href: new URL(raw).href, text: raw }));
    const actual = report.links[i]!.map((l) => ({ href: l.href, text: l.text }));
    return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [`${p.name}: ${JSON.stringify(actual).slice(0, 300)}`];
  });
  expect(wrongLinks, `${view}: links that differ from the http(s) URLs in the text`).toEqual([]);
  for (const link of report.links.flat()) {
    expect(new URL(link.href).protocol, `${view}: link ${link.href.slice(0, 80)}`).toMatch(/^https?:$/);
    expect(link.rel.split(/\s+/), `${view}: rel of ${link.href.slice(0, 80)}`).toContain('noopener');
    expect(link.target).toBe('_blank');
  }

  expect(report.tags.filter((t) => !ALLOWED_TAGS.includes(t)), `${view}: elements made from message text`).toEqual([]);
  expect(report.strayAttributes, `${view}: attributes made from message text`).toEqual([]);
  expect(report.notices, `${view}: messages that failed to open`).toEqual([]);

  const { layout } = report;
  expect(layout.log.scrollWidth, `${view}: the chat log scrolls sideways`).toBeLessThanOrEqual(layout.log.clientWidth);
  expect(layout.overflowing, `${view}: bubbles or texts that overflow`).toEqual([]);
  const scrolling = PAYLOADS.filter((p, i) => layout.textScrolls[i] && !p.unbreakable).map((p) => p.name);
  expect(scrolling, `${view}: texts that do not wrap to the bubble`).toEqual([]);
  expect(inside(layout.log.box, layout.frame), `${view}: log ${JSON.stringify(layout.log.box)} inside ${JSON.stringify(layout.frame)}`).toBe(true);
  const viewport: Box = { left: 0, top: 0, right: layout.viewport.width, bottom: layout.viewport.height, width: layout.viewport.width, height: layout.viewport.height };
  expect(inside(layout.frame, viewport), `${view}: the view ${JSON.stringify(layout.frame)} fits the window ${JSON.stringify(viewport)}`).toBe(true);
  for (const [name, control] of [['composer', layout.composer], ['send button', layout.send]] as const) {
    expect(control, `${view}: ${name} exists`).not.toBeNull();
    expect(control!.visible, `${view}: ${name} is visible and not covered`).toBe(true);
    expect(inside(control!.box, layout.frame), `${view}: ${name} ${JSON.stringify(control!.box)} inside ${JSON.stringify(layout.frame)}`).toBe(true);
  }
}
