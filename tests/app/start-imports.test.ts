import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * What a start loads (README "Performance", second follow-up): the heavy libraries that
 * only some features need are imported when first used (`await import(…)`), never
 * statically from the start, so a Slack-only bot does not carry them in memory.
 */
const src = join(import.meta.dirname, '../../src');

const loadedWhenUsed = [
  'echarts', // the governors' report charts
  'pdfkit', // case PDFs, transfer packs, the governors' report
  'svg-to-pdfkit',
  'adaptivecards-templating', // the first Adaptive Card (Teams, the sandbox)
  'jose', // the case console's sessions
  'openid-client', // the case console's sign-in
  'botbuilder', // Teams
  'botframework-connector',
  '@azure/msal-node',
];

/** Value imports made as the module loads: `import … from`, `export … from`, `import '…'`, a top-level createRequire(…)('…'); not `import type` nor `import(…)`. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/^import\s+(?!type\s)[^;]*?\sfrom\s+'([^']+)'/gm),
    ...text.matchAll(/^export\s+(?!type\s)[^;]*?\sfrom\s+'([^']+)'/gm),
    ...text.matchAll(/^import\s+'([^']+)'/gm),
    ...text.matchAll(/^(?:export\s+)?const\s+\w+\s*=\s*createRequire\(import\.meta\.url\)\('([^']+)'\)/gm),
  ];
  return specs.map((m) => m[1]!);
}

/** Every package reached from src/main.ts by static imports, with the chain that reaches it. */
function reachedPackages(): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) {
        const next = join(file, '..', spec.replace(/\.js$/, '.ts'));
        if (existsSync(next)) walk(next, [...chain, relative(src, next)]);
        continue;
      }
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (!reached.has(pkg)) reached.set(pkg, chain);
    }
  };
  walk(join(src, 'main.ts'), ['main.ts']);
  return reached;
}

describe('what a start loads', () => {
  it('loads charts, PDF, Adaptive Card templating, the console sign-in and Teams only when they are used', () => {
    const reached = reachedPackages();
    const wrong = loadedWhenUsed.filter((p) => reached.has(p)).map((p) => `${p} ← ${reached.get(p)!.join(' → ')}`);
    expect(wrong).toEqual([]);
    expect(reached.has('@slack/bolt')).toBe(true); // the walk does follow the start's imports
  });
});
