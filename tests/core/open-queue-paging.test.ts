import { afterEach, describe, expect, it } from 'vitest';
import { eligiblePeople } from '../../src/core/workflow-access.js';
import { example, harness, type Harness } from '../support/harness.js';

// The open-case list, paged (issue 15): every open case comes once across the pages, in
// queue order, with G1 applied (never a report the person is the subject of), exactly as
// the whole list read at once.
let h: Harness;
afterEach(() => h?.close());

/** The list as it was read before paging: every open report, its duties, its next timer. */
function unpaged(actorId: string): string[] {
  return h.store
    .listReportsNotClosed()
    .filter((r) => !r.routing.subjects.includes(actorId))
    .filter((r) => h.store.listDuties(r.id).some((d) => eligiblePeople(d).includes(actorId)))
    .map((r) => r.id);
}

describe('openQueue, paged', () => {
  it('returns every open case across pages, in order, with G1 applied, for each person', async () => {
    h = harness();
    for (let round = 0; round < 3; round += 1)
      for (const n of [1, 2, 3, 4, 5, 6, 7]) {
        const ex = example(n);
        await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
        if (n % 3 === 0) h.clock.advanceMinutes(1); // some share a submission time: the reference breaks the tie
      }
    // One case acknowledged (still open), none closed here: the queue holds them all.
    const first = h.store.listReportsNotClosed().find((r) => r.routing.dslChannel === 'acknowledge');
    if (first) h.workflow.acknowledge({ reportId: first.id, actorId: 'jo-patel' });

    for (const actor of ['jo-patel', 'sam-okafor', 'alex-morgan', 'priya-shah', 'lee-evans', 'amy-clarke']) {
      const whole = h.workflow.openQueue(actor);
      expect(whole.map((q) => q.reportId)).toEqual(unpaged(actor));
      for (const limit of [1, 2, 5]) {
        const pages: string[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 100; guard += 1) {
          const page = h.workflow.openQueue(actor, { limit, ...(after ? { after } : {}) });
          expect(page.length).toBeLessThanOrEqual(limit);
          pages.push(...page.map((q) => q.reportId));
          if (page.length < limit) break;
          after = page.at(-1)?.reportId;
        }
        expect(pages).toEqual(whole.map((q) => q.reportId));
      }
      // G1: never a report this person is the subject of.
      for (const q of whole) expect(h.store.getReport(q.reportId)?.routing.subjects).not.toContain(actor);
    }
    // Example 7 is about the DSL: the DSL never sees it, the headteacher does.
    const aboutDsl = h.store.listReportsNotClosed().filter((r) => r.routing.subjects.includes('jo-patel'));
    expect(aboutDsl.length).toBeGreaterThan(0);
    const dslQueue = new Set(h.workflow.openQueue('jo-patel').map((q) => q.reportId));
    for (const r of aboutDsl) expect(dslQueue.has(r.id)).toBe(false);
  });

  it('shows the next deadline and what each case waits for, as before', async () => {
    h = harness();
    const ex = example(1);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    const [q] = h.workflow.openQueue('jo-patel', { limit: 10 });
    expect(q).toMatchObject({ reportId: r.reportId, reference: r.reference, urgent: false, waitingFor: ['acknowledge'] });
    expect(q?.nextDeadline).toBe(new Date(h.store.nextTimer(r.reportId)?.dueAt ?? 0).toISOString());
  });

  it('lists a person\'s receipts newest first, capped by a limit, without reading forms', async () => {
    h = harness();
    for (const n of [1, 4, 5]) {
      await h.workflow.submit({ reporterId: 'amy-clarke', form: example(n).report });
      h.clock.advanceMinutes(1);
    }
    const all = h.workflow.receipts('amy-clarke');
    expect(all).toHaveLength(3);
    expect(all.map((r) => r.submittedAt)).toEqual([...all.map((r) => r.submittedAt)].sort().reverse());
    expect(h.workflow.receipts('amy-clarke', { limit: 2 })).toEqual(all.slice(0, 2));
  });
});
