import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { everyoneReached, route } from '../../src/core/policy-engine.js';
import { makeReportSchema } from '../../src/core/report-schemas.js';
import { Directory, schoolConfigSchema, type SchoolConfig } from '../../src/core/school.js';
import { demoSchool, example, harness, monday10, tinyPng, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

const extraRoles = ['dsl', 'deputy_dsl', 'headteacher', 'chair_of_governors', 'ict_technician', 'reputation_lead'] as const;

/** A school: 3 to 9 people with random roles; there is always a DSL, a headteacher and a chair. */
const schoolArb = fc
  .record({
    roles: fc.array(fc.subarray([...extraRoles]), { minLength: 3, maxLength: 9 }),
    vice: fc.option(fc.nat(), { nil: undefined }),
    ooh: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ roles, vice, ooh }): SchoolConfig => {
    const people = roles.map((r, i) => {
      const forced = i === 0 ? ['dsl'] : i === 1 ? ['headteacher'] : i === 2 ? ['chair_of_governors'] : [];
      return { id: `p${i}`, name: `Person ${i}`, roles: [...new Set([...forced, ...r])], slack: `U0P${i}XX`, teams: `29:p${i}` };
    });
    return schoolConfigSchema.parse({
      school: { name: 'Generated School', timezone: 'Europe/London', workingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' } },
      people,
      channels: { dsl: { slack: 'C0DSL', teams: '19:dsl' } },
      contacts: {
        ...(vice !== undefined ? { viceChair: `p${vice % people.length}` } : {}),
        ...(ooh !== undefined ? { outOfHours: `p${ooh % people.length}` } : {}),
      },
    });
  });

/** A reference to person i of the school: by id, by typed name, or both. */
const refArb = fc.record({ i: fc.nat(8), how: fc.constantFrom('id', 'name', 'both') });
const refTo = (school: SchoolConfig, r: { i: number; how: string }) => {
  const p = school.people[r.i % school.people.length]!;
  return r.how === 'id' ? { personId: p.id } : r.how === 'name' ? { name: p.name.toUpperCase() } : { personId: p.id, name: p.name };
};
const occurred = { date: '2026-01-05' };

const reportArb = (school: SchoolConfig) =>
  fc.oneof(
    fc.record({ ref: refArb, type: fc.constantFrom('pupil', 'staff', 'visitor', 'unknown'), device: fc.boolean(), category: fc.constantFrom('violent', 'extremist', 'illegal', 'sexual', 'other') }).map((g) => ({
      kind: 'inappropriate_content',
      accessedBy: { type: g.type, ...refTo(school, g.ref) },
      occurred,
      urls: ['https://example.com/x'],
      category: g.category,
      description: 'd',
      device: 'laptop',
      location: 'room',
      schoolDeviceOrNetwork: g.device,
    })),
    fc.record({ ref: refArb, target: fc.constantFrom('pupil', 'staff', 'other'), type: fc.constantFrom('pupil', 'staff', 'parent', 'unknown') }).map((g) => ({
      kind: 'cyberbullying',
      target: { type: g.target },
      responsible: { type: g.type, ...refTo(school, g.ref) },
      platform: 'app',
      where: 'group',
      occurred,
      description: 'd',
    })),
    fc.record({ ref: refArb, dir: fc.constantFrom('pupil_to_staff', 'staff_to_pupil'), family: fc.boolean() }).map((g) => ({
      kind: 'friend_request',
      direction: g.dir,
      platform: 'app',
      occurred,
      pupil: { name: 'A pupil' },
      staffMember: refTo(school, g.ref),
      accepted: false,
      familyLink: g.family,
      ...(g.family ? { familyLinkDetails: 'cousin' } : {}),
    })),
    fc.record({ ref: refArb }).map((g) => ({
      kind: 'staff_conduct',
      staffMember: refTo(school, g.ref),
      occurred,
      description: 'd',
      involvesPupils: true,
    })),
    fc.record({ ref: refArb, type: fc.constantFrom('pupil', 'staff', 'other', 'unknown') }).map((g) => ({
      kind: 'extremism',
      concernAbout: { type: g.type, ...refTo(school, g.ref) },
      occurred,
      description: 'd',
    })),
    fc.record({ ref: refArb, type: fc.constantFrom('parent', 'pupil', 'staff', 'other', 'unknown') }).map((g) => ({
      kind: 'reputation',
      author: { type: g.type, ...refTo(school, g.ref) },
      platform: 'app',
      where: 'page',
      occurred,
      description: 'd',
    })),
    fc.record({ ref: refArb, type: fc.constantFrom('pupil', 'staff', 'other', 'unknown') }).map((g) => ({
      kind: 'something_else',
      about: { type: g.type, ...refTo(school, g.ref) },
      description: 'd',
    })),
  );

/** Any moment in 2026: working hours, evenings, weekends, both sides of the clock changes. */
const timeArb = fc.integer({ min: Date.UTC(2026, 0, 6), max: Date.UTC(2026, 11, 31) }).map((t) => new Date(t));

const schema = makeReportSchema({ today: '2026-12-31' });

describe('G1: the subject is never told', () => {
  it('property: over generated schools and reports, no subject is among those told, asked or in the DSL channel', () => {
    fc.assert(
      fc.property(
        schoolArb.chain((school) => fc.tuple(fc.constant(school), reportArb(school), timeArb)),
        ([school, raw, at]) => {
          const dir = new Directory(school);
          const form = schema.parse(raw);
          const routing = route({ form, reporterId: 'p0' }, demoSchool.policy, dir, at);
          const reached = everyoneReached(routing, dir);
          for (const s of routing.subjects) expect(reached.has(s)).toBe(false);
          if (routing.dslChannel !== 'none') for (const s of routing.subjects) expect(dir.dslChannelMembers()).not.toContain(s);
          // Every named colleague is a subject.
          const named = JSON.stringify(raw).match(/"personId":"(p\d+)"/);
          const fromPupil = raw.kind === 'friend_request' && (raw as { direction?: string }).direction === 'pupil_to_staff';
          if (named && raw.kind !== 'cyberbullying' && !fromPupil)
            expect(routing.subjects).toContain(named[1]);
          // There is always someone to acknowledge it.
          expect(routing.duties.some((d) => d.type === 'acknowledge')).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: through the workflow, no queued message is addressed to a subject, and they cannot view it', async () => {
    await fc.assert(
      fc.asyncProperty(
        schoolArb.chain((school) => fc.tuple(fc.constant(school), reportArb(school))),
        async ([school, raw]) => {
          const run = harness({ school, channels: ['slack', 'teams'], start: '2026-06-01T09:00:00Z' });
          try {
            const r = await run.workflow.submit({ reporterId: 'someone-else', form: raw });
            const subjects = run.store.getReport(r.reportId)!.routing.subjects;
            const dir = new Directory(school);
            for (const o of run.outbox()) expect(subjects).not.toContain(o.recipientId);
            if (subjects.some((s) => dir.dslChannelMembers().includes(s)))
              expect(run.outbox().filter((o) => o.recipientType === 'dsl_channel')).toEqual([]);
            // Escalate all the way: still never a subject.
            run.clock.advanceMinutes(60 * 24 * 14);
            for (let i = 0; i < 6; i += 1) run.workflow.tick();
            for (const o of run.outbox()) expect(subjects).not.toContain(o.recipientId);
            for (const s of subjects) expect(() => run.workflow.view({ reportId: r.reportId, actorId: s })).toThrow();
          } finally {
            run.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a pupil concern that names the DSL goes to the deputies by direct message, not the channel', async () => {
    h = harness();
    const r = await h.workflow.submit({
      reporterId: 'amy-clarke',
      form: { ...example(5).report, responsible: { type: 'staff', name: 'Jo Patel' } },
    });
    const routing = h.store.getReport(r.reportId)!.routing;
    expect(routing.rules).toEqual(['R1', 'R2']);
    expect(routing.dslChannel).toBe('none');
    const forAck = h.outbox({ type: 'report.for_acknowledgement' }).map((o) => o.recipientId).sort();
    expect(forAck).toEqual(['alex-morgan', 'sam-okafor']);
    expect(h.outbox({ to: 'jo-patel' })).toEqual([]);
    expect(routing.notes.join(' ')).toMatch(/G1: the DSL is named/);
  });

  it('a concern about the headteacher when the chair is also named and no vice-chair: routed on, with a note', () => {
    const cfg = schoolConfigSchema.parse({ ...demoConfig(), contacts: {} });
    const dir = new Directory(cfg);
    const form = schema.parse({ kind: 'staff_conduct', staffMember: { personId: 'priya-shah' }, occurred, description: 'd', involvesPupils: false });
    const routing = route({ form, reporterId: 'amy-clarke' }, demoSchool.policy, dir, new Date(monday10));
    // About the chair (R2, headteacher owns): escalation would reach the chair, who is skipped.
    const ack = routing.duties.find((d) => d.type === 'acknowledge')!;
    expect(ack.levels.map((l) => l.role)).toEqual(['headteacher']);
    const both = schema.parse({ kind: 'something_else', about: { type: 'staff', personId: 'alex-morgan' }, description: 'also Priya Shah', occurred });
    const r2 = route({ form: both, reporterId: 'amy-clarke' }, demoSchool.policy, dir, new Date(monday10));
    expect(r2.rules).toEqual(['R3']);
    expect(r2.duties[0]?.levels[0]).toEqual({ role: 'chair_of_governors', people: ['priya-shah'] });
  });

  it('about the chair with no vice-chair configured: the headteacher takes the chair\'s part and is told the chair is conflicted', () => {
    const cfg = schoolConfigSchema.parse({ ...demoConfig(), contacts: {} });
    const policy = structuredClone(demoSchool.policy);
    // A school policy that asks the chair to decide on staff conduct (R2).
    policy.rules.find((r) => r.id === 'R2')!.decision!.from = 'chair_of_governors';
    const form = schema.parse({ kind: 'staff_conduct', staffMember: { personId: 'priya-shah' }, occurred, description: 'd', involvesPupils: false });
    const routing = route({ form, reporterId: 'amy-clarke' }, policy, new Directory(cfg), new Date(monday10));
    const decision = routing.duties.find((d) => d.type === 'decision')!;
    expect(decision.levels[0]).toEqual({ role: 'headteacher', people: ['alex-morgan'] });
    expect(routing.notes.join(' ')).toMatch(/chair of governors is conflicted/);
  });
});

function demoConfig(): SchoolConfig {
  return structuredClone(demoSchool.config);
}

describe('G2: no image upload for nude images of children', () => {
  it('the form has no file and the receipt carries the guidance', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'ben-hughes', form: example(6).report });
    const receipt = h.outbox({ type: 'receipt.submitted' })[0]!;
    expect(receipt.payload.guidance).toEqual(r.guidance);
    expect(r.guidance).toHaveLength(3);
    expect(h.actions()).not.toContain('evidence.attached');
  });
});

describe('G3: acknowledge or escalate', () => {
  it('urgent reports run on the clock at any hour, and the out-of-hours contact is told', async () => {
    h = harness({ start: '2026-11-21T02:00:00Z' }); // Saturday, 02:00
    const form = { ...example(6).report, occurred: { date: '2026-11-21' } };
    await h.workflow.submit({ reporterId: 'ben-hughes', form });
    expect(h.outbox({ type: 'report.notice', to: 'sam-okafor' })).toHaveLength(1); // out-of-hours contact
    h.clock.advanceMinutes(10);
    h.workflow.tick();
    expect(h.outbox({ type: 'ack.reminder', to: 'sam-okafor' })).toHaveLength(1);
    h.clock.advanceMinutes(10);
    h.workflow.tick();
    expect(h.outbox({ type: 'report.escalated', to: 'alex-morgan' })).toHaveLength(1);
    // Then the next level, 20 minutes later: the chair.
    h.clock.advanceMinutes(20);
    h.workflow.tick();
    expect(h.outbox({ type: 'report.escalated', to: 'priya-shah' })).toHaveLength(1);
  });

  it('deadlines survive a restart', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(5).report });
    h.restart();
    h.clock.advanceMinutes(120);
    h.workflow.tick();
    expect(h.outbox({ type: 'ack.reminder', to: 'sam-okafor' })).toHaveLength(1);
    expect(h.outbox({ type: 'report.escalated', to: 'alex-morgan' })).toHaveLength(1);
    expect(h.actions(r.reportId)).toEqual(['report.submitted', 'ack.reminded', 'ack.escalated']);
  });

  it('a timer runs once, and an acknowledged report does not escalate', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(5).report });
    h.clock.advanceMinutes(30);
    expect(h.workflow.tick().processed).toBe(1);
    expect(h.workflow.tick().processed).toBe(0);
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'sam-okafor' });
    h.clock.advanceMinutes(600);
    h.workflow.tick();
    expect(h.outbox({ type: 'report.escalated' })).toEqual([]);
  });
});

