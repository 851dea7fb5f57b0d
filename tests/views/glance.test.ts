import { afterEach, describe, expect, it } from 'vitest';
import { messageCard } from '../../src/views/adaptive-cards.js';
import { asUpdateOf, messageView, reportDetailsView } from '../../src/views/message-views.js';
import { queueCard, queueView } from '../../src/views/queue-views.js';
import { cardProblems } from '../support/adaptive-card-check.js';
import { example, harness, tinyPng, type Harness } from '../support/harness.js';

// Issue 12, items 4, 5 and 6: cards a DSL reads at a glance, evidence times, the open-case list.
let h: Harness | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
});

const tz = 'Europe/London';
const detailsText = (t: Harness, reportId: string, actorId: string) =>
  JSON.stringify(reportDetailsView(t.workflow.view({ reportId, actorId }), t.workflow.directory, tz));

describe('cards a DSL reads at a glance', () => {
  it('View details: the rules in words, plain labels, one date format', async () => {
    h = harness();
    const ex = example(5);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    const text = detailsText(h, r.reportId, 'jo-patel');
    // No rule ids: "Rules R1", "Acknowledge (R1)".
    expect(text).not.toMatch(/\bR\d+\b/);
    expect(text).toContain("Asked because: A pupil's online behaviour, or a pupil is the target.");
    expect(text).toContain('"title":"Acknowledgement"');
    // Plain labels, not the form's questions.
    expect(text).toContain('"title":"Said to be responsible"');
    expect(text).not.toContain('Who is said to be responsible?');
    // One date format: the day it happened as the card's other times, never ISO.
    expect(text).toContain('"title":"When","value":"Sun, 22 Nov 2026, 20:15"');
    expect(text).toContain('"title":"Reported","value":"Mon, 23 Nov 2026, 10:00"');
    expect(text).not.toMatch(/2026-11-2\d/);
  });

  it('"Decide by" is the deadline the rules give (one working day), not a minute after, whatever the seconds', async () => {
    h = harness({ start: '2026-11-23T10:00:40.000Z' });
    const ex = example(2);
    await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    const [request] = h.outbox({ type: 'decision.requested' });
    expect(request).toBeDefined();
    const view = messageView(request!, tz);
    expect(view.facts).toContainEqual({ title: 'Decide by', value: 'Tue, 24 Nov 2026, 10:00' });
    // And the acknowledgement deadline of worked example 5: 30 working minutes.
    h.clock.set('2026-11-23T10:00:59.000Z');
    const ex5 = example(5);
    await h.workflow.submit({ reporterId: ex5.reporter, form: ex5.report });
    const ack = h.outbox({ type: 'report.for_acknowledgement' }).at(-1);
    expect(messageView(ack!, tz).facts).toContainEqual({ title: 'Acknowledge by', value: 'Mon, 23 Nov 2026, 10:30' });
  });

  it('a reminder or escalation card updated after acknowledgement keeps saying what it was', async () => {
    h = harness();
    const ex = example(5);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
    const [ack] = h.outbox({ type: 'report.acknowledged' });
    const view = messageView(ack!, tz);
    expect(asUpdateOf(view, 'ack.reminder', r.reference).title).toBe(`Reminder: ${r.reference} was waiting to be acknowledged`);
    expect(asUpdateOf(view, 'report.escalated', r.reference).title).toBe(`Escalated: ${r.reference} was not acknowledged in time`);
    expect(asUpdateOf(view, 'report.escalated', r.reference).status).toMatch(/^Acknowledged by Jo Patel at Mon, 23 Nov 2026, 10:00$/);
    expect(asUpdateOf(view, 'report.for_acknowledgement', r.reference).title).toBe(`New report: ${r.reference}`);
  });

  it('actions that do not send the card\'s inputs say associatedInputs "none"; Record decision sends them', async () => {
    h = harness();
    const ex = example(2);
    await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    const card = messageCard(messageView(h.outbox({ type: 'decision.requested' })[0]!, tz));
    const actions = card.actions as { verb: string; associatedInputs: string; fallback: { associatedInputs: string } }[];
    expect(actions.map((a) => [a.verb, a.associatedInputs, a.fallback.associatedInputs])).toEqual([
      ['decide', 'auto', 'auto'],
      ['view', 'none', 'none'],
    ]);
    expect(cardProblems(card)).toEqual([]);
  });

  it('the nude-images guidance gives the Report Remove address', async () => {
    h = harness();
    const ex = example(6);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    expect(r.guidance.join(' ')).toContain('Report Remove (Childline and the IWF) can help get it taken down: https://www.childline.org.uk/remove');
  });
});

