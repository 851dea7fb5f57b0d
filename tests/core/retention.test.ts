import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewDate } from '../../src/core/retention.js';
import { transferDueAt } from '../../src/core/transfer.js';
import { messageCard } from '../../src/views/adaptive-cards.js';
import { messageView } from '../../src/views/message-views.js';
import { cardProblems } from '../support/adaptive-card-check.js';
import { verifyAll } from '../../src/store/audit-verify.js';
import { CaseRetentionStore } from '../../src/store/case-retention-store.js';
import { DiskEvidenceFiles } from '../../src/store/evidence-files.js';
import { demoSchool, example, harness, tinyPng, type Harness } from '../support/harness.js';

// Retention and transfer (issue 14, item 7): review dates, legal holds, disposal with a
// tombstone (rows and files gone, the audit log still verifying, its entries reported as
// disposed) and the five-school-day transfer deadline.
let h: Harness;
afterEach(() => h?.close());

const count = (table: string, where = '1') => (h.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
const later = new Date('2052-01-05T10:00:00.000Z'); // past the 25-year default review date of a 2026 case

async function closedCase() {
  const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(5).report, evidence: [{ bytes: tinyPng, meta: { fileName: 'chat.png' } }] });
  h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
  h.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'action_taken', reason: 'Spoke to both families.' });
  return r;
}
const retention = () => new CaseRetentionStore(h.db, h.keys, demoSchool.directory, path.join(h.dir, 'evidence'), ['sandbox']);
const withRole = (role: 'dsl' | 'headteacher') => demoSchool.directory.withRole(role).map((p) => p.id);

describe('review dates', () => {
  it('is the 25th birthday when the date of birth is known, else the school rule from submission', () => {
    expect(reviewDate({ submittedAt: '2026-11-23T10:00:00Z', dateOfBirth: '2014-03-02' }, 25)).toEqual({ date: '2039-03-02', basis: 'date_of_birth' });
    expect(reviewDate({ submittedAt: '2026-11-23T10:00:00Z', dateOfBirth: '2012-02-29' }, 25)).toEqual({ date: '2037-03-01', basis: 'date_of_birth' });
    expect(reviewDate({ submittedAt: '2026-11-23T10:00:00Z' }, 6)).toEqual({ date: '2032-11-23', basis: 'school_rule' });
    expect(demoSchool.directory.retention.defaultYears).toBe(25);
  });

  it('lists only cases whose review date has come', async () => {
    h = harness();
    const r = await closedCase();
    const store = retention();
    expect(store.due(h.clock.now())).toEqual([]);
    const due = store.due(later);
    expect(due.map((d) => [d.reference, d.reviewDate, d.basis, d.held])).toEqual([[r.reference, '2051-11-23', 'school_rule', false]]);
  });
});