describe('G4: decisions have deadlines', () => {
  it('a decision about a staff member not made in one working day goes to the chair too', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'ben-hughes', form: example(2).report });
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'alex-morgan' });
    h.clock.set('2026-11-24T09:59:00Z');
    h.workflow.tick();
    expect(h.outbox({ type: 'decision.requested', to: 'priya-shah' })).toEqual([]);
    h.clock.set('2026-11-24T10:00:00Z');
    h.workflow.tick();
    expect(h.outbox({ type: 'decision.requested', to: 'priya-shah' })).toHaveLength(1);
    expect(h.actions(r.reportId)).toContain('decision.escalated');
    // The chair may decide now; only once.
    h.workflow.recordDecision({ reportId: r.reportId, actorId: 'priya-shah', choice: 'refer_to_lado', reason: 'Headteacher did not respond.' });
    expect(() =>
      h!.workflow.recordDecision({ reportId: r.reportId, actorId: 'alex-morgan', choice: 'no_further_action', reason: 'x' }),
    ).toThrowError(expect.objectContaining({ code: 'ALREADY_DONE' }));
  });

  it('only the person asked decides, from the rule\'s choices, with a reason', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'ben-hughes', form: example(2).report });
    const decide = (actorId: string, choice: string, reason: string) => () =>
      h!.workflow.recordDecision({ reportId: r.reportId, actorId, choice, reason });
    expect(decide('jo-patel', 'refer_to_lado', 'r')).toThrowError(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(decide('alex-morgan', 'sack_them', 'r')).toThrowError(expect.objectContaining({ code: 'INVALID_CHOICE' }));
    expect(decide('alex-morgan', 'refer_to_lado', '   ')).toThrowError(expect.objectContaining({ code: 'REASON_REQUIRED' }));
    expect(decide('alex-morgan', 'refer_to_lado', 'Pattern of contact.')().changed).toBe(true);
    expect(decide('alex-morgan', 'refer_to_lado', 'Pattern of contact.')().changed).toBe(false);
    expect(h.actions(r.reportId).filter((a) => a === 'decision.recorded')).toHaveLength(1);
    expect(h.actions(r.reportId).filter((a) => a === 'action.refused')).toHaveLength(1);
  });
});

