import { afterEach, describe, expect, it } from 'vitest';
import type { ReportKind } from '../../src/core/report-schemas.js';
import { possibleSubjectWords } from '../../src/views/message-views.js';
import { bullying, conduct, schoolWith } from '../support/g1-reports.js';
import { tinyPng } from '../support/harness.js';
import { slackHarness, slackId, type SlackHarness } from '../support/slack-harness.js';
import { buttonOf, buttonPress, formState, textOf, viewSubmission } from './slack-flow.js';

// G1 with real names over the Slack wire (issue 9, items 1, 2 and 11): the report modal
// is updated to ask "Is this about one of these people?" before the report is sent, and
// a name typed as staff call each other never reaches that person.
let h: SlackHarness;
afterEach(async () => h?.close());

type Json = Record<string, unknown>;
const dslChannel = 'C0DSLPRIV01';
const dm = (person: string) => `D${slackId(person)}`;
const posted = (channel: string) => h.api.postedTo(channel);
const radio = (value: string) => ({ value: { type: 'radio_buttons', selected_option: { value } } });

/** /report → kind → the form → Send: the modal comes back as the question. Returns that modal. */
async function askedModal(person: string, report: Json, extraState: Json = {}): Promise<{ view: Json; viewId: string; state: Json }> {
  const kind = report.kind as ReportKind;
  const before = h.app.store.listReportsByReporter(person).length;
  await h.command(person);
  const next = await h.interaction(viewSubmission(person, { callback_id: 'report_kind', state: { kind: radio(kind) } }));
  const form = (next.body as { view: Json }).view;
  const viewId = `V0G1${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  const state = formState(kind, report, extraState);
  const res = await h.interaction(viewSubmission(person, { id: viewId, callback_id: 'report_form', private_metadata: String(form.private_metadata), state }));
  expect(res.status).toBe(200);
  const body = res.body as { response_action: string; view: Json };
  expect(body.response_action).toBe('update');
  expect(body.view.callback_id).toBe('report_subject_check');
  expect(h.app.store.listReportsByReporter(person)).toHaveLength(before); // nothing is sent before the answer
  return { view: body.view, viewId, state };
}

const questionOf = (view: Json) => {
  const block = (view.blocks as { block_id?: string; label?: { text: string }; element?: { options?: { text: { text: string }; value: string }[] } }[]).find((b) => b.block_id === 'subjectCheck');
  return { label: block?.label?.text, options: (block?.element?.options ?? []).map((o) => ({ title: o.text.text, value: o.value })) };
};

/** Answers the question (a person id or "none") and sends the report; returns its record. */
async function answer(person: string, asked: { view: Json; viewId: string; state: Json }, who: string) {
  const q = questionOf(asked.view);
  const option = q.options.find((o) => (who === 'none' ? o.title === 'None of them' : o.value === `person:${who}`));
  expect(option).toBeDefined();
  const { 'evidence.files': _f, 'evidence.takenAt': _t, 'evidence.postedAt': _p, ...formOnly } = asked.state;
  const earlier = new Set(h.app.store.listReportsByReporter(person).map((r) => r.id));
  const res = await h.interaction(
    viewSubmission(person, { id: asked.viewId, callback_id: 'report_subject_check', private_metadata: String(asked.view.private_metadata), state: { ...formOnly, subjectCheck: radio(option?.value ?? '') } }),
  );
  expect(res.status).toBe(200);
  expect(res.body).toBeFalsy(); // an empty 200 closes the modal
  const stored = h.app.store.listReportsByReporter(person).find((r) => !earlier.has(r.id));
  if (!stored) throw new Error('no report stored');
  await h.deliver();
  return stored;
}

const subjectCheckAudit = (reportId: string) => h.app.store.listAudit(reportId).find((e) => e.action === 'report.submitted')?.details.subjectCheck;

describe('G1 with real names, over the Slack wire', () => {
  it('"Mr Morgan" (staff conduct): asked first; after "None of them" the headteacher still gets nothing and cannot view it; the chair is told someone was left out', async () => {
    h = await slackHarness();
    const asked = await askedModal('amy-clarke', conduct('Mr Morgan'));
    const q = questionOf(asked.view);
    expect(q.label).toBe('Is this about one of these people?');
    expect(q.options.map((o) => o.title)).toEqual(['Alex Morgan', 'None of them']);
    // The answers are kept in the modal.
    expect(JSON.stringify(asked.view)).toContain('Posted about a pupil.');
    const report = await answer('amy-clarke', asked, 'none');
    expect(report.routing.rules).toContain('R3');
    expect(subjectCheckAudit(report.id)).toEqual({ candidates: 1, answer: 'none', dismissed: 0 });
    expect(posted(dm('alex-morgan'))).toEqual([]);
    expect(posted(dslChannel)).toEqual([]);
    const decision = posted(dm('priya-shah')).find((c) => textOf([c]).includes('Decision needed'));
    expect(textOf([decision!])).toContain(possibleSubjectWords);
    expect(textOf([decision!])).not.toContain('Morgan');
    // The headteacher pressing View details (a forged click) is refused privately.
    await h.interaction(buttonPress('alex-morgan', 'view', buttonOf(decision, 'view'), { channel: dm('priya-shah'), ts: decision!.ts! }));
    expect(h.api.of('views.open').filter((c) => JSON.stringify(c.body).includes('Posted about a pupil'))).toEqual([]);
    // Reminded and escalated: still never him.
    h.clock.advanceMinutes(60 * 24 * 7);
    for (let i = 0; i < 5; i += 1) h.app.workflow.tick();
    await h.deliver();
    expect(posted(dm('alex-morgan'))).toEqual([]);
  });

  it('"Mrs Patel" responsible (cyberbullying): nothing in the DSL channel Jo Patel reads; screenshots uploaded before the question are kept', async () => {
    h = await slackHarness();
    h.api.files.set('shot-1.png', tinyPng);
    const file = { id: 'F0FILE0001', name: 'shot-1.png', mimetype: 'image/png', url_private_download: `${h.api.url}files/shot-1.png` };
    const asked = await askedModal('amy-clarke', bullying('staff', 'Mrs Patel'), {
      'evidence.files': { value: { type: 'file_input', files: [file] } },
      'evidence.takenAt': { value: { type: 'datetimepicker', selected_date_time: Date.parse('2026-11-22T20:30:00Z') / 1000 } },
    });
    expect(JSON.stringify(asked.view)).toContain('Your 1 screenshot is kept');
    const report = await answer('amy-clarke', asked, 'jo-patel');
    expect(subjectCheckAudit(report.id)).toEqual({ candidates: 1, answer: 'person', dismissed: 0 });
    await h.app.services[0]?.runDue?.();
    expect(h.app.store.listEvidence(report.id).map((e) => e.takenAt)).toEqual(['2026-11-22T20:30']);
    expect(posted(dslChannel)).toEqual([]);
    expect(posted(dm('jo-patel'))).toEqual([]);
    expect(textOf(posted(dm('sam-okafor')))).toContain(report.reference);
    // Issue 12: the screenshot's times beside its hash in View details, as on Teams and the sandbox.
    const toSam = posted(dm('sam-okafor')).find((c) => textOf([c]).includes(report.reference) && JSON.stringify(c).includes('"view"'));
    await h.interaction(buttonPress('sam-okafor', 'view', buttonOf(toSam, 'view'), { channel: dm('sam-okafor'), ts: toSam!.ts! }));
    expect(JSON.stringify(h.api.of('views.open').at(-1)?.body)).toMatch(/shot-1\.png, 1 KB, taken Sun, 22 Nov 2026, 20:30, post made at a time not given, added .*SHA-256 [0-9a-f]{12}/);
  });

  it('"Okafor" (a pupil): the deputy never reads it; the DSL gets it by DM, told someone was left out', async () => {
    h = await slackHarness();
    const report = await answer('amy-clarke', await askedModal('amy-clarke', bullying('pupil', 'Okafor')), 'none');
    expect(posted(dslChannel)).toEqual([]);
    expect(posted(dm('sam-okafor'))).toEqual([]);
    const toDsl = textOf(posted(dm('jo-patel')));
    expect(toDsl).toContain(report.reference);
    expect(toDsl).toContain(possibleSubjectWords);
  });

  it('a first name alone ("Sam"), answered "None of them", is dismissed: the DSL channel is used as usual', async () => {
    h = await slackHarness();
    const report = await answer('amy-clarke', await askedModal('amy-clarke', bullying('pupil', 'Sam')), 'none');
    expect(subjectCheckAudit(report.id)).toEqual({ candidates: 1, answer: 'none', dismissed: 1 });
    expect(textOf(posted(dslChannel))).toContain(report.reference);
  });

  it('every way of typing a name (full, case, title, initial, alias, accents, first name) keeps that person out of it', async () => {
    h = await slackHarness();
    const variants: [string, string, string][] = [
      ['Alex Morgan', 'alex-morgan', 'none'],
      ['alex morgan', 'alex-morgan', 'none'],
      ['Dr. Morgan', 'alex-morgan', 'none'],
      ['A Morgan', 'alex-morgan', 'none'],
      ['J Patel', 'jo-patel', 'none'],
      ['J. Patel', 'jo-patel', 'none'],
      ['Joanna Patel', 'jo-patel', 'none'],
      ['Ms PÁTEL', 'jo-patel', 'none'],
      ['Okafor', 'sam-okafor', 'none'],
      ['Sam', 'sam-okafor', 'sam-okafor'],
    ];
    for (const [typed, person, who] of variants) {
      const asked = await askedModal('amy-clarke', bullying('staff', typed));
      expect(questionOf(asked.view).options.map((o) => o.value), typed).toContain(`person:${person}`);
      const report = await answer('amy-clarke', asked, who);
      expect(report.routing.subjects, typed).toContain(person);
      expect(textOf(posted(dm(person))), typed).not.toContain(report.reference);
      if (person !== 'alex-morgan') expect(textOf(posted(dslChannel)), typed).not.toContain(report.reference);
    }
  });

  it('hyphens and apostrophes: a deputy named "Seán O\'Neil-Okafor" is kept out of reports about "Mr ONeil", "o neil okafor" or "Mx Okafor"', async () => {
    h = await slackHarness({ env: { SCHOOL_CONFIG: schoolWith({ 'Sam Okafor': "Seán O'Neil-Okafor" }) } });
    for (const typed of ['Mr ONeil', 'o neil okafor', 'Mx Okafor', "Sean O'Neil Okafor"]) {
      const asked = await askedModal('amy-clarke', bullying('pupil', typed));
      expect(questionOf(asked.view).options.map((o) => o.title), typed).toEqual(["Seán O'Neil-Okafor", 'None of them']);
      const report = await answer('amy-clarke', asked, 'none');
      expect(textOf(posted(dm('sam-okafor'))), typed).not.toContain(report.reference);
      expect(textOf(posted(dslChannel)), typed).not.toContain(report.reference);
      expect(textOf(posted(dm('jo-patel'))), typed).toContain(report.reference);
    }
  });

  it('a name changed in the question modal to someone else is asked about again', async () => {
    h = await slackHarness();
    const asked = await askedModal('amy-clarke', bullying('pupil', 'Sam'));
    const none = questionOf(asked.view).options.find((o) => o.title === 'None of them')!;
    const changed = formState('cyberbullying', bullying('pupil', 'Ben'));
    const res = await h.interaction(
      viewSubmission('amy-clarke', { id: asked.viewId, callback_id: 'report_subject_check', private_metadata: String(asked.view.private_metadata), state: { ...changed, subjectCheck: radio(none.value) } }),
    );
    const body = res.body as { response_action: string; view: Json };
    expect(body.response_action).toBe('update');
    expect(questionOf(body.view).options.map((o) => o.title)).toEqual(['Ben Hughes', 'None of them']);
    expect(h.app.store.listReportsByReporter('amy-clarke')).toEqual([]);
  });

  it('a tampered private_metadata gets a clear error next to the question, not a 5xx', async () => {
    h = await slackHarness();
    const res = await h.interaction(viewSubmission('amy-clarke', { callback_id: 'report_subject_check', private_metadata: '{not json', state: {} }));
    expect(res.status).toBe(200);
    expect((res.body as { response_action: string }).response_action).toBe('errors');
  });

  it('View details shows a decision in the words of its card', async () => {
    h = await slackHarness();
    const report = await answer('amy-clarke', await askedModal('amy-clarke', conduct('Mr Morgan')), 'alex-morgan');
    const decision = posted(dm('priya-shah')).find((c) => textOf([c]).includes('Decision needed'));
    const duty = h.app.store.listDuties(report.id).find((d) => d.type === 'decision')!;
    h.app.workflow.recordDecision({ reportId: report.id, dutyId: duty.id, actorId: 'priya-shah', choice: 'refer_to_lado', reason: 'Allegation.' });
    await h.interaction(buttonPress('priya-shah', 'view', buttonOf(decision, 'view'), { channel: dm('priya-shah'), ts: decision!.ts! }));
    const details = JSON.stringify(h.app.store && h.api.of('views.open').at(-1)?.body);
    expect(details).toContain('Refer to the LADO');
    expect(details).not.toContain('refer_to_lado');
  });
});