describe('legal hold and disposal', () => {
  it('a hold (DSL only, with a reason, audited) stops disposal until lifted', async () => {
    h = harness();
    const r = await closedCase();
    const store = retention();
    expect(() => store.setHold(r.reference, 'amy-clarke', 'police inquiry', h.clock.now())).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => store.setHold(r.reference, 'jo-patel', '  ', h.clock.now())).toThrow(expect.objectContaining({ code: 'REASON_REQUIRED' }));
    store.setHold(r.reference, 'jo-patel', 'Police inquiry open', h.clock.now());
    expect(store.holdReason(r.reference)).toBe('Police inquiry open');
    await expect(store.dispose(r.reference, 'jo-patel', 'Review date reached', later)).rejects.toMatchObject({ code: 'LEGAL_HOLD' });
    store.liftHold(r.reference, 'jo-patel', 'Inquiry closed', h.clock.now());
    expect(h.actions().filter((a) => a.startsWith('retention.'))).toEqual(['retention.hold_set', 'retention.hold_lifted']);
  });

  it('refuses a case not yet due, or still open', async () => {
    h = harness();
    const r = await closedCase();
    const open = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(2).report });
    const store = retention();
    await expect(store.dispose(r.reference, 'jo-patel', 'tidy up', h.clock.now())).rejects.toMatchObject({ code: 'NOT_DUE' });
    await expect(store.dispose(open.reference, 'jo-patel', 'tidy up', later)).rejects.toMatchObject({ code: 'NOT_CLOSED' });
  });

  it('removes the rows and evidence files, leaves a tombstone, and audit verify reports the entries as disposed', async () => {
    h = harness();
    const r = await closedCase();
    const other = await h.workflow.submit({ reporterId: 'ben-hughes', form: example(2).report });
    const sha = (h.db.prepare('SELECT sha256 FROM evidence WHERE report_id = @id').get({ id: r.reportId }) as { sha256: string }).sha256;
    const file = new DiskEvidenceFiles(path.join(h.dir, 'evidence'), h.keys).pathOf(sha);
    expect(existsSync(file)).toBe(true);
    const auditBefore = count('audit_log');

    const t = await retention().dispose(r.reference, 'jo-patel', 'Review date reached; no hold', later);
    expect(t).toMatchObject({ reference: r.reference, kind: 'cyberbullying', reviewDate: '2051-11-23', disposedBy: 'jo-patel', reason: 'Review date reached; no hold' });
    expect(existsSync(file)).toBe(false);
    for (const table of ['reports', 'duties', 'timers', 'evidence', 'case_entries', 'outbox']) expect(count(table, `${table === 'reports' ? 'id' : 'report_id'} = '${r.reportId}'`)).toBe(0);
    expect(count('reports', `id = '${other.reportId}'`)).toBe(1);
    expect(count('audit_log')).toBe(auditBefore + 1);
    expect(h.actions().at(-1)).toBe('report.disposed');
    // Never silent: the DSL and headteacher are told, with the reference and no content.
    const told = h.outbox({ type: 'retention.notice' });
    expect(told.map((o) => o.recipientId).sort()).toEqual([...withRole('dsl'), ...withRole('headteacher')].sort());
    const words = JSON.stringify(messageView(told[0]!, demoSchool.directory.timeZone));
    expect(words).toContain(`Case disposed of: ${r.reference}`);
    expect(words).not.toContain('Spoke to both families');
    expect(cardProblems(messageCard(messageView(told[0]!, demoSchool.directory.timeZone)))).toEqual([]);
    // No content in the tombstone row: the reason is sealed.
    expect(JSON.stringify(h.db.prepare('SELECT * FROM disposals').all())).not.toContain('Review date reached');

    const check = await verifyAll(h.db, h.keys, path.join(h.dir, 'evidence'));
    expect(check.content).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.disposed).toEqual([{ reference: r.reference, entries: expect.any(Number) }]);
    expect(check.disposed[0]?.entries).toBeGreaterThan(3);
  });

  it('a tombstone the audit log does not back is a problem, not a disposal', async () => {
    h = harness();
    await closedCase();
    h.db.prepare(`INSERT INTO disposals (report_id, reference, kind, submitted_at, review_date, disposed_at, disposed_by, reason)
      VALUES ('x', 'SG-1900-0001', 'other', '1900-01-01', '1925-01-01', '1930-01-01', 'jo-patel', 'x')`).run();
    const check = await verifyAll(h.db, h.keys, path.join(h.dir, 'evidence'));
    expect(check.content.map((c) => c.problem)).toContain('the case is marked disposed but the audit log has no disposal for it');
  });
});

describe('transfer to the next school', () => {
  it('is due five school days later; unconfirmed, the DSL is reminded once; a receipt code confirms it', async () => {
    h = harness();
    const r = await closedCase();
    const store = retention();
    // Monday 23 Nov 2026 10:00 → five working days later is Monday 30 Nov 10:00.
    expect(transferDueAt(h.clock.now(), demoSchool.directory.workingHours, demoSchool.directory.timeZone).toISOString()).toBe('2026-11-30T10:00:00.000Z');
    const sent = store.recordTransfer([r.reference], 'Hillside Academy', 'jo-patel', h.clock.now());
    expect(sent.code).toMatch(/^TR-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    h.clock.set('2026-11-27T16:00:00.000Z');
    expect(store.takeOverdueTransfers(h.clock.now())).toEqual([]);
    h.clock.set('2026-11-30T10:00:00.000Z');
    expect(store.takeOverdueTransfers(h.clock.now())).toEqual([{ code: sent.code, dueAt: sent.dueAt, reportIds: [r.reportId] }]);
    const reminders = h.outbox({ type: 'retention.notice' });
    expect(reminders.map((o) => o.recipientId)).toEqual(withRole('dsl'));
    expect(JSON.stringify(messageView(reminders[0]!, demoSchool.directory.timeZone))).toContain(`transfer confirm ${sent.code}`);
    expect(reminders[0]?.payload).toMatchObject({ event: 'transfer_overdue', references: [r.reference] });
    expect(store.takeOverdueTransfers(h.clock.now())).toEqual([]);
    store.confirmTransfer(sent.code.toLowerCase(), 'cli', h.clock.now());
    expect(() => store.confirmTransfer(sent.code, 'cli', h.clock.now())).toThrow(expect.objectContaining({ code: 'ALREADY_DONE' }));
    expect(() => store.confirmTransfer('TR-NOPE-NOPE', 'cli', h.clock.now())).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(h.actions().filter((a) => a.startsWith('transfer.'))).toEqual(['transfer.sent', 'transfer.overdue', 'transfer.confirmed']);
  });
});