describe('G5: nothing closes without a reason', () => {
  it('needs an outcome, a reason, and every decision made', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'ben-hughes', form: example(2).report });
    const close = (outcome: string, reason: string) => () =>
      h!.workflow.close({ reportId: r.reportId, actorId: 'alex-morgan', outcome, reason });
    expect(close('no_further_action', '')).toThrowError(expect.objectContaining({ code: 'REASON_REQUIRED' }));
    expect(close('shrug', 'a reason')).toThrowError(expect.objectContaining({ code: 'REASON_REQUIRED' }));
    expect(close('no_further_action', 'Spoke to the colleague.')).toThrowError(expect.objectContaining({ code: 'DUTIES_PENDING' }));
    h.workflow.recordDecision({ reportId: r.reportId, actorId: 'alex-morgan', choice: 'no_further_action', reason: 'Accounts were family.' });
    expect(close('no_further_action', 'Spoke to the colleague.')().changed).toBe(true);
    const report = h.store.getReport(r.reportId)!;
    expect(report).toMatchObject({ status: 'closed', outcome: 'no_further_action', closeReason: 'Spoke to the colleague.', closedBy: 'alex-morgan' });
    expect(() => h!.workflow.close({ reportId: r.reportId, actorId: 'chris-doyle', outcome: 'no_further_action', reason: 'x' })).toThrowError(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });
});

