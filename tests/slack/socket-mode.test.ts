import { afterEach, describe, expect, it } from 'vitest';
import { slackId, slackSample } from '../support/slack-harness.js';
import { socketModeHarness, type SocketModeHarness } from '../support/socket-mode-harness.js';

// Socket Mode: with SLACK_APP_TOKEN set, the bot asks apps.connections.open for a
// WebSocket URL and takes Slack's envelopes over it (here a WebSocket server on loopback).
let sm: SocketModeHarness | undefined;
afterEach(async () => {
  await sm?.close();
  sm = undefined;
});

describe('Slack in Socket Mode', () => {
  it('connects with the app token, acknowledges a /report envelope and opens the modal', async () => {
    sm = await socketModeHarness();
    const { h, socket } = sm;
    const acks: unknown[] = [];
    socket.on('message', (data) => acks.push(JSON.parse(String(data))));
    const payload = { ...(slackSample('slash-command.json').form_fields as Record<string, string>), command: '/report', user_id: slackId('amy-clarke'), trigger_id: 'trigger-socket' };
    socket.send(JSON.stringify({ envelope_id: 'env-1', type: 'slash_commands', accepts_response_payload: true, payload }));
    await expect.poll(() => h.api.of('views.open').length, { timeout: 5000 }).toBe(1);
    // The envelope's ack goes just after views.open is called (the handler acks once the
    // modal is asked for): wait for it rather than read it in the same instant.
    await expect.poll(() => acks, { timeout: 5000 }).toContainEqual(expect.objectContaining({ envelope_id: 'env-1' }));
    expect((h.api.of('views.open')[0]?.body.view as { callback_id: string }).callback_id).toBe('report_kind');
    // No HTTP endpoint for Slack in Socket Mode.
    expect((await h.post('x', 'application/json', {})).status).toBe(404);
  });
});
