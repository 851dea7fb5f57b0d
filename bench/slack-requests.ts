// Slack's requests as Slack sends them (shapes from tests/fixtures/platform-samples),
// signed with the signing secret: a /report, a report form sent (view_submission), an
// Acknowledge press in the DSL channel, and App Home opened.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formState } from '../tests/support/slack-form-state.js';
import type { ReportKind } from '../src/core/report-schemas.js';
import type { Wire } from './load.js';

type Json = Record<string, unknown>;
export const signingSecret = 'bench-signing-secret-0001';
const sample = (name: string) => JSON.parse(readFileSync(path.join('tests/fixtures/platform-samples', name), 'utf8')) as Json;

let n = 0;
const unique = () => `${process.pid}x${(n += 1)}`;

function signed(body: string, contentType: string): Wire {
  const ts = Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', signingSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig } };
}
const interaction = (payload: Json) => signed(`payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded');

const commandFields = sample('slash-command.json').form_fields as Record<string, string>;
export function slashReport(userId = 'U0STAFF0001'): Wire {
  const fields = { ...commandFields, user_id: userId, user_name: 'amy-clarke', command: '/report', text: '', channel_id: 'C0GENERAL01', channel_name: 'general', trigger_id: `trigger-${unique()}` };
  return signed(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
}

const example = JSON.parse(readFileSync('data/examples/worked-example-1-pupil-friend-request.json', 'utf8')) as { report: Json };
const submission = sample('view-submission-with-file-input.json').payload as Json;
const state = formState(example.report.kind as ReportKind, example.report);
/** Worked example 1 sent from the report form: a new view id each time, so each stores a report. */
export function reportFormSent(userId = 'U0STAFF0001'): Wire {
  return interaction({
    ...submission,
    user: { id: userId, username: 'amy-clarke', name: 'amy-clarke', team_id: 'T0001' },
    view: { ...(submission.view as Json), id: `VBENCH${unique()}`, callback_id: 'report_form', private_metadata: JSON.stringify({ kind: example.report.kind }), state: { values: state } },
  });
}

const press = sample('block-actions-button-in-channel-message.json').payload as Json;
export function acknowledgePress(value: { reportId: string; dutyId?: string }, userId = 'U0DSL000001'): Wire {
  const ts = `${Math.floor(Date.now() / 1000)}.000200`;
  return interaction({
    ...press,
    user: { id: userId, username: 'jo-patel', name: 'jo-patel', team_id: 'T0001' },
    container: { type: 'message', message_ts: ts, channel_id: 'C0DSLPRIV01', is_ephemeral: false },
    channel: { id: 'C0DSLPRIV01', name: 'safeguarding' },
    message: { ...(press.message as Json), ts },
    trigger_id: `trigger-${unique()}`,
    actions: [{ action_id: 'acknowledge', block_id: 'actions', type: 'button', value: JSON.stringify(value), text: { type: 'plain_text', text: 'Acknowledge' }, action_ts: `${Date.now() / 1000}` }],
  });
}

const home = sample('app-home-opened-event.json').payload as Json;
export function appHomeOpened(userId = 'U0DSL000001'): Wire {
  const event = { ...(home.event as Json), user: userId };
  return signed(JSON.stringify({ ...home, event, event_id: `EvBENCH${unique()}` }), 'application/json');
}
