import { afterEach, describe, expect, it } from 'vitest';
import { messageMediaType } from '../../src/core/message-evidence.js';
import { tinyPng } from '../support/harness.js';
import { slackId, slackSample, type SlackHarness, slackHarness } from '../support/slack-harness.js';
import { buttonOf, buttonPress, textOf, viewSubmission } from './slack-flow.js';

// "Report to safeguarding" on a Slack message (issue 13): the message_action payload
// (tests/fixtures/platform-samples/message-action.json) to /slack/events, signed, through
// the real Bolt app; views.open to a fake Slack Web API; then the modal's view_submissions.
type Json = Record<string, unknown>;
let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

const sourceChannel = 'C0STAFFROOM';

function messageAction(reporter: string, message: Json): Json {
  const s = structuredClone(slackSample('message-action.json').payload as Json);
  return {
    ...s,
    user: { id: slackId(reporter), username: reporter, team_id: 'T0001', name: reporter },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    message: { ...(s.message as Json), ...message },
    message_ts: message.ts ?? (s.message as Json).ts,
  };
}

/** A modal's inputs as Slack's state.values, with their initial values, then the answers given. */
function stateOf(view: Json, answers: Record<string, string>): Json {
  const state: Json = {};
  for (const b of (view.blocks ?? []) as { type: string; block_id?: string; element?: Json }[]) {
    if (b.type !== 'input' || !b.block_id || !b.element) continue;
    const e = b.element;
    const given = answers[b.block_id];
    const initialOption = (e.initial_option as { value?: string } | undefined)?.value;
    let element: Json;
    if (e.type === 'datepicker') element = { type: e.type, selected_date: given ?? e.initial_date ?? null };
    else if (e.type === 'timepicker') element = { type: e.type, selected_time: given ?? e.initial_time ?? null };
    else if (e.type === 'radio_buttons' || e.type === 'static_select') {
      const v = given ?? initialOption;
      element = { type: e.type, selected_option: v === undefined ? null : { value: v } };
    } else if (e.type === 'file_input') element = { type: e.type, files: [] };
    else element = { type: e.type, value: given ?? e.initial_value ?? null };
    state[b.block_id] = { value: element };
  }
  return state;
}

/** The shortcut → the kind modal → the form modal (prefilled) → Send. */
async function reportMessage(reporter: string, message: Json, kind: string, answers: Record<string, string>): Promise<{ form: Json; reference: string; reportId: string }> {
  expect((await h.interaction(messageAction(reporter, message))).status).toBe(200);
  const opened = h.api.of('views.open').at(-1)?.body.view as Json;
  expect(opened.callback_id).toBe('report_message_kind');
  const next = await h.interaction(viewSubmission(reporter, { callback_id: 'report_message_kind', private_metadata: String(opened.private_metadata), state: { kind: { value: { type: 'radio_buttons', selected_option: { value: kind } } } } }));
  expect((next.body as { response_action: string }).response_action).toBe('update');
  const form = (next.body as { view: Json }).view;
  expect(form.callback_id).toBe('report_message_form');
  const sent = await h.interaction(viewSubmission(reporter, { callback_id: 'report_message_form', private_metadata: String(form.private_metadata), state: stateOf(form, answers) }));
  expect(sent.status).toBe(200);
  expect(sent.body).toBeFalsy(); // an empty 200 closes the modal
  const stored = h.app.store.listReportsByReporter(reporter).at(-1);
  if (!stored) throw new Error('no report stored');
  return { form, reference: stored.reference, reportId: stored.id };
}

const postedTo = (channel: string) => [...h.api.of('chat.postMessage'), ...h.api.of('chat.postEphemeral')].filter((c) => c.body.channel === channel);
const dm = (person: string) => `D${slackId(person)}`;