describe('G6: the reporter gets a receipt, not the case', () => {
  it('receipts and the reporter\'s view carry the reference and status, not who did what', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    expect(h.workflow.receipts('amy-clarke')).toEqual([
      { reference: r.reference, kindLabel: 'Friend or follow request between a pupil and staff', status: 'acknowledged', submittedAt: monday10 },
    ]);
    const view = h.workflow.view({ reportId: r.reportId, actorId: 'amy-clarke' });
    expect(view.access).toBe('receipt');
    expect(view.duties).toBeUndefined();
    expect(view.form).toBeUndefined();
    const status = h.outbox({ type: 'receipt.status', to: 'amy-clarke' })[0]!;
    expect(JSON.stringify(status.payload)).not.toMatch(/Jo Patel|jo-patel/);
  });
});

describe('G7: everything is on the record', () => {
  it('views, acknowledgements, decisions, reminders, escalations and refusals are audited, and the chain verifies', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(4).report });
    h.workflow.view({ reportId: r.reportId, actorId: 'jo-patel' });
    expect(() => h!.workflow.view({ reportId: r.reportId, actorId: 'chris-doyle' })).toThrow();
    expect(() => h!.workflow.acknowledge({ reportId: r.reportId, actorId: 'chris-doyle' })).toThrow();
    h.clock.advanceMinutes(30);
    h.workflow.tick();
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' }); // a double click: one effect
    h.workflow.completeTask({ reportId: r.reportId, actorId: 'lee-evans', action: 'Blocked' });
    h.workflow.close({ reportId: r.reportId, actorId: 'sam-okafor', outcome: 'action_taken', reason: 'Spoke to the class.' });
    expect(h.actions(r.reportId)).toEqual([
      'report.submitted',
      'report.viewed',
      'action.refused',
      'action.refused',
      'ack.reminded',
      'report.acknowledged',
      'task.completed',
      'report.closed',
    ]);
    expect(h.store.verifyAudit()).toMatchObject({ ok: true, count: 9, problems: [] }); // 8, after "audit.started"
    // The audit log carries ids and codes, never the report's text.
    const all = JSON.stringify(h.db.prepare('SELECT * FROM audit_log').all());
    expect(all).not.toMatch(/violent video|Year 5 classroom|School laptop 14/);
  });
});

