import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { CaseRetentionStore } from '../../src/store/case-retention-store.js';
import { demoSchool, example, harness, type Harness } from '../support/harness.js';

// The retention and transfer commands (issue 14, item 7): ids, references and dates, no names.
let h: Harness;
afterEach(() => h?.close());

describe('npm run cli -- retention / transfer', () => {
  it('review lists what is due (no names), dispose refuses a case not yet due, transfer confirm records a receipt', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(5).report });
    const paths = ['--db', h.dbFile, '--evidence', path.join(h.dir, 'evidence'), '--key-file', path.join(h.dir, 'keys', 'keys.json'), '--school', 'data/school.example.yaml'];
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['retention', 'review', ...paths], (s) => out.push(s), (s) => err.push(s));
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(['No case is due for review.']);
    out.length = 0;
    expect(await runCli(['retention', 'review', '--until', '2052-01-01', ...paths], (s) => out.push(s))).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(`${r.reference}  ${r.reportId}  cyberbullying  submitted 2026-11-23  review 2051-11-23 (school rule)  OPEN`);
    for (const p of demoSchool.directory.people) expect(out[0]).not.toContain(p.name);

    expect(await runCli(['retention', 'dispose', r.reference, '--by', 'jo-patel', '--reason', 'tidy', ...paths], () => {}, (s) => err.push(s))).toBe(1);
    expect(err.join('\n')).toMatch(/not closed|still open|kept until/);

    const sent = new CaseRetentionStore(h.db, h.keys, demoSchool.directory, path.join(h.dir, 'evidence')).recordTransfer([r.reference], 'Hillside Academy', 'jo-patel', h.clock.now());
    out.length = 0;
    expect(await runCli(['transfer', 'confirm', sent.code.toLowerCase(), ...paths], (s) => out.push(s))).toBe(0);
    expect(out).toEqual([`OK: the receipt of ${sent.code} is confirmed.`]);
    expect(h.actions().at(-1)).toBe('transfer.confirmed');
  });

  it('dispose removes a due case and says so; audit verify still passes and names it disposed', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(5).report });
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    h.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'action_taken', reason: 'Spoke to both families.' });
    // A case from long ago: its review date (school rule, 25 years) has passed.
    h.db.prepare(`UPDATE reports SET submitted_at = '2000-01-10T10:00:00.000Z' WHERE id = @id`).run({ id: r.reportId });
    const paths = ['--db', h.dbFile, '--evidence', path.join(h.dir, 'evidence'), '--key-file', path.join(h.dir, 'keys', 'keys.json'), '--school', 'data/school.example.yaml'];
    const out: string[] = [];
    expect(await runCli(['retention', 'review', ...paths], (s) => out.push(s))).toBe(0);
    expect(out[0]).toContain(`${r.reference}  ${r.reportId}  cyberbullying  submitted 2000-01-10  review 2025-01-10 (school rule)`);
    out.length = 0;
    expect(await runCli(['retention', 'dispose', r.reference, '--by', 'jo-patel', '--reason', 'Review date reached', ...paths], (s) => out.push(s))).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^OK: ${r.reference} \\(cyberbullying, submitted 2000-01-10, review 2025-01-10\\) was disposed of by jo-patel`));
    out.length = 0;
    const paths2 = paths.slice(0, 6);
    expect(await runCli(['audit', 'verify', ...paths2], (s) => out.push(s))).toBe(0);
    expect(out[0]).toMatch(/^OK: the audit log/);
    expect(out.join('\n')).toContain(`Disposed: 1 case (${r.reference}:`);
  });
});