describe('Report this message in Slack', () => {
  it("worked example 2 from a message: a colleague's post → the headteacher decides; the colleague is the subject and told nothing", async () => {
    h = await slackHarness();
    const { form, reference, reportId } = await reportMessage('ben-hughes', { user: slackId('chris-doyle'), ts: '1795422600.000200', text: 'followed a few of my year 9s on tiktok <https://tiktok.com|here>' }, 'staff_conduct', {
      description: 'A colleague follows pupils on TikTok.',
      involvesPupils: 'true',
    });
    // Prefilled from the message: the author from the staff list, the time it was posted (school time).
    const blocks = JSON.stringify(form.blocks);
    expect(blocks).toContain('"initial_option":{"text":{"type":"plain_text","text":"Chris Doyle","emoji":false},"value":"chris-doyle"}');
    expect(blocks).toContain('"initial_date":"2026-11-23"');
    expect(blocks).toContain('Reporting the message from Chris Doyle');
    await h.deliver();
    expect(textOf(postedTo(dm('alex-morgan')))).toContain(`Decision needed: ${reference}`);
    expect(textOf(postedTo(dm('chris-doyle')))).toBe('');
    expect(postedTo(sourceChannel)).toEqual([]);
    expect(postedTo('C0DSLPRIV01')).toEqual([]);
    expect(textOf(postedTo(dm('ben-hughes')))).toContain(reference);
    const report = h.app.store.getReport(reportId);
    expect(report?.routing.subjects).toContain('chris-doyle');
    const evidence = h.app.store.listEvidence(reportId);
    expect(evidence.map((e) => e.mediaType)).toEqual([messageMediaType]);
    const entry = h.app.store.listAudit(reportId).find((e) => e.action === 'message.reported');
    expect(entry?.details).toMatchObject({
      platform: 'slack',
      messageId: '1795422600.000200',
      conversationId: sourceChannel,
      link: `https://exampleprimary.slack.com/archives/${sourceChannel}/p1795422600000200`,
      kept: 'message',
      messageSha256: evidence[0]?.sha256,
    });
    expect(JSON.stringify(h.app.store.listAudit(reportId))).not.toMatch(/tiktok|Chris Doyle/i);
  });

  it("a pupil's bullying message with a screenshot file → the DSL channel; the file is fetched with the bot token after the modal closes", async () => {
    h = await slackHarness();
    h.api.files.set('msg-shot.png', tinyPng);
    const files = [{ id: 'F0MSG00001', name: 'msg-shot.png', mimetype: 'image/png', url_private_download: `${h.api.url}files/msg-shot.png` }];
    const { form, reference, reportId } = await reportMessage(
      'amy-clarke',
      { user: 'U0PUPIL0042', user_profile: { real_name: 'Harry Brown' }, ts: '1795425300.000300', text: 'nobody wants you in this class', files },
      'cyberbullying',
      { 'target.type': 'pupil', 'target.name': 'Mia Jones', 'responsible.type': 'pupil', description: "Posted under Mia's homework." },
    );
    expect(JSON.stringify(form.blocks)).toContain('"initial_value":"Harry Brown"');
    await h.app.services.find((s) => s.runDue)?.runDue?.();
    await h.deliver();
    expect(h.api.downloads.map((d) => [d.name, d.status, d.authorization])).toEqual([['msg-shot.png', 200, 'Bearer xoxb-test-bot-token']]);
    expect(h.app.store.listEvidence(reportId).map((e) => e.mediaType).sort()).toEqual([messageMediaType, 'image/png'].sort());
    expect(textOf(postedTo('C0DSLPRIV01'))).toContain(reference);
    expect(postedTo(sourceChannel)).toEqual([]);
    // The DSL reads the message itself in the report's details.
    const card = postedTo('C0DSLPRIV01').find((c) => JSON.stringify(c.body).includes(reference));
    await h.interaction(buttonPress('jo-patel', 'view', buttonOf(card, 'view'), { channel: 'C0DSLPRIV01', ts: '1795425400.000100' }));
    const details = JSON.stringify(h.api.of('views.open').at(-1)?.body.view);
    expect(details).toContain('Slack message from Harry Brown');
    expect(details).toContain('nobody wants you in this class');
  });

  it('nude images: nothing of the message is fetched or stored, only its link and time; the form shows the guidance', async () => {
    h = await slackHarness();
    h.api.files.set('msg-image.png', tinyPng);
    const files = [{ id: 'F0MSG00002', name: 'msg-image.png', mimetype: 'image/png', url_private_download: `${h.api.url}files/msg-image.png` }];
    const { form, reference, reportId } = await reportMessage('amy-clarke', { user: 'U0PUPIL0042', ts: '1795425300.000400', text: 'look at this', files }, 'nude_images', {
      'pupil.name': 'Mia Jones',
      description: 'Shared in the year group channel.',
    });
    const blocks = JSON.stringify(form.blocks);
    expect(blocks).toContain('Do not view, copy, screenshot');
    expect(blocks).toContain('nothing of the message is kept or fetched');
    expect(blocks).not.toContain('file_input');
    await h.app.services.find((s) => s.runDue)?.runDue?.();
    await h.deliver();
    expect(h.api.downloads).toEqual([]);
    expect(h.app.store.listEvidence(reportId)).toEqual([]);
    const details = h.app.store.listAudit(reportId).find((e) => e.action === 'message.reported')?.details;
    expect(details).toMatchObject({ kept: 'reference_only', postedAt: new Date(1795425300_000).toISOString() });
    expect(details).not.toHaveProperty('messageSha256');
    expect(h.app.store.getReport(reportId)?.urgent).toBe(true);
    expect(textOf(postedTo('C0DSLPRIV01'))).toContain(reference);
    expect(postedTo(sourceChannel)).toEqual([]);
  });

  it("someone else's form, or one the bot no longer holds, sends nothing and says so", async () => {
    h = await slackHarness();
    expect((await h.interaction(messageAction('ben-hughes', { user: slackId('chris-doyle') }))).status).toBe(200);
    const opened = h.api.of('views.open').at(-1)?.body.view as Json;
    const stolen = await h.interaction(viewSubmission('amy-clarke', { callback_id: 'report_message_kind', private_metadata: String(opened.private_metadata), state: { kind: { value: { type: 'radio_buttons', selected_option: { value: 'staff_conduct' } } } } }));
    expect((stolen.body as { response_action: string; errors: Json }).errors.kind).toMatch(/expired/);
    expect(h.app.store.listReportsByReporter('amy-clarke')).toEqual([]);
  });
});