describe('evidence times (form 2)', () => {
  it('the form\'s times are stored with each screenshot sent after it and shown beside its hash', async () => {
    h = harness();
    const ex = example(5);
    const form = { ...ex.report, screenshots: { takenDate: '2026-11-23', takenTime: '08:05', postedDate: '2026-11-22', postedTime: '20:15' } };
    const r = await h.workflow.submit({ reporterId: ex.reporter, form });
    let text = detailsText(h, r.reportId, 'jo-patel');
    expect(text).toContain('Times given in the form: taken Mon, 23 Nov 2026, 08:05, post made Sun, 22 Nov 2026, 20:15');
    await h.workflow.attachEvidence({ reportId: r.reportId, actorId: ex.reporter, bytes: tinyPng, meta: { fileName: 'chat.png' } });
    expect(h.store.listEvidence(r.reportId).map((e) => [e.takenAt, e.postedAt])).toEqual([['2026-11-23T08:05', '2026-11-22T20:15']]);
    text = detailsText(h, r.reportId, 'jo-patel');
    expect(text).toMatch(/"title":"Screenshot 1","value":"chat\.png, 1 KB, taken Mon, 23 Nov 2026, 08:05, post made Sun, 22 Nov 2026, 20:15, added Mon, 23 Nov 2026, 10:00, SHA-256 [0-9a-f]{12}…"/);
    // Times given with the file itself (Slack's pickers) win over the form's.
    const other = Buffer.concat([tinyPng, Buffer.from([0])]);
    await h.workflow.attachEvidence({ reportId: r.reportId, actorId: ex.reporter, bytes: other, meta: { fileName: 'b.png', takenAt: '2026-11-23T09:00' } });
    expect(h.store.listEvidence(r.reportId).map((e) => e.takenAt)).toEqual(['2026-11-23T08:05', '2026-11-23T09:00']);
  });

  it('a date without its time, a time without its date, a future date: an error next to the field', () => {
    h = harness();
    const ex = example(5);
    const check = (screenshots: Record<string, string>) => {
      const r = h!.workflow.validate({ ...ex.report, screenshots });
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    };
    expect(check({ takenDate: '2026-11-23' })).toEqual(['screenshots.takenTime: Please give the time too (an estimate will do).']);
    expect(check({ postedTime: '20:15' })).toEqual(['screenshots.postedDate: Please give the date too.']);
    expect(check({ takenDate: '2026-11-24', takenTime: '08:00' })).toEqual(['screenshots.takenDate: That date is in the future.']);
    expect(check({ takenTime: '25:00', takenDate: '2026-11-23' })).toEqual(['screenshots.takenTime: Please give the time as hours and minutes, e.g. 14:30.']);
    expect(check({})).toEqual([]);
  });
});

describe('the open-case list', () => {
  it('theirs first, overdue marked, the next deadline; never a report about them (G1)', async () => {
    h = harness();
    const one = await h.workflow.submit({ reporterId: example(1).reporter, form: example(1).report }); // the DSL's
    const seven = await h.workflow.submit({ reporterId: example(7).reporter, form: example(7).report }); // about the DSL: the headteacher's
    const two = await h.workflow.submit({ reporterId: example(2).reporter, form: example(2).report }); // the headteacher decides

    const jo = queueView(h.workflow.openQueue('jo-patel'), tz);
    expect(jo.cases.map((c) => c.reference)).toEqual([one.reference]);
    expect(JSON.stringify(jo)).not.toContain(seven.reference);
    expect(jo.cases[0]).toMatchObject({ yours: true, overdue: false, marks: 'Yours', deadline: 'Next deadline: Mon, 23 Nov 2026, 10:30' });
    expect(jo.summary).toBe('1 yours, 0 overdue. Next deadline: Mon, 23 Nov 2026, 10:30.');

    // 31 working minutes later: the DSL's acknowledgement is overdue (the deputies were reminded).
    h.clock.advanceMinutes(31);
    h.workflow.tick();
    const late = queueView(h.workflow.openQueue('jo-patel'), tz);
    expect(late.cases[0]).toMatchObject({ reference: one.reference, overdue: true, marks: 'Yours · Overdue' });
    expect(late.cases[0]?.deadline).toBe('Next deadline: Mon, 23 Nov 2026, 12:00');

    const alex = queueView(h.workflow.openQueue('alex-morgan'), tz);
    expect(alex.cases.map((c) => c.reference).sort()).toEqual([seven.reference, two.reference].sort());
    expect(alex.cases.every((c) => c.yours)).toBe(true);
    expect(alex.cases.find((c) => c.reference === two.reference)?.line).toMatch(/Waiting for acknowledgement and a decision/);
    // The chair, with nothing of theirs: an empty list that says so.
    const priya = queueView(h.workflow.openQueue('priya-shah'), tz);
    expect(priya.title).toBe('No open cases for you');

    for (const v of [jo, late, alex, priya]) {
      const card = queueCard(v);
      expect(cardProblems(card)).toEqual([]);
      // References, kinds and times only: no names, no report text.
      expect(JSON.stringify(card)).not.toMatch(/Jo Patel|Ben Hughes|Chris Doyle|Instagram|TikTok/);
    }
    const buttons = JSON.stringify(queueCard(alex));
    expect(buttons).toContain('"verb":"view"');
    expect(buttons).toContain('"associatedInputs":"none"');
  });

  it('a long list stays within one Teams message and says how many are left off', async () => {
    h = harness();
    const items = Array.from({ length: 40 }, (_, i) => ({
      reportId: `r${i}`,
      reference: `SG-2026-${String(i + 1).padStart(4, '0')}`,
      kindLabel: 'Cyberbullying or online abuse',
      urgent: i % 5 === 0,
      submittedAt: '2026-11-23T10:00:00.000Z',
      waitingFor: ['acknowledge'],
      nextDeadline: '2026-11-23T10:30:00.000Z',
      yours: i % 2 === 0,
      overdue: i % 3 === 0,
    }));
    const v = queueView(items, tz);
    expect(v.cases).toHaveLength(25);
    expect(v.more).toBe(15);
    expect(v.cases.slice(0, 20).every((c) => c.yours)).toBe(true);
    expect(v.cases[0]?.overdue).toBe(true);
    const card = queueCard(v);
    expect(cardProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('And 15 more open cases, not shown');
  });
});
