import { readFileSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';

/** axe-core as shipped: evaluated in the page (CDP evaluation is not held back by the extension's CSP). */
const AXE_SOURCE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

export interface AxeProblem {
  rule: string;
  impact: string;
  help: string;
  /** Each offending element: its selector and axe's reason, enough to find and fix it. */
  nodes: string[];
}

/**
 * Runs axe-core over what `target` shows now and returns the violations of impact serious or
 * critical. `exclude`: rule ids to skip, each with the reason in the caller (none today).
 */
export async function seriousViolations(target: Page | Frame, exclude: string[] = []): Promise<AxeProblem[]> {
  if (!(await target.evaluate(() => 'axe' in globalThis))) await target.evaluate(AXE_SOURCE);
  const rules = Object.fromEntries(exclude.map((id) => [id, { enabled: false }]));
  const violations = await target.evaluate(async (r) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'], rules: r });
    return result.violations.map((v) => ({
      rule: v.id, impact: v.impact ?? '', help: v.help,
      nodes: v.nodes.map((n) => `${JSON.stringify(n.target)}: ${n.failureSummary ?? ''}`),
    }));
  }, rules);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
