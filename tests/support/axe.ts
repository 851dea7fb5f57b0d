import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * An axe-core accessibility audit of a page in the browser tests: axe's own script is
 * injected into the page (nothing is served by the bot for it) and `axe.run()` checks the
 * page as it is now. Use it in any browser test:
 *
 *   expect(await axeViolations(page)).toEqual([]);
 *
 * Each violation comes back as one readable line (rule, impact, what to fix, and the
 * elements), so a failing expectation says what is wrong without a browser.
 */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeOptions {
  /** Only this part of the page (a CSS selector); the whole document by default. */
  include?: string;
  /** Rule ids not to run, each with the reason in the calling test. */
  disableRules?: string[];
}

interface AxeResult {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

export async function axeViolations(page: Page, opts: AxeOptions = {}): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(
    async ({ include, disableRules }) => {
      const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeResult[] }> } }).axe;
      const rules = Object.fromEntries((disableRules ?? []).map((id) => [id, { enabled: false }]));
      const result = await axe.run(include ? { include: [include] } : { exclude: [] }, { rules, resultTypes: ['violations'] });
      return result.violations;
    },
    { include: opts.include, disableRules: opts.disableRules },
  );
  return violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'no impact'}): ${v.help}: ` +
      v.nodes
        .slice(0, 5)
        .map((n) => `${JSON.stringify(n.target)}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ').trim()}]` : ''}`)
        .join('; ') +
      (v.nodes.length > 5 ? ` and ${v.nodes.length - 5} more` : ''),
  );
}
