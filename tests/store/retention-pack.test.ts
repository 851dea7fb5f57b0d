import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { CaseRetentionStore } from '../../src/store/case-retention-store.js';
import { chronologyWords } from '../../src/views/case-views.js';
import { demoSchool, example, harness, type Harness } from '../support/harness.js';

// Issue 14, item 7: the DSL's date of birth for a case (sealed, audited, the review date
// follows it, removed with the case), and a transfer pack of several cases under one code
// that `transfer confirm` confirms whole.
let h: Harness;
afterEach(() => h?.close());

const store = () => new CaseRetentionStore(h.db, h.keys, demoSchool.directory, path.join(h.dir, 'evidence'), ['sandbox']);
const count = (table: string, where = '1') => (h.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;

describe('date of birth recorded by the DSL', () => {
  it('is the DSL\'s to set, checked as the form checks it, sealed at rest, audited, and moves the review date', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    const s = store();
    expect(s.review(r.reference)).toMatchObject({ basis: 'school_rule', reviewDate: '2051-11-23', dateOfBirth: undefined });
    expect(() => s.setDateOfBirth(r.reference, '2013-03-15', 'alex-morgan', h.clock.now())).toThrow(/only the DSL/);
    expect(() => s.setDateOfBirth(r.reference, '2013-02-30', 'jo-patel', h.clock.now())).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', issues: [{ path: 'dateOfBirth', message: 'Please give the date of birth, e.g. 2014-05-31.' }] }));
    expect(() => s.setDateOfBirth(r.reference, '1990-01-01', 'jo-patel', h.clock.now())).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(s.setDateOfBirth(r.reference, '2013-03-15', 'jo-patel', h.clock.now())).toMatchObject({ basis: 'date_of_birth', reviewDate: '2038-03-15', dateOfBirth: '2013-03-15', dateOfBirthFrom: 'dsl' });
    expect(() => s.setDateOfBirth(r.reference, '2013-03-15', 'jo-patel', h.clock.now())).toThrow(expect.objectContaining({ code: 'ALREADY_DONE' }));
    // Sealed: the birth date is not in the database in clear, nor in the audit log.
    const raw = h.db.prepare('SELECT date_of_birth FROM case_dates_of_birth').get() as { date_of_birth: string };
    expect(raw.date_of_birth).not.toContain('2013');
    expect(JSON.stringify(h.store.listAudit(r.reportId))).not.toContain('2013-03-15');
    expect(h.actions()).toContain('retention.date_of_birth_set');
    expect(h.store.verifyAudit().ok).toBe(true);
  });

  it('a date of birth on the form sets the review date; the DSL corrects it; disposal removes it with the case', async () => {
    h = harness();
    const form = { ...example(1).report, pupil: { name: 'Year 8 pupil', yearGroup: 'Year 8', dateOfBirth: '2001-11-25' } };
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form });
    const s = store();
    expect(s.review(r.reference)).toMatchObject({ basis: 'date_of_birth', reviewDate: '2026-11-25', dateOfBirthFrom: 'form' });
    s.setDateOfBirth(r.reference, '2001-11-24', 'jo-patel', h.clock.now());
    expect(s.review(r.reference)).toMatchObject({ reviewDate: '2026-11-24', dateOfBirthFrom: 'dsl' });
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    h.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'action_taken', reason: 'Done.' });
    await expect(s.dispose(r.reference, 'jo-patel', 'Review date reached', h.clock.now())).rejects.toThrow(/kept until 2026-11-24/);
    h.clock.advanceMinutes(24 * 60);
    await s.dispose(r.reference, 'jo-patel', 'Review date reached', h.clock.now());
    expect(count('case_dates_of_birth')).toBe(0);
    expect(s.tombstone(r.reference)?.reviewDate).toBe('2026-11-24');
  });
});

describe('a transfer pack of several cases', () => {
  it('one code and one deadline for the pack, audited per case; `transfer confirm` confirms the whole pack', async () => {
    h = harness();
    const a = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    const b = await h.workflow.submit({ reporterId: 'amy-clarke', form: { ...example(1).report, platform: 'TikTok' } });
    const s = store();
    expect(() => s.recordTransfer([a.reference], '  ', 'jo-patel', h.clock.now())).toThrow(expect.objectContaining({ issues: [{ path: 'toSchool', message: "Please give the receiving school's name." }] }));
    const t = s.recordTransfer([a.reference, b.reference, a.reference], 'Hillside Academy', 'jo-patel', h.clock.now());
    expect(s.transfer(t.code)).toMatchObject({ reportIds: [a.reportId, b.reportId], references: [a.reference, b.reference], toSchool: 'Hillside Academy', dueAt: t.dueAt });
    expect(s.transfersOf(b.reportId).map((x) => x.code)).toEqual([t.code]);
    for (const r of [a, b]) expect(h.store.listAudit(r.reportId).filter((e) => e.action === 'transfer.sent').map((e) => e.details)).toEqual([{ code: t.code, dueAt: t.dueAt, cases: 2 }]);

    const paths = ['--db', h.dbFile, '--evidence', path.join(h.dir, 'evidence'), '--key-file', path.join(h.dir, 'keys', 'keys.json'), '--school', 'data/school.example.yaml'];
    const out: string[] = [];
    expect(await runCli(['transfer', 'confirm', t.code, '--by', 'phone call', ...paths], (x) => out.push(x))).toBe(0);
    expect(out).toEqual([`OK: the receipt of ${t.code} is confirmed.`]);
    for (const r of [a, b]) expect(h.store.listAudit(r.reportId).map((e) => e.action)).toContain('transfer.confirmed');
    expect(s.transfer(t.code)?.confirmedBy).toBe('phone call');

    // The case's chronology shows the record's steps (codes and dates; no school, no reason).
    s.setHold(a.reference, 'jo-patel', 'Police investigation', h.clock.now());
    s.setDateOfBirth(a.reference, '2013-03-15', 'jo-patel', h.clock.now());
    const words = (h.workflow.view({ reportId: a.reportId, actorId: 'jo-patel' }).chronology ?? []).filter((e) => e.event === 'record').map((e) => chronologyWords(e));
    // (Sorted: the CLI confirmed on the wall clock, the rest on the test's clock.)
    expect([...words].sort()).toEqual([
      `Sent to the pupil's next school with 1 other case about the pupil (receipt code ${t.code}), by Jo Patel`,
      `The next school confirmed receipt (${t.code})`, // confirmed by someone outside the school file
      'Legal hold placed, by Jo Patel',
      'Date of birth recorded; review date now 2038-03-15, by Jo Patel',
    ].sort());
    expect(JSON.stringify(words)).not.toMatch(/Hillside|Police|2013/);
  });
});
