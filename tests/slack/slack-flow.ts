import { expect } from 'vitest';
import type { ReportKind } from '../../src/core/report-schemas.js';
import type { SlackCall } from '../support/fake-slack-api.js';
import { formState } from '../support/slack-form-state.js';
import { slackId, slackSample, type SlackHarness } from '../support/slack-harness.js';

type Json = Record<string, unknown>;

export { formState };
let views = 0;

/** A view_submission as Slack sends it (built on the sample), for this person and view. */
export function viewSubmission(personId: string, view: { callback_id: string; private_metadata?: string; state: Json; id?: string }): Json {
  const sample = structuredClone(slackSample('view-submission-with-file-input.json').payload as Json);
  return {
    ...sample,
    user: { id: slackId(personId), username: personId, name: personId, team_id: 'T0001' },
    view: { ...(sample.view as Json), id: view.id ?? `V0VIEW${++views}`, callback_id: view.callback_id, private_metadata: view.private_metadata ?? '', state: { values: view.state } },
  };
}

/** A button press on a message the bot posted (built on the block_actions sample). */
export function buttonPress(personId: string, actionId: string, value: string, message: { channel: string; ts: string }): Json {
  const sample = structuredClone(slackSample('block-actions-button-in-channel-message.json').payload as Json);
  return {
    ...sample,
    user: { id: slackId(personId), username: personId, name: personId, team_id: 'T0001' },
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    channel: { id: message.channel, name: 'x' },
    message: { ...(sample.message as Json), ts: message.ts },
    trigger_id: `trigger-${personId}-${actionId}-${Date.now()}`,
    actions: [{ action_id: actionId, block_id: 'actions', type: 'button', value, text: { type: 'plain_text', text: actionId }, action_ts: `${Date.now() / 1000}` }],
  };
}


/** The blocks' buttons of a posted message, by action id. */
export function buttonOf(call: SlackCall | undefined, actionId: string): string {
  const blocks = (call?.body.blocks ?? []) as { type: string; elements?: { action_id: string; value: string }[] }[];
  const b = blocks.flatMap((x) => x.elements ?? []).find((e) => e.action_id === actionId);
  if (!b) throw new Error(`no ${actionId} button in ${JSON.stringify(call?.body)}`);
  return b.value;
}

export const textOf = (calls: SlackCall[]) => calls.map((c) => JSON.stringify(c.body)).join('\n');

/** /report → the kind modal → Next → the form modal → Send, as a member of staff would. */
export async function fileReport(h: SlackHarness, personId: string, report: Json, extraState: Json = {}): Promise<{ reference: string; reportId: string; form: Json }> {
  const kind = report.kind as ReportKind;
  expect((await h.command(personId)).status).toBe(200);
  const opened = h.api.of('views.open').at(-1);
  expect((opened?.body.view as Json).callback_id).toBe('report_kind');
  const next = await h.interaction(viewSubmission(personId, { callback_id: 'report_kind', state: { kind: { value: { type: 'radio_buttons', selected_option: { value: kind } } } } }));
  expect(next.status).toBe(200);
  const form = (next.body as { response_action: string; view: Json }).view;
  expect((next.body as { response_action: string }).response_action).toBe('update');
  const sent = await h.interaction(viewSubmission(personId, { callback_id: 'report_form', private_metadata: String(form.private_metadata), state: formState(kind, report, extraState) }));
  expect(sent.status).toBe(200);
  expect(sent.body).toBeFalsy(); // an empty 200 closes the modal
  const stored = h.app.store.listReportsByReporter(personId).at(-1);
  if (!stored) throw new Error('no report stored');
  return { reference: stored.reference, reportId: stored.id, form };
}
