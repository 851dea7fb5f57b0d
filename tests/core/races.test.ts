import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.js';
import { Workflow } from '../../src/core/workflow.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { DiskEvidenceFiles } from '../../src/store/evidence-files.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { demoSchool, example, harness, tinyPng, type Harness } from '../support/harness.js';

// Check-then-act races (issue 10, item 6): every check that decides a write runs inside the
// write's transaction. Real SQLite files; a second Workflow on its own connection to the
// same file is a second process. `before` runs the other process's step once, just before
// this process opens its next transaction: where a check ran before the transaction, the
// other process's write lands between the check and the write.

class SecondProcessStore extends SqliteStore {
  before: (() => void) | undefined;
  override transaction<T>(fn: () => T): T {
    const other = this.before;
    this.before = undefined;
    other?.();
    return super.transaction(fn);
  }
}

let h: Harness | undefined;
let otherDb: SqliteDatabase | undefined;
afterEach(() => {
  otherDb?.close();
  otherDb = undefined;
  h?.close();
  h = undefined;
});

/** A second process: its own connection to the same database file, its own Workflow. */
function secondProcess(run: Harness): { store: SecondProcessStore; workflow: Workflow } {
  otherDb = openDatabase(run.dbFile);
  const store = new SecondProcessStore(otherDb, run.keys);
  const workflow = new Workflow({
    store,
    evidenceFiles: new DiskEvidenceFiles(path.join(run.dir, 'evidence'), run.keys),
    directory: demoSchool.directory,
    policy: demoSchool.policy,
    clock: run.clock.now,
    channels: ['sandbox'],
    evidenceLimits: { maxBytes: 1024 * 1024, maxFilesPerReport: 10 },
  });
  return { store, workflow };
}

const png = (n: number) => Buffer.concat([tinyPng, Buffer.from([n & 0xff, n >> 8])]);

async function failure(p: Promise<unknown> | (() => unknown)): Promise<DomainError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a DomainError');
}

async function cyberbullying(run: Harness, files: number) {
  const ex = example(5);
  return run.workflow.submit({ reporterId: ex.reporter, form: ex.report, evidence: Array.from({ length: files }, (_, i) => ({ bytes: png(i) })) });
}

describe('races: evidence uploads', () => {
  it('two uploads at the limit in one process (Promise.all): one is added, the other refused; never 11 files', async () => {
    h = harness();
    const r = await cyberbullying(h, 9);
    const results = await Promise.allSettled([
      h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: png(100) }),
      h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: png(101) }),
    ]);
    expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((x) => x.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(DomainError);
    expect((refused.reason as DomainError).code).toBe('EVIDENCE_TOO_MANY');
    expect((refused.reason as DomainError).issues.map((i) => i.path)).toEqual(['evidence']);
    expect(h.store.listEvidence(r.reportId)).toHaveLength(10);
    expect(h.actions(r.reportId).filter((a) => a === 'evidence.attached')).toHaveLength(1);
  });

  it('two uploads at the limit from two processes: never 11 files', async () => {
    h = harness();
    const other = secondProcess(h);
    const r = await cyberbullying(h, 9);
    const mine = h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: png(200) });
    const theirs = other.workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: png(201) });
    const results = await Promise.allSettled([mine, theirs]);
    expect(results.filter((x) => x.status === 'rejected')).toHaveLength(1);
    expect(h.store.listEvidence(r.reportId)).toHaveLength(10);
  });

  it('the same file uploaded twice at once is kept once, and neither upload fails', async () => {
    h = harness();
    const r = await cyberbullying(h, 9);
    const both = await Promise.all([
      h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: png(300) }),
      h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: png(300) }),
    ]);
    expect(both.map((b) => b.added).sort()).toEqual([false, true]);
    expect(h.store.listEvidence(r.reportId)).toHaveLength(10);
  });

  it('a close during an upload: no file is added to the closed report, and the reporter gets REPORT_CLOSED', async () => {
    h = harness();
    const r = await cyberbullying(h, 1);
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    const upload = h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'amy-clarke', bytes: png(400) });
    // The upload is at its await (the file being written); the DSL closes the report now.
    h.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'no_further_action', reason: 'Dealt with in school.' });
    expect((await failure(upload)).code).toBe('REPORT_CLOSED');
    expect(h.store.listEvidence(r.reportId)).toHaveLength(1);
    expect(h.actions(r.reportId)).not.toContain('evidence.attached');
  });

  it('a refusal found inside the transaction stays on the record', async () => {
    h = harness();
    const r = await cyberbullying(h, 1);
    expect((await failure(h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'chris-doyle', bytes: png(500) }))).code).toBe('FORBIDDEN');
    expect((await failure(() => h!.workflow.acknowledge({ reportId: r.reportId, actorId: 'amy-clarke' }))).code).toBe('FORBIDDEN');
    expect((await failure(() => h!.workflow.view({ reportId: r.reportId, actorId: 'chris-doyle' }))).code).toBe('FORBIDDEN');
    expect(h.actions(r.reportId).filter((a) => a === 'action.refused')).toHaveLength(3);
    expect(h.store.listEvidence(r.reportId)).toHaveLength(1);
  });
});