describe('idempotency and authorisation', () => {
  it('the same submission key makes one report', async () => {
    h = harness();
    const a = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report, idempotencyKey: 'view-123' });
    const b = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report, idempotencyKey: 'view-123' });
    expect(b).toEqual(a);
    expect(h.store.listReportsByReporter('amy-clarke')).toHaveLength(1);
    expect(h.outbox({ type: 'receipt.submitted' })).toHaveLength(1);
  });

  it('the same screenshot sent twice is kept and counted once', async () => {
    h = harness();
    const r = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(5).report, evidence: [{ bytes: tinyPng }, { bytes: tinyPng }] });
    expect(r.evidenceCount).toBe(1);
    expect(h.store.listEvidence(r.reportId)).toHaveLength(1);
    expect(h.outbox({ type: 'receipt.submitted' })[0]?.payload.evidenceCount).toBe(1);
  });

  it('reference numbers count up per year', async () => {
    h = harness({ start: '2026-12-31T23:59:00Z' });
    const a = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    const b = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    h.clock.set('2027-01-01T00:01:00Z');
    const c = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    expect([a.reference, b.reference, c.reference]).toEqual(['SG-2026-0001', 'SG-2026-0002', 'SG-2027-0001']);
  });

  it('messages fan out to each channel that reaches the person; someone unreachable is on the record', async () => {
    h = harness({ channels: ['slack', 'teams'] });
    await h.workflow.submit({ reporterId: 'slack:U0NOTLISTED', form: example(1).report });
    expect(h.outbox({ type: 'report.for_acknowledgement' }).map((o) => o.channel).sort()).toEqual(['slack', 'teams']);
    expect(h.outbox({ type: 'receipt.submitted' }).map((o) => [o.channel, o.recipientId])).toEqual([['slack', 'slack:U0NOTLISTED']]);
  });
});
