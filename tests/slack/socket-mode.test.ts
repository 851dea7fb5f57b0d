import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { slackHarness, slackId, slackSample, type SlackHarness } from '../support/slack-harness.js';

// Socket Mode: with SLACK_APP_TOKEN set, the bot asks apps.connections.open for a
// WebSocket URL and takes Slack's envelopes over it (here a WebSocket server on loopback).
let h: SlackHarness | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  await h?.close();
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
});

describe('Slack in Socket Mode', () => {
  it('connects with the app token, acknowledges a /report envelope and opens the modal', async () => {
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
    const acks: unknown[] = [];
    socket.on('message', (data) => acks.push(JSON.parse(String(data))));
    const payload = { ...(slackSample('slash-command.json').form_fields as Record<string, string>), command: '/report', user_id: slackId('amy-clarke'), trigger_id: 'trigger-socket' };
    socket.send(JSON.stringify({ envelope_id: 'env-1', type: 'slash_commands', accepts_response_payload: true, payload }));
    await expect.poll(() => h?.api.of('views.open').length, { timeout: 5000 }).toBe(1);
    expect(acks).toContainEqual(expect.objectContaining({ envelope_id: 'env-1' }));
    expect((h.api.of('views.open')[0]?.body.view as { callback_id: string }).callback_id).toBe('report_kind');
    // No HTTP endpoint for Slack in Socket Mode.
    expect((await h.post('x', 'application/json', {})).status).toBe(404);
  });
});
