import { describe, expect, it } from 'vitest';
import { runWireFuzz } from '../fuzz/wire-fuzz.js';

// The fast version of `npm run fuzz` (which sends at least 100,000): a few thousand
// payloads from the platform samples with structured mutations, to Slack (signed) and
// Teams, all on 127.0.0.1. No 5xx, no request left unanswered, none slow.
describe('wire fuzz (fast)', () => {
  it('1,500 mutated Slack and Teams payloads get no 5xx and a prompt answer', { timeout: 120_000 }, async () => {
    const stats = await runWireFuzz({ count: 1500, seed: Number(process.env.FUZZ_SEED ?? 1122), concurrency: 4, slowMs: 1000 });
    expect(stats.sent).toBe(1500);
    expect(stats.serverErrors.map((f) => `${f.target} ${f.status}: ${f.body.slice(0, 300)}`)).toEqual([]);
    // A busy shared machine may be slow now and then; a hang (3 s and more) never.
    expect(stats.slow.filter((f) => f.ms >= 3000).map((f) => `${f.target} ${f.ms} ms: ${f.body.slice(0, 200)}`)).toEqual([]);
    // The mix reached the handlers, not only the edge's refusals.
    expect(stats.byStatus.slack?.['200'] ?? 0).toBeGreaterThan(200);
    expect(stats.byStatus.teams?.['200'] ?? 0).toBeGreaterThan(200);
  });
});
