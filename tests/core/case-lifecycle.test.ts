import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { verifyAll } from '../../src/store/audit-verify.js';
import { caseScripts, staffNames } from '../support/case-scripts.js';
import { example, harness, type Harness } from '../support/harness.js';

// Issue 12: a case from first report to closing, through the workflow on a real SQLite
// file: every worked example ends closed with its outcome, reason and chronology on the
// record and the reporter told; reopen; notes and actions; G1; deciding acknowledges.
let h: Harness;
afterEach(() => h?.close());

async function runToClose(n: number) {
  const ex = example(n);
  const script = caseScripts[n]!;
  const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
  for (const step of script.steps) {
    h.clock.advanceMinutes(5);
    if (step.verb === 'decide') h.workflow.recordDecision({ reportId: r.reportId, actorId: step.actor, choice: step.choice, reason: step.reason });
    else if (step.verb === 'complete_task') h.workflow.completeTask({ reportId: r.reportId, actorId: step.actor, action: step.action });
    else {
      h.clock.advanceMinutes(120);
      h.workflow.tick();
    }
  }
  h.clock.advanceMinutes(5);
  const closed = h.workflow.close({ reportId: r.reportId, actorId: script.closer, outcome: script.outcome, reason: script.reason });
  return { ex, script, r, closed };
}

