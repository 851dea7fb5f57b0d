import { afterEach, describe, expect, it } from 'vitest';
import { example, tinyPng } from '../support/harness.js';
import { slackHarness, type SlackHarness } from '../support/slack-harness.js';
import { formState, viewSubmission } from './slack-flow.js';

// A Slack report and its pending screenshots are one transaction (issue 10, item 6): a
// failure between the two writes leaves neither, and the retried submission (same view)
// stores one report with one set of files.
let h: SlackHarness;
afterEach(async () => h?.close());

type Json = Record<string, unknown>;

describe('the Slack report and its pending files', () => {
  it('a failure writing the files stores nothing; the retried submission gives one report and one set of files', async () => {
    h = await slackHarness();
    const ex = example(5);
    h.api.files.set('shot-1.png', tinyPng);
    h.api.files.set('shot-2.png', Buffer.concat([tinyPng, Buffer.from('2')]));
    const file = (n: number) => ({ id: `F0RACE000${n}`, name: `shot-${n}.png`, mimetype: 'image/png', url_private_download: `${h.api.url}files/shot-${n}.png` });
    expect((await h.command(ex.reporter)).status).toBe(200);
    const next = await h.interaction(viewSubmission(ex.reporter, { callback_id: 'report_kind', state: { kind: { value: { type: 'radio_buttons', selected_option: { value: 'cyberbullying' } } } } }));
    const form = (next.body as { view: Json }).view;
    const submission = viewSubmission(ex.reporter, {
      id: 'V0RACEVIEW1',
      callback_id: 'report_form',
      private_metadata: String(form.private_metadata),
      state: formState('cyberbullying', ex.report, { 'evidence.files': { value: { type: 'file_input', files: [file(1), file(2)] } } }),
    });

    // The process fails between the report and its files (here: the files' insert fails).
    const db = h.app.store.db;
    db.exec(`CREATE TEMP TRIGGER fail_pending BEFORE INSERT ON slack_pending_files BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`);
    const failed = await h.interaction(submission);
    expect(failed.status).toBe(200);
    expect((failed.body as { response_action?: string }).response_action).toBe('errors');
    expect(h.app.store.listReportsByReporter(ex.reporter)).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM slack_pending_files').get()).toEqual({ n: 0 });
    expect(h.app.store.listOutbox()).toEqual([]);

    // Slack retries the same view submission once the failure has passed: one report, both files.
    db.exec('DROP TRIGGER temp.fail_pending');
    const ok = await h.interaction(submission);
    expect(ok.body).toBeFalsy();
    const again = await h.interaction(submission);
    expect(again.body).toBeFalsy();
    const reports = h.app.store.listReportsByReporter(ex.reporter);
    expect(reports).toHaveLength(1);
    expect(db.prepare('SELECT file_id FROM slack_pending_files ORDER BY id').all()).toEqual([{ file_id: 'F0RACE0001' }, { file_id: 'F0RACE0002' }]);
    await h.app.services[0]?.runDue?.();
    expect(h.app.store.listEvidence(reports[0]!.id)).toHaveLength(2);
  });

  it('the same after the "Is this about one of these people?" question: a failure stores nothing; the retry stores the report and its kept file', async () => {
    h = await slackHarness();
    h.api.files.set('shot-1.png', tinyPng);
    const radio = (value: string) => ({ value: { type: 'radio_buttons', selected_option: { value } } });
    const report = { kind: 'cyberbullying', target: { type: 'pupil', name: 'A Year 7 pupil' }, responsible: { type: 'staff', name: 'Mrs Patel' }, platform: 'WhatsApp', where: 'Class group', occurred: { date: '2026-11-20' }, description: 'Unkind messages.' };
    const file = { id: 'F0RACE0009', name: 'shot-1.png', mimetype: 'image/png', url_private_download: `${h.api.url}files/shot-1.png` };
    await h.command('amy-clarke');
    const next = await h.interaction(viewSubmission('amy-clarke', { callback_id: 'report_kind', state: { kind: radio('cyberbullying') } }));
    const form = (next.body as { view: Json }).view;
    const asked = await h.interaction(
      viewSubmission('amy-clarke', { id: 'V0RACEVIEW2', callback_id: 'report_form', private_metadata: String(form.private_metadata), state: formState('cyberbullying', report, { 'evidence.files': { value: { type: 'file_input', files: [file] } } }) }),
    );
    const question = (asked.body as { response_action: string; view: Json }).view;
    expect(question.callback_id).toBe('report_subject_check');
    const answer = viewSubmission('amy-clarke', { id: 'V0RACEVIEW2', callback_id: 'report_subject_check', private_metadata: String(question.private_metadata), state: { ...formState('cyberbullying', report), subjectCheck: radio('person:jo-patel') } });

    const db = h.app.store.db;
    db.exec(`CREATE TEMP TRIGGER fail_pending BEFORE INSERT ON slack_pending_files BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`);
    const failed = await h.interaction(answer);
    expect((failed.body as { response_action?: string }).response_action).toBe('errors');
    expect(h.app.store.listReportsByReporter('amy-clarke')).toEqual([]);

    db.exec('DROP TRIGGER temp.fail_pending');
    expect((await h.interaction(answer)).body).toBeFalsy();
    expect((await h.interaction(answer)).body).toBeFalsy();
    const reports = h.app.store.listReportsByReporter('amy-clarke');
    expect(reports).toHaveLength(1);
    expect(db.prepare('SELECT file_id FROM slack_pending_files').all()).toEqual([{ file_id: 'F0RACE0009' }]);
    await h.app.services[0]?.runDue?.();
    expect(h.app.store.listEvidence(reports[0]!.id)).toHaveLength(1);
  });
});
