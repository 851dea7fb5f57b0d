import { afterEach, describe, expect, it } from 'vitest';
import { example, tinyPng } from '../support/harness.js';
import { slackHarness, slackId, type SlackHarness } from '../support/slack-harness.js';
import { buttonOf, buttonPress, fileReport, textOf, viewSubmission } from './slack-flow.js';

// The seven worked examples of escalation-rules.md, end to end through Slack: the real
// Bolt app over HTTP on 127.0.0.1 with signed requests, a fake Slack Web API on loopback.
let h: SlackHarness;
afterEach(async () => h?.close());

const dslChannel = 'C0DSLPRIV01';
const dm = (person: string) => `D${slackId(person)}`;
const posted = (channel: string) => h.api.postedTo(channel);
const updatesOf = (ts: string | undefined) => h.api.of('chat.update').filter((c) => c.body.ts === ts);

describe('worked examples through Slack', () => {
  it('1: a pupil friend request → the DSL channel with Acknowledge; headteacher told; the teacher gets a reference by DM', async () => {
    h = await slackHarness();
    const ex = example(1);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    const card = posted(dslChannel)[0];
    expect(textOf([card!])).toContain(`New report: ${reference}`);
    expect(textOf([card!])).not.toMatch(/Instagram|Year 8/);
    expect(textOf(posted(dm('alex-morgan')))).toContain(`For information: report ${reference}`);
    expect(textOf(posted(dm(ex.reporter)))).toContain(`Report received: ${reference}`);

    await h.interaction(buttonPress('jo-patel', 'acknowledge', buttonOf(card, 'acknowledge'), { channel: dslChannel, ts: card!.ts! }));
    await h.deliver();
    expect(textOf(updatesOf(card!.ts))).toMatch(/Acknowledged by Jo Patel at Mon, 23 Nov 2026, 10:00/);
    expect(textOf(posted(dm(ex.reporter)))).toContain(`Your report ${reference} has been acknowledged`);
  });

  it('2: a colleague follows pupils → headteacher DM; the decision modal needs a choice and a reason; the message updates', async () => {
    h = await slackHarness();
    const ex = example(2);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    expect(posted(dslChannel)).toEqual([]);
    expect(posted(dm('chris-doyle'))).toEqual([]);
    const decision = posted(dm('alex-morgan')).find((c) => textOf([c]).includes('Decision needed'));
    await h.interaction(buttonPress('alex-morgan', 'decide', buttonOf(decision, 'decide'), { channel: dm('alex-morgan'), ts: decision!.ts! }));
    const modal = h.api.of('views.open').at(-1)?.body.view as { callback_id: string; private_metadata: string };
    expect(modal.callback_id).toBe('decide');
    expect(JSON.stringify(modal)).toContain('Refer to the LADO');
    const blank = await h.interaction(viewSubmission('alex-morgan', { callback_id: 'decide', private_metadata: modal.private_metadata, state: { choice: { value: { type: 'radio_buttons', selected_option: { value: 'refer_to_lado' } } }, reason: { value: { type: 'plain_text_input', value: '  ' } } } }));
    expect(blank.body).toEqual({ response_action: 'errors', errors: { reason: 'Please give the reason for your decision.' } });
    const ok = await h.interaction(viewSubmission('alex-morgan', { callback_id: 'decide', private_metadata: modal.private_metadata, state: { choice: { value: { type: 'radio_buttons', selected_option: { value: 'refer_to_lado' } } }, reason: { value: { type: 'plain_text_input', value: 'Contact with pupils outside school.' } } } }));
    expect(ok.status).toBe(200);
    expect(ok.body).toBeFalsy();
    await h.deliver();
    expect(textOf(updatesOf(decision!.ts))).toContain('Refer to the LADO: decided by Alex Morgan');
    expect(reference).toBe('SG-2026-0001');
  });

  it('3: the headteacher posted about a pupil → the chair decides; the headteacher gets nothing and a forged click is refused privately', async () => {
    h = await slackHarness();
    const ex = example(3);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    expect(textOf(posted(dm('priya-shah')))).toContain(`Decision needed: ${reference}`);
    expect(posted(dm('alex-morgan'))).toEqual([]);
    expect(posted(dslChannel)).toEqual([]);
    const chairCard = posted(dm('priya-shah'))[0];
    const res = await h.interaction(buttonPress('alex-morgan', 'view', buttonOf(chairCard, 'view'), { channel: dm('alex-morgan'), ts: chairCard!.ts! }));
    expect(res.status).toBe(200);
    const refusal = h.api.of('chat.postEphemeral').at(-1);
    expect(refusal?.body).toMatchObject({ user: slackId('alex-morgan'), text: expect.stringMatching(/Only the people this report was sent to/) });
    expect(h.api.of('views.open').filter((c) => (c.body.view as { callback_id: string }).callback_id === 'details')).toEqual([]);
    const id = h.app.store.findReportByReference(reference)?.id ?? '';
    expect(h.app.store.listAudit(id).filter((e) => e.action === 'action.refused').map((e) => e.actor)).toEqual(['alex-morgan']);
  });

  it('4: a violent video → the ICT technician gets a DM block task; Mark blocked asks what was done; who and when are recorded', async () => {
    h = await slackHarness();
    const ex = example(4);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    const task = posted(dm('lee-evans'))[0];
    expect(textOf([task!])).toContain('https://video.example.com/watch?v=violent123');
    await h.interaction(buttonPress('lee-evans', 'complete_task', buttonOf(task, 'complete_task'), { channel: dm('lee-evans'), ts: task!.ts! }));
    const modal = h.api.of('views.open').at(-1)?.body.view as { callback_id: string; private_metadata: string };
    expect(modal.callback_id).toBe('complete_task');
    h.clock.advanceMinutes(12);
    await h.interaction(viewSubmission('lee-evans', { callback_id: 'complete_task', private_metadata: modal.private_metadata, state: { action: { value: { type: 'plain_text_input', value: 'Blocked the domain on the web filter' } } } }));
    await h.deliver();
    expect(textOf(updatesOf(task!.ts))).toContain('Blocked by Lee Evans at Mon, 23 Nov 2026, 10:12');
    // Details open in a modal for the DSL (audited), with the recorded action.
    const card = posted(dslChannel)[0];
    await h.interaction(buttonPress('jo-patel', 'view', buttonOf(card, 'view'), { channel: dslChannel, ts: card!.ts! }));
    const details = h.api.of('views.open').at(-1)?.body.view;
    expect(JSON.stringify(details)).toContain('Blocked the domain on the web filter');
    const id = h.app.store.findReportByReference(reference)?.id ?? '';
    expect(h.app.store.listAudit(id).some((e) => e.action === 'report.viewed' && e.actor === 'jo-patel')).toBe(true);
  });

  it('5: cyberbullying with screenshots (one download fails, then succeeds); reminders in the thread and to the deputy; then the headteacher', async () => {
    h = await slackHarness();
    const ex = example(5);
    h.api.files.set('shot-1.png', tinyPng);
    h.api.files.set('shot-2.png', Buffer.concat([tinyPng, Buffer.from('2')]));
    h.api.failDownloads.set('shot-2.png', 1);
    const file = (n: number) => ({ id: `F0FILE000${n}`, name: `shot-${n}.png`, mimetype: 'image/png', url_private_download: `${h.api.url}files/shot-${n}.png` });
    const { reference, reportId, form } = await fileReport(h, ex.reporter, ex.report, {
      'evidence.files': { value: { type: 'file_input', files: [file(1), file(2)] } },
      'evidence.takenAt': { value: { type: 'datetimepicker', selected_date_time: Date.parse('2026-11-22T20:30:00Z') / 1000 } },
    });
    expect(JSON.stringify(form)).toContain('"type":"file_input"');
    await h.app.services[0]?.runDue?.();
    expect(h.app.store.listEvidence(reportId)).toHaveLength(1);
    expect(h.api.downloads.map((d) => [d.name, d.status, d.authorization])).toEqual([
      ['shot-1.png', 200, 'Bearer xoxb-test-bot-token'],
      ['shot-2.png', 500, 'Bearer xoxb-test-bot-token'],
    ]);
    await h.deliver();
    const card = posted(dslChannel)[0];
    expect(textOf([card!])).toContain('still being fetched');
    h.clock.advanceMinutes(1);
    await h.app.services[0]?.runDue?.();
    const evidence = h.app.store.listEvidence(reportId);
    expect(evidence).toHaveLength(2);
    expect(evidence[0]?.takenAt).toBe('2026-11-22T20:30');

    h.api.clear();
    h.clock.advanceMinutes(29);
    h.app.workflow.tick();
    await h.deliver();
    const reminder = posted(dslChannel).find((c) => textOf([c]).includes('Reminder'));
    expect(reminder?.body.thread_ts).toBe(card!.ts);
    expect(textOf(posted(dm('sam-okafor')))).toContain(`Reminder: ${reference}`);
    h.clock.advanceMinutes(90);
    h.app.workflow.tick();
    await h.deliver();
    expect(textOf(posted(dm('alex-morgan')))).toContain(`Escalated: ${reference} has not been acknowledged`);
  });

  it('6: nude images → no upload in the form, the do-not-view guidance, an urgent DSL alert, the DSL decides', async () => {
    h = await slackHarness();
    const ex = example(6);
    const { reference, form } = await fileReport(h, ex.reporter, ex.report);
    expect(JSON.stringify(form)).not.toContain('file_input');
    expect(JSON.stringify(form)).toContain('Do not view, copy, screenshot, forward');
    await h.deliver();
    expect(textOf(posted(dslChannel))).toContain(`"text":"Urgent report: ${reference}`);
    expect(textOf(posted(dm('jo-patel')))).toContain(`Decision needed: ${reference}`);
    expect(textOf(posted(dm(ex.reporter)))).toContain('Report Remove');
  });

  it("7: a report about the DSL's own conduct → the headteacher owns it; nothing in the DSL channel; nothing to the DSL", async () => {
    h = await slackHarness();
    const ex = example(7);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    expect(textOf(posted(dm('alex-morgan')))).toContain(reference);
    expect(posted(dslChannel)).toEqual([]);
    expect(posted(dm('jo-patel'))).toEqual([]);
  });
});

describe('guards with a Slack face', () => {
  it('G4: a decision not made in one working day goes to the next person in the chain, by DM', async () => {
    h = await slackHarness();
    const ex = example(2);
    const { reference } = await fileReport(h, ex.reporter, ex.report);
    await h.deliver();
    h.clock.advanceMinutes(60 * 24); // Tuesday 10:00: one working day later
    h.app.workflow.tick();
    await h.deliver();
    expect(textOf(posted(dm('priya-shah')))).toContain(`Decision needed: ${reference}`);
    expect(posted(dm('chris-doyle'))).toEqual([]);
  });
});
