import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers, lowest first: core (channel-free) → store, views, files → channels, console → app → cli/main.
 * A lower layer never imports an upper one; botbuilder stays in src/channels/teams/.
 */
const src = join(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
}

function layerOf(file: string): string {
  const rel = relative(src, file).replaceAll('\\', '/');
  return rel.includes('/') ? rel.split('/')[0]! : rel.replace(/\.ts$/, '');
}

const rank: Record<string, number> = { logger: 0, core: 0, store: 1, views: 1, files: 1, config: 1, channels: 2, console: 2, app: 3, cli: 4, main: 4 };

describe('layers', () => {
  const all = files(src);

  it('no module imports a layer above its own', () => {
    const wrong: string[] = [];
    for (const f of all) {
      const from = layerOf(f);
      for (const spec of imports(f)) {
        if (!spec.startsWith('.')) continue;
        const to = layerOf(join(f, '..', spec).replace(/\.js$/, '.ts'));
        if ((rank[to] ?? 0) > (rank[from] ?? 0)) wrong.push(`${relative(src, f)} → ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('core imports no platform, database or HTTP library', () => {
    const wrong = all
      .filter((f) => layerOf(f) === 'core')
      .flatMap((f) => imports(f).filter((s) => !s.startsWith('.') && !['zod', 'date-fns', '@date-fns/tz', 'node:crypto', 'yaml'].some((ok) => s === ok || s.startsWith(`${ok}/`))).map((s) => `${relative(src, f)} → ${s}`));
    expect(wrong).toEqual([]);
  });

  it('botbuilder is imported only in src/channels/teams/', () => {
    const wrong = all
      .filter((f) => !relative(src, f).startsWith('channels/teams/'))
      .filter((f) => imports(f).some((s) => s.startsWith('botbuilder') || s.startsWith('botframework')));
    expect(wrong.map((f) => relative(src, f))).toEqual([]);
  });
});
