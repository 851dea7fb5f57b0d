import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { slackId } from '../support/slack-harness.js';
import { socketModeHarness, type SocketModeHarness } from '../support/socket-mode-harness.js';
import { formState, viewSubmission } from '../slack/slack-flow.js';

// Socket Mode has no HTTP edge: the same checks run as Bolt's first middleware.
let sm: SocketModeHarness | undefined;
afterEach(async () => {
  await sm?.close();
  sm = undefined;
});

describe('Slack in Socket Mode: the same checks without an HTTP edge', () => {
  it('acknowledges and drops a malformed or unknown payload at once, and makes text well-formed', async () => {
    sm = await socketModeHarness();
    const { h, socket } = sm;
    const acks: { envelope_id: string; payload?: unknown }[] = [];
    socket.on('message', (data) => acks.push(JSON.parse(String(data))));
    const send = (id: string, type: string, payload: unknown) => socket.send(JSON.stringify({ envelope_id: id, type, accepts_response_payload: true, payload }));

    send('bad-1', 'interactive', { type: 'block_actions', user: { id: slackId('jo-patel') }, actions: 'acknowledge', trigger_id: 't' });
    send('bad-2', 'interactive', { type: 'view_submission', user: { id: slackId('amy-clarke') }, view: { id: 'V1', callback_id: 'report_form' } });
    send('unknown-1', 'interactive', { type: 'block_actions', user: { id: slackId('jo-patel') }, actions: [{ action_id: 'no_such_action' }], trigger_id: 't' });
    const ex = example(1);
    const submission = viewSubmission(ex.reporter, { callback_id: 'report_form', private_metadata: JSON.stringify({ kind: 'friend_request' }), state: formState('friend_request', { ...ex.report, platform: 'Insta\ud800gram' }) });
    send('good-1', 'interactive', submission);
    await expect.poll(() => acks.map((a) => a.envelope_id).sort(), { timeout: 5000 }).toEqual(['bad-1', 'bad-2', 'good-1', 'unknown-1']);
    const reports = h.app.store.listReportsNotClosed();
    expect(reports).toHaveLength(1);
    expect(JSON.stringify(h.app.store.findReportByReference(reports[0]?.reference ?? ''))).toContain('Insta\ufffdgram');
    expect(h.app.store.verifyAudit()).toMatchObject({ ok: true });
  });
});