describe('every worked example ends closed (issue 12)', () => {
  for (const n of [1, 2, 3, 4, 5, 6, 7]) {
    it(`${n}: closed with its outcome and reason, the chronology on the record, the reporter told without names`, async () => {
      h = harness();
      const { ex, script, r, closed } = await runToClose(n);
      expect(closed.changed).toBe(true);
      const v = h.workflow.view({ reportId: r.reportId, actorId: script.closer });
      expect(v.status).toBe('closed');
      expect(v.closed).toMatchObject({ outcome: script.outcome, reason: script.reason });
      const events = (v.chronology ?? []).map((e) => e.event);
      expect(events[0]).toBe('submitted');
      expect(events.at(-1)).toBe('closed');
      expect(v.chronology?.at(-1)).toMatchObject({ what: script.outcomeLabel, text: script.reason });
      const times = (v.chronology ?? []).map((e) => Date.parse(e.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      if (script.steps.some((s) => s.verb === 'decide')) expect(events).toContain('decided');
      if (n === 4) expect(events).toContain('task_done');
      if (n === 5) expect(events).toEqual(expect.arrayContaining(['reminded', 'escalated']));
      // G6: the reporter is told "closed", with nothing about who or why.
      const told = h.outbox({ type: 'receipt.status', to: ex.reporter }).filter((o) => o.payload.status === 'closed');
      expect(told).toHaveLength(1);
      const words = JSON.stringify(told[0]?.payload);
      for (const name of staffNames) expect(words).not.toContain(name);
      expect(words).not.toContain(script.reason);
      // It leaves every queue.
      for (const person of ['jo-patel', 'sam-okafor', 'alex-morgan', 'priya-shah', 'lee-evans']) expect(h.workflow.openQueue(person)).toEqual([]);
      // The reason's hash, never its text, is in the audit log.
      expect(JSON.stringify(h.store.listAudit(r.reportId))).not.toContain(script.reason);
      expect(h.workflow.view({ reportId: r.reportId, actorId: ex.reporter }).status).toBe('closed');
    });
  }

  it('closing waits for the decision and the task; a non-owner and the subject may not close; the outcome and reason are required', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: example(4).reporter, form: example(4).report });
    expect(() => h.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'action_taken', reason: 'x' })).toThrowError(expect.objectContaining({ code: 'DUTIES_PENDING' }));
    expect(() => h.workflow.caseForm({ reportId: r.reportId, actorId: 'jo-patel', form: 'close' })).toThrowError(expect.objectContaining({ code: 'DUTIES_PENDING' }));
    expect(h.workflow.view({ reportId: r.reportId, actorId: 'jo-patel' }).options).toEqual({ close: false, waitingFor: ['task'], reopen: false });
    h.workflow.completeTask({ reportId: r.reportId, actorId: 'lee-evans', action: 'Blocked' });
    expect(() => h.workflow.close({ reportId: r.reportId, actorId: 'lee-evans', outcome: 'action_taken', reason: 'x' })).toThrowError(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => h.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'nope', reason: ' ' })).toThrowError(
      expect.objectContaining({ code: 'REASON_REQUIRED', issues: [expect.objectContaining({ path: 'outcome' }), expect.objectContaining({ path: 'reason' })] }),
    );
    expect(h.workflow.view({ reportId: r.reportId, actorId: 'jo-patel' }).options?.close).toBe(true);
  });

  it('G1: the subject of a report may not close, reopen or add a note to it, and each attempt is recorded', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: example(3).reporter, form: example(3).report });
    const head = 'alex-morgan';
    for (const attempt of [
      () => h.workflow.close({ reportId: r.reportId, actorId: head, outcome: 'no_further_action', reason: 'x' }),
      () => h.workflow.reopen({ reportId: r.reportId, actorId: head, reason: 'x' }),
      () => h.workflow.addNote({ reportId: r.reportId, actorId: head, what: 'note', text: 'x' }),
      () => h.workflow.caseForm({ reportId: r.reportId, actorId: head, form: 'note' }),
      () => h.workflow.caseForm({ reportId: r.reportId, actorId: head, form: 'close' }),
    ])
      expect(attempt).toThrowError(expect.objectContaining({ code: 'FORBIDDEN' }));
    const refused = h.store.listAudit(r.reportId).filter((e) => e.action === 'action.refused');
    expect(refused.map((e) => [e.actor, e.details.action])).toEqual([
      [head, 'close'],
      [head, 'reopen'],
      [head, 'note'],
      [head, 'note'],
      [head, 'close'],
    ]);
    expect(h.store.listCaseEntries(r.reportId)).toEqual([]);
  });

  it('reopen: by the same people, with a reason; back in the queue with no deadline restarted; closed again later', async () => {
    h = harness();
    const { script, r, ex } = await runToClose(1);
    expect(() => h.workflow.reopen({ reportId: r.reportId, actorId: 'jo-patel', reason: '  ' })).toThrowError(expect.objectContaining({ code: 'REASON_REQUIRED' }));
    expect(() => h.workflow.reopen({ reportId: r.reportId, actorId: 'lee-evans', reason: 'x' })).toThrowError(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(h.workflow.view({ reportId: r.reportId, actorId: 'sam-okafor' }).options).toMatchObject({ reopen: true, close: false });
    h.clock.advanceMinutes(60);
    const re = h.workflow.reopen({ reportId: r.reportId, actorId: 'jo-patel', reason: 'The pupil sent another request.' });
    expect(re.changed).toBe(true);
    expect(() => h.workflow.reopen({ reportId: r.reportId, actorId: 'jo-patel', reason: 'again' })).toThrowError(expect.objectContaining({ code: 'NOT_CLOSED' }));
    expect(h.workflow.openQueue('jo-patel').map((q) => q.reference)).toEqual([r.reference]);
    expect(h.store.nextTimer(r.reportId)).toBeUndefined();
    expect(h.outbox({ type: 'report.reopened' })[0]?.payload).toMatchObject({ reopenedBy: 'Jo Patel' });
    expect(h.outbox({ type: 'receipt.status', to: ex.reporter }).map((o) => o.payload.status)).toEqual(['closed', 'reopened']);
    h.clock.advanceMinutes(60);
    h.workflow.close({ reportId: r.reportId, actorId: 'sam-okafor', outcome: 'no_further_action', reason: 'No further contact.' });
    const v = h.workflow.view({ reportId: r.reportId, actorId: 'jo-patel' });
    expect(v.closed).toMatchObject({ outcome: 'no_further_action', reason: 'No further contact.', by: 'Sam Okafor' });
    expect(v.chronology?.filter((e) => ['closed', 'reopened'].includes(e.event)).map((e) => [e.event, e.by, e.text])).toEqual([
      ['closed', 'Jo Patel', script.reason],
      ['reopened', 'Jo Patel', 'The pupil sent another request.'],
      ['closed', 'Sam Okafor', 'No further contact.'],
    ]);
    expect(h.actions(r.reportId).filter((a) => a.startsWith('report.'))).toEqual(['report.submitted', 'report.acknowledged', 'report.closed', 'report.viewed', 'report.reopened', 'report.closed', 'report.viewed']);
  });

  it('notes and actions: by whoever may view, dated, sealed at rest, in the chronology; a task-only or unrelated person may not', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: example(4).reporter, form: example(4).report });
    h.clock.advanceMinutes(15);
    h.workflow.addNote({ reportId: r.reportId, actorId: 'jo-patel', what: 'spoke_to_pupil', text: 'The pupil said a friend sent the link.', externalRef: '' });
    h.clock.advanceMinutes(15);
    h.workflow.addNote({ reportId: r.reportId, actorId: 'sam-okafor', what: 'referred_social_care', text: '', externalRef: 'CSC-2026-0042' });
    expect(() => h.workflow.addNote({ reportId: r.reportId, actorId: 'jo-patel', what: 'note', text: ' ' })).toThrowError(
      expect.objectContaining({ code: 'REASON_REQUIRED', issues: [expect.objectContaining({ path: 'text' })] }),
    );
    expect(() => h.workflow.addNote({ reportId: r.reportId, actorId: 'jo-patel', what: 'gossip', text: 'x' })).toThrowError(expect.objectContaining({ code: 'REASON_REQUIRED' }));
    expect(() => h.workflow.addNote({ reportId: r.reportId, actorId: 'lee-evans', what: 'note', text: 'x' })).toThrowError(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => h.workflow.addNote({ reportId: r.reportId, actorId: 'chris-doyle', what: 'note', text: 'x' })).toThrowError(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => h.workflow.addNote({ reportId: r.reportId, actorId: 'jo-patel', what: 'note', text: 'x'.repeat(2001) })).toThrowError(expect.objectContaining({ code: 'TEXT_TOO_LONG' }));
    const v = h.workflow.view({ reportId: r.reportId, actorId: 'jo-patel' });
    const notes = v.chronology?.filter((e) => e.event === 'action');
    expect(notes).toEqual([
      { at: '2026-11-23T10:15:00.000Z', event: 'action', by: 'Jo Patel', what: 'Spoke to the pupil', text: 'The pupil said a friend sent the link.' },
      { at: '2026-11-23T10:30:00.000Z', event: 'action', by: 'Sam Okafor', what: "Referred to children's social care", externalRef: 'CSC-2026-0042' },
    ]);
    // Sealed at rest; the audit log has hashes only.
    const raw = JSON.stringify(h.db.prepare('SELECT * FROM case_entries').all());
    expect(raw).not.toContain('a friend sent the link');
    expect(raw).not.toContain('CSC-2026-0042');
    const audit = h.store.listAudit(r.reportId).filter((e) => e.action === 'case.action_recorded');
    expect(audit.map((e) => Object.keys(e.details).sort())).toEqual([['entry', 'textSha256', 'what'], ['entry', 'externalRefSha256', 'what']]);
    expect(JSON.stringify(audit)).not.toContain('CSC-2026');
    expect(() => h.db.prepare('DELETE FROM case_entries').run()).toThrow(/never deleted/);
    // After a restart, still readable.
    h.restart();
    expect(h.store.listCaseEntries(r.reportId).map((e) => e.externalRef)).toEqual([undefined, 'CSC-2026-0042']);
    expect(h.store.verifyAudit().ok).toBe(true);
  });

  it('item 3: an owner who decides has acknowledged: worked example 6 no longer escalates after the decision', async () => {
    h = harness();
    const ex = example(6);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    h.clock.advanceMinutes(3);
    h.workflow.recordDecision({ reportId: r.reportId, actorId: 'jo-patel', choice: 'refer_to_police', reason: 'Images shared across year groups.' });
    expect(h.outbox({ type: 'report.acknowledged' })[0]?.payload).toMatchObject({ acknowledgedBy: 'Jo Patel' });
    expect(h.outbox({ type: 'receipt.status', to: ex.reporter }).map((o) => o.payload.status)).toEqual(['acknowledged']);
    h.clock.advanceMinutes(60);
    while (h.workflow.tick().processed > 0);
    expect(h.outbox({ type: 'ack.reminder' })).toEqual([]);
    expect(h.outbox({ type: 'report.escalated' })).toEqual([]);
    expect(h.actions(r.reportId)).toEqual(['report.submitted', 'report.acknowledged', 'decision.recorded']);
    const ack = h.store.listAudit(r.reportId).find((e) => e.action === 'report.acknowledged');
    expect(ack?.details.via).toBe('decision');
  });

  it('item 3: closing acknowledges the closer\'s own duty and cancels its timers', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: example(1).reporter, form: example(1).report });
    h.clock.advanceMinutes(2);
    h.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'not_a_safeguarding_concern', reason: 'A parent of the pupil, known to the school.' });
    h.clock.advanceMinutes(240);
    while (h.workflow.tick().processed > 0);
    expect(h.outbox({ type: 'ack.reminder' })).toEqual([]);
    expect(h.store.listAudit(r.reportId).find((e) => e.action === 'report.acknowledged')?.details.via).toBe('close');
  });

  it('audit verify: closed, reopened and closed again with other reasons verifies; an edited note is found', async () => {
    h = harness();
    const { r } = await runToClose(1);
    h.workflow.reopen({ reportId: r.reportId, actorId: 'jo-patel', reason: 'Another request.' });
    h.workflow.addNote({ reportId: r.reportId, actorId: 'jo-patel', what: 'referred_lado', text: 'Called the LADO.', externalRef: 'LADO-9' });
    h.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'referred', reason: 'With the LADO now.' });
    const evidence = path.join(h.dir, 'evidence');
    expect((await verifyAll(h.db, h.keys, evidence)).content).toEqual([]);
    // Someone with the database but not the key swaps one note's text for another's.
    const [first, second] = h.db.prepare("SELECT id, text FROM case_entries WHERE kind IN ('closed', 'reopened') ORDER BY rowid").all() as { id: string; text: string }[];
    h.db.exec('DROP TRIGGER case_entries_keep_update');
    h.db.prepare('UPDATE case_entries SET text = @text WHERE id = @id').run({ id: first!.id, text: second!.text });
    const check = await verifyAll(h.db, h.keys, evidence);
    expect(check.ok).toBe(false);
    expect(check.content.map((c) => c.problem)).toEqual(['the reason or note does not open (altered, or moved from another row)']);
  });
});
