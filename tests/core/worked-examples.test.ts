import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.js';
import { example, harness, tinyPng, type Harness } from '../support/harness.js';

// The seven worked examples of escalation-rules.md, through the workflow, on a real
// SQLite file, with a fake clock.
let h: Harness;
afterEach(() => h?.close());

const submit = (n: number, extra: { evidence?: { bytes: Uint8Array }[] } = {}) => {
  const ex = example(n);
  return h.workflow.submit({ reporterId: ex.reporter, form: ex.report, ...extra });
};

describe('worked examples', () => {
  it('1: a pupil friend request → DSL channel with Acknowledge; headteacher told; teacher gets a reference', async () => {
    h = harness();
    const r = await submit(1);
    expect(r.reference).toMatch(/^SG-2026-\d{4}$/);
    const forAck = h.outbox({ type: 'report.for_acknowledgement' });
    expect(forAck.map((o) => [o.recipientType, o.recipientId])).toEqual([['dsl_channel', 'dsl_channel']]);
    expect(forAck[0]?.payload).toMatchObject({ reference: r.reference, kind: 'friend_request', urgent: false });
    expect(h.outbox({ type: 'report.notice' }).map((o) => o.recipientId)).toEqual(['alex-morgan']);
    const receipt = h.outbox({ type: 'receipt.submitted' });
    expect(receipt.map((o) => o.recipientId)).toEqual(['amy-clarke']);
    expect(receipt[0]?.payload.reference).toBe(r.reference);
    // The DSL acknowledges; the reporter is told.
    const ack = h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    expect(ack.changed).toBe(true);
    expect(h.outbox({ type: 'report.acknowledged' })[0]?.payload).toMatchObject({ acknowledgedBy: 'Jo Patel' });
    expect(h.outbox({ type: 'receipt.status', to: 'amy-clarke' })[0]?.payload.status).toBe('acknowledged');
  });

  it('2: a colleague follows pupils → headteacher DM asking for a decision; nothing in the DSL channel', async () => {
    h = harness();
    const r = await submit(2);
    const decision = h.outbox({ type: 'decision.requested' });
    expect(decision.map((o) => o.recipientId)).toEqual(['alex-morgan']);
    expect((decision[0]?.payload.choices as { id: string }[]).map((c) => c.id)).toEqual([
      'investigate_code_of_conduct',
      'refer_to_lado',
      'no_further_action',
    ]);
    expect(h.outbox().filter((o) => o.recipientType === 'dsl_channel')).toEqual([]);
    expect(h.outbox({ to: 'chris-doyle' })).toEqual([]);
    const done = h.workflow.recordDecision({ reportId: r.reportId, actorId: 'alex-morgan', choice: 'refer_to_lado', reason: 'Contact with pupils outside school.' });
    expect(done.changed).toBe(true);
    expect(h.outbox({ type: 'decision.recorded' })[0]?.payload).toMatchObject({ choice: 'refer_to_lado', decidedBy: 'Alex Morgan' });
  });

  it('3: the headteacher posted about a pupil → chair of governors decides; the headteacher is told nothing and cannot see it', async () => {
    h = harness();
    const r = await submit(3);
    expect(h.outbox({ type: 'decision.requested' }).map((o) => o.recipientId)).toEqual(['priya-shah']);
    expect(h.outbox({ type: 'report.for_acknowledgement' }).map((o) => o.recipientId)).toEqual(['priya-shah']);
    expect(h.outbox({ to: 'alex-morgan' })).toEqual([]);
    expect(h.outbox().filter((o) => o.recipientType === 'dsl_channel')).toEqual([]);
    expect(() => h.workflow.view({ reportId: r.reportId, actorId: 'alex-morgan' })).toThrowError(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(() => h.workflow.acknowledge({ reportId: r.reportId, actorId: 'alex-morgan' })).toThrow(DomainError);
    expect(h.workflow.openQueue('alex-morgan')).toEqual([]);
    expect(h.actions(r.reportId)).toContain('action.refused');
    expect(h.workflow.view({ reportId: r.reportId, actorId: 'priya-shah' }).access).toBe('full');
  });

  it('4: a violent video on a school laptop → DSL owns it; ICT gets a block task; blocking is recorded with who and when', async () => {
    h = harness();
    const r = await submit(4);
    expect(h.outbox({ type: 'report.for_acknowledgement' }).map((o) => o.recipientType)).toEqual(['dsl_channel']);
    const task = h.outbox({ type: 'task.assigned' });
    expect(task.map((o) => o.recipientId)).toEqual(['lee-evans']);
    expect(task[0]?.payload.urls).toEqual(['https://video.example.com/watch?v=violent123']);
    h.clock.advanceMinutes(12);
    const done = h.workflow.completeTask({ reportId: r.reportId, actorId: 'lee-evans', action: 'Blocked the domain on the web filter' });
    expect(done).toMatchObject({ changed: true, by: 'lee-evans', at: '2026-11-23T10:12:00.000Z' });
    const view = h.workflow.view({ reportId: r.reportId, actorId: 'jo-patel' });
    const recorded = view.duties?.find((d) => d.type === 'task');
    expect(recorded).toMatchObject({
      status: 'done',
      doneBy: { id: 'lee-evans', name: 'Lee Evans' },
      doneAt: '2026-11-23T10:12:00.000Z',
      result: { action: 'Blocked the domain on the web filter' },
    });
    // The ICT technician sees the task, not the case.
    const ict = h.workflow.view({ reportId: r.reportId, actorId: 'lee-evans' });
    expect(ict.access).toBe('task');
    expect(ict.form).toBeUndefined();
  });

  it('5: not acknowledged in 30 working minutes → deputies reminded; 2 hours → headteacher DM', async () => {
    h = harness();
    const r = await submit(5);
    h.clock.advanceMinutes(29);
    h.workflow.tick();
    expect(h.outbox({ type: 'ack.reminder' })).toEqual([]);
    h.clock.advanceMinutes(1); // 10:30
    h.workflow.tick();
    expect(h.outbox({ type: 'ack.reminder', to: 'sam-okafor' })).toHaveLength(1);
    expect(h.outbox({ type: 'report.escalated' })).toEqual([]);
    h.clock.advanceMinutes(89); // 11:59
    h.workflow.tick();
    expect(h.outbox({ type: 'report.escalated', to: 'alex-morgan' })).toEqual([]);
    h.clock.advanceMinutes(1); // 12:00
    h.workflow.tick();
    expect(h.outbox({ type: 'report.escalated', to: 'alex-morgan' })).toHaveLength(1);
    expect(h.actions(r.reportId)).toEqual(['report.submitted', 'ack.reminded', 'ack.escalated']);
    // The headteacher may now acknowledge.
    expect(h.workflow.acknowledge({ reportId: r.reportId, actorId: 'alex-morgan' }).changed).toBe(true);
  });

  it('5 in working hours: made at 16:45 on a Friday, the reminder comes at 08:15 on Monday and the headteacher at 09:45', async () => {
    h = harness({ start: '2026-11-20T16:45:00.000Z' });
    const ex = example(5);
    await h.workflow.submit({ reporterId: ex.reporter, form: { ...ex.report, occurred: { date: '2026-11-20' } } });
    h.clock.set('2026-11-23T08:14:00.000Z');
    h.workflow.tick();
    expect(h.outbox({ type: 'ack.reminder' })).toEqual([]);
    h.clock.set('2026-11-23T08:15:00.000Z');
    h.workflow.tick();
    expect(h.outbox({ type: 'ack.reminder', to: 'sam-okafor' })).toHaveLength(1);
    h.clock.set('2026-11-23T09:44:00.000Z');
    h.workflow.tick();
    expect(h.outbox({ type: 'report.escalated' })).toEqual([]);
    h.clock.set('2026-11-23T09:45:00.000Z');
    h.workflow.tick();
    expect(h.outbox({ type: 'report.escalated', to: 'alex-morgan' })).toHaveLength(1);
  });

  it('6: nude images of a Year 10 pupil → no upload, the do-not-view guidance, the DSL alerted as urgent', async () => {
    h = harness();
    await expect(submit(6, { evidence: [{ bytes: tinyPng }] })).rejects.toMatchObject({ code: 'EVIDENCE_NOT_ALLOWED' });
    expect(h.store.listReportsNotClosed()).toEqual([]);
    const r = await submit(6);
    expect(r.urgent).toBe(true);
    expect(r.guidance.join(' ')).toMatch(/Do not view, copy, screenshot, forward/);
    expect(r.guidance.join(' ')).toMatch(/Report Remove/);
    const alert = h.outbox({ type: 'report.for_acknowledgement' });
    expect(alert.map((o) => o.recipientType)).toEqual(['dsl_channel']);
    expect(alert[0]?.payload.urgent).toBe(true);
    expect(h.outbox({ type: 'decision.requested' }).map((o) => o.recipientId)).toEqual(['jo-patel']);
    await expect(
      h.workflow.attachEvidence({ reportId: r.reportId, actorId: 'ben-hughes', bytes: tinyPng }),
    ).rejects.toMatchObject({ code: 'EVIDENCE_NOT_ALLOWED' });
  });

  it("7: a report about the DSL's own conduct → the headteacher owns it; the DSL channel shows nothing", async () => {
    h = harness();
    const r = await submit(7);
    expect(h.outbox({ type: 'report.for_acknowledgement' }).map((o) => o.recipientId)).toEqual(['alex-morgan']);
    expect(h.outbox().filter((o) => o.recipientType === 'dsl_channel')).toEqual([]);
    expect(h.outbox({ to: 'jo-patel' })).toEqual([]);
    expect(() => h.workflow.view({ reportId: r.reportId, actorId: 'jo-patel' })).toThrowError(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });
});
