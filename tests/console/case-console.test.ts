import { afterEach, describe, expect, it } from 'vitest';
import { caseActions, caseQueue, mayEnterConsole, relatedCases, viewEvidence, type CaseConsoleDeps } from '../../src/core/case-console.js';
import { allCases } from '../../src/store/report-period.js';
import { DiskEvidenceFiles } from '../../src/store/evidence-files.js';
import { demoSchool, example, harness, tinyPng, type Harness } from '../support/harness.js';
import path from 'node:path';

// The console's core queries: who may enter, the queue and its filters, overdue, actions, evidence on request.

let h: Harness;
afterEach(() => h?.close());

const deps = (x: Harness): CaseConsoleDeps => ({
  store: x.store,
  files: new DiskEvidenceFiles(path.join(x.dir, 'evidence'), x.keys),
  directory: demoSchool.directory,
  clock: x.clock.now,
});

async function submit(x: Harness, n: number, evidence = false): Promise<string> {
  const ex = example(n);
  return (await x.workflow.submit({ reporterId: ex.reporter, form: ex.report, ...(evidence ? { evidence: [{ bytes: tinyPng }] } : {}) })).reportId;
}

describe('case console core', () => {
  it('lets in the roles that see cases, and nobody else', () => {
    const dir = demoSchool.directory;
    expect(['jo-patel', 'sam-okafor', 'alex-morgan', 'priya-shah', 'lee-evans', 'kim-walsh'].filter((p) => mayEnterConsole(dir, p))).toHaveLength(6);
    expect(mayEnterConsole(dir, 'amy-clarke')).toBe(false);
    expect(mayEnterConsole(dir, 'teams:29:someone')).toBe(false);
  });

  it('lists what each person may see, filters by kind, status and rule, and marks what is overdue', async () => {
    h = harness();
    const pupil = await submit(h, 1);
    const head = await submit(h, 3);
    const d = deps(h);
    expect(caseQueue(d, 'jo-patel').map((e) => e.reportId)).toEqual([pupil]);
    expect(caseQueue(d, 'alex-morgan').map((e) => e.reportId)).toEqual([pupil]); // told under R4; never the R3 case about them (G1)
    expect(caseQueue(d, 'priya-shah').map((e) => e.reportId)).toEqual([head]);
    const [entry] = caseQueue(d, 'jo-patel');
    expect(entry).toMatchObject({ rules: ['R4'], owners: ['Jo Patel', 'Sam Okafor'], overdue: false, status: 'open', waitingFor: ['acknowledge'] });
    expect(entry?.nextDeadline).toBe('2026-11-23T10:30:00.000Z');
    expect(caseQueue(d, 'jo-patel', { kind: 'cyberbullying' })).toEqual([]);
    expect(caseQueue(d, 'jo-patel', { rule: 'R4' })).toHaveLength(1);
    expect(caseQueue(d, 'jo-patel', { status: 'acknowledged' })).toEqual([]);

    // Past the reminder (not yet run): overdue. After the escalation runs: still overdue, and the headteacher may act.
    h.clock.advanceMinutes(31);
    expect(caseQueue(d, 'jo-patel')[0]?.overdue).toBe(true);
    h.clock.advanceMinutes(120);
    h.workflow.tick();
    expect(caseQueue(d, 'jo-patel')[0]).toMatchObject({ overdue: true, owners: ['Jo Patel', 'Sam Okafor', 'Alex Morgan'] });
    h.workflow.acknowledge({ reportId: pupil, actorId: 'sam-okafor' });
    expect(caseQueue(d, 'jo-patel')[0]).toMatchObject({ overdue: false, status: 'acknowledged', owners: ['Sam Okafor'] });
    expect(caseQueue(d, 'jo-patel', { status: 'acknowledged' })).toHaveLength(1);
  });

  it('offers the decision to the person asked, and closing to the owners only', async () => {
    h = harness();
    const head = await submit(h, 3);
    const d = deps(h);
    expect(caseActions(d, head, 'priya-shah')).toMatchObject({ decisions: [{ rules: ['R3'] }], mayClose: true });
    expect(caseActions(d, head, 'alex-morgan')).toEqual({ decisions: [], tasks: [], mayClose: false });
    expect(caseActions(d, head, 'jo-patel')).toEqual({ decisions: [], tasks: [], mayClose: false });
  });

  it('shows an evidence file only to those who see the whole case, auditing the viewing and any refusal', async () => {
    h = harness();
    const bullying = await submit(h, 5, true);
    const d = deps(h);
    const [ev] = h.store.listEvidence(bullying);
    const file = await viewEvidence(d, { reportId: bullying, evidenceId: ev!.id, actorId: 'jo-patel' });
    expect(file.bytes.equals(tinyPng)).toBe(true);
    expect(h.actions(bullying)).toContain('evidence.viewed');
    await expect(viewEvidence(d, { reportId: bullying, evidenceId: ev!.id, actorId: 'amy-clarke' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(h.actions(bullying)).toContain('action.refused');
    await expect(viewEvidence(d, { reportId: bullying, evidenceId: 'nope', actorId: 'jo-patel' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('links other cases about the same member of staff or the same pupil, only those this person sees whole', async () => {
    h = harness();
    const staff1 = await submit(h, 2);
    const staff2 = await submit(h, 2);
    const pupil1 = await submit(h, 1);
    const pupil2 = await submit(h, 1);
    await submit(h, 5);
    const cases = allCases(h.db, h.store);
    const d = deps(h);
    expect(relatedCases(d, cases, staff1, 'alex-morgan')).toEqual([
      expect.objectContaining({ reportId: staff2, why: 'the same member of staff: Chris Doyle' }),
    ]);
    expect(relatedCases(d, cases, pupil2, 'jo-patel')).toEqual([
      expect.objectContaining({ reportId: pupil1, why: 'the same pupil (name and year group as reported)' }),
    ]);
    // The DSL is not sent the R2 cases (the headteacher owns them): no link to them.
    expect(relatedCases(d, cases, staff1, 'jo-patel')).toEqual([]);
    // The subject never (G1).
    expect(relatedCases(d, cases, staff1, 'chris-doyle')).toEqual([]);
  });
});
