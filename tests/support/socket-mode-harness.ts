import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { slackHarness, type SlackHarness } from './slack-harness.js';

export interface SocketModeHarness {
  h: SlackHarness;
  /** Slack's side of the bot's WebSocket: send envelopes on it, read the bot's acks. */
  socket: WebSocket;
  close(): Promise<void>;
}

/**
 * The bot in Socket Mode (SLACK_APP_TOKEN set): the fake Web API's apps.connections.open
 * points it at a WebSocket server on loopback, which says hello as Slack does.
 */
export async function socketModeHarness(): Promise<SocketModeHarness> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.on('listening', () => resolve()));
  const connected = new Promise<WebSocket>((resolve) => {
    server.on('connection', (socket) => {
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP0001' } }));
      resolve(socket);
    });
  });
  const h = await slackHarness({
    env: { SLACK_APP_TOKEN: 'xapp-test-app-token' },
    beforeStart: async (api) => {
      api.socketUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    },
  });
  return {
    h,
    socket: await connected,
    async close() {
      await h.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
