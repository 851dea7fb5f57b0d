import { afterEach, describe, expect, it } from 'vitest';
import { example, harness, type Harness } from '../support/harness.js';

// Workflow.dutyForm: the decision (or block task) card asking this person now, as core
// would queue it, for a channel to send back with a refused answer next to its field.
// It reads only, and gives nothing to anyone not asked now (G1: never a subject).
let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

const payloadOf = (items: { payload: Record<string, unknown> }[]) => items.at(-1)?.payload ?? {};

describe('the decision card again (Workflow.dutyForm)', () => {
  it('2: the headteacher gets the card as it was queued; the DSL, the colleague (subject) and the reporter get nothing; nothing is written', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'ben-hughes', form: example(2).report });
    const before = h.actions(r.reportId).length;
    const queued = payloadOf(h.outbox({ type: 'decision.requested', to: 'alex-morgan' }));
    const card = h.workflow.dutyForm({ reportId: r.reportId, actorId: 'alex-morgan', type: 'decision' });
    expect(card?.messageType).toBe('decision.requested');
    const { reminder: _r, ...asQueued } = queued;
    expect(card?.payload).toMatchObject(asQueued);
    for (const actorId of ['jo-patel', 'chris-doyle', 'ben-hughes']) expect(h.workflow.dutyForm({ reportId: r.reportId, actorId, type: 'decision' })).toBeUndefined();
    expect(h.workflow.dutyForm({ reportId: r.reportId, actorId: 'alex-morgan', type: 'task' })).toBeUndefined();
    expect(h.actions(r.reportId)).toHaveLength(before);
  });

  it('after the escalation to the chair, the chair\'s card says the later "decide by"; once decided, nobody gets it', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'ben-hughes', form: example(2).report });
    h.clock.set('2026-11-24T10:00:00Z');
    h.workflow.tick();
    const escalated = payloadOf(h.outbox({ type: 'decision.requested', to: 'priya-shah' }));
    expect(escalated.dueAt).toBeDefined();
    expect(h.workflow.dutyForm({ reportId: r.reportId, actorId: 'priya-shah', type: 'decision' })?.payload.dueAt).toBe(escalated.dueAt);
    h.workflow.recordDecision({ reportId: r.reportId, actorId: 'priya-shah', choice: 'refer_to_lado', reason: 'Headteacher did not respond.' });
    for (const actorId of ['priya-shah', 'alex-morgan']) expect(h.workflow.dutyForm({ reportId: r.reportId, actorId, type: 'decision' })).toBeUndefined();
  });

  it('no choice and no reason: both refusals at once, each with its field', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'ben-hughes', form: example(2).report });
    expect(() => h!.workflow.recordDecision({ reportId: r.reportId, actorId: 'alex-morgan', choice: '', reason: '  ' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_CHOICE', issues: [expect.objectContaining({ path: 'choice' }), expect.objectContaining({ path: 'reason' })] }),
    );
  });

  it('4: the ICT technician gets the block task card with its addresses', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(4).report });
    const card = h.workflow.dutyForm({ reportId: r.reportId, actorId: 'lee-evans', type: 'task' });
    expect(card?.messageType).toBe('task.assigned');
    expect(card?.payload).toMatchObject(payloadOf(h.outbox({ type: 'task.assigned', to: 'lee-evans' })));
  });
});
