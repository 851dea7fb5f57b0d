import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { example } from '../support/harness.js';
import { slackHarness, slackId, type SlackHarness } from '../support/slack-harness.js';
import { formState, viewSubmission } from '../slack/slack-flow.js';

// Socket Mode has no HTTP edge: the same checks run as Bolt's first middleware.
let h: SlackHarness | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  await h?.close();
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
});

describe('Slack in Socket Mode: the same checks without an HTTP edge', () => {
  it('acknowledges and drops a malformed or unknown payload at once, and makes text well-formed', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss = server;
    await new Promise<void>((resolve) => server.on('listening', () => resolve()));
    const connected = new Promise<WebSocket>((resolve) => {
      server.on('connection', (socket) => {
        socket.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP0001' } }));
        resolve(socket);
      });
    });
    h = await slackHarness({
      env: { SLACK_APP_TOKEN: 'xapp-test-app-token' },
      beforeStart: async (api) => {
        api.socketUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      },
    });
    const socket = await connected;
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