describe('races: commands from two processes', () => {
  it('two acknowledgements: one changes the report, the other answers "already"', async () => {
    h = harness();
    const other = secondProcess(h);
    const r = await cyberbullying(h, 0);
    let theirs: ReturnType<Workflow['acknowledge']> | undefined;
    other.store.before = () => {
      theirs = h!.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    };
    const mine = other.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    expect(theirs?.changed).toBe(true);
    expect(mine.changed).toBe(false);
    expect(mine.at).toBe(theirs?.at);
    expect(h.actions(r.reportId).filter((a) => a === 'report.acknowledged')).toHaveLength(1);
    expect(h.outbox({ type: 'receipt.status' })).toHaveLength(1);
  });

  it('two decisions: one is recorded, the other is ALREADY_DONE and changes nothing', async () => {
    h = harness();
    const other = secondProcess(h);
    const ex = example(2);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    const duty = h.store.listDuties(r.reportId).find((d) => d.type === 'decision');
    const [first, second] = (duty?.choices ?? []).map((c) => c.id);
    expect(first && second).toBeTruthy();
    other.store.before = () => {
      h!.workflow.recordDecision({ reportId: r.reportId, actorId: 'alex-morgan', choice: first!, reason: 'First answer.' });
    };
    const err = await failure(() => other.workflow.recordDecision({ reportId: r.reportId, actorId: 'alex-morgan', choice: second!, reason: 'Second answer.' }));
    expect(err.code).toBe('ALREADY_DONE');
    expect(h.store.getDuty(duty!.id)?.result).toEqual({ choice: first, reason: 'First answer.' });
    expect(h.actions(r.reportId).filter((a) => a === 'decision.recorded')).toHaveLength(1);
  });

  it('two task completions: one is recorded with its action, the other answers "already"', async () => {
    h = harness();
    const other = secondProcess(h);
    const ex = example(4);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    other.store.before = () => {
      h!.workflow.completeTask({ reportId: r.reportId, actorId: 'lee-evans', action: 'Blocked the domain.' });
    };
    const again = other.workflow.completeTask({ reportId: r.reportId, actorId: 'lee-evans', action: 'Blocked it again.' });
    expect(again.changed).toBe(false);
    expect(h.store.listDuties(r.reportId).find((d) => d.type === 'task')?.result).toEqual({ action: 'Blocked the domain.' });
    expect(h.actions(r.reportId).filter((a) => a === 'task.completed')).toHaveLength(1);
  });

  it('two closes: one closes the report with its reason, the other answers "already"', async () => {
    h = harness();
    const other = secondProcess(h);
    const r = await cyberbullying(h, 0);
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    other.store.before = () => {
      h!.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'no_further_action', reason: 'Dealt with.' });
    };
    const again = other.workflow.close({ reportId: r.reportId, actorId: 'jo-patel', outcome: 'no_further_action', reason: 'Dealt with, again.' });
    expect(again.changed).toBe(false);
    expect(h.actions(r.reportId).filter((a) => a === 'report.closed')).toHaveLength(1);
    expect(h.store.getReport(r.reportId)?.closeReason).toBe('Dealt with.');
  });
});
