import { createHmac } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildApp, startApp, type App } from '../../src/app/build-app.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { loadConfig } from '../../src/config.js';
import { FakeClock } from './fake-clock.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { postTo } from './http.js';
import { demoSchool, monday10, tempDir, testEnv } from './harness.js';

type Json = Record<string, unknown>;
export const signingSecret = 'test-signing-secret-0001';

export function slackSample(name: string): Json {
  return JSON.parse(readFileSync(path.join('tests/fixtures/platform-samples', name), 'utf8')) as Json;
}

/** The demo school person's Slack id. */
export function slackId(personId: string): string {
  const id = demoSchool.directory.get(personId)?.slack;
  if (!id) throw new Error(`${personId} has no Slack id`);
  return id;
}

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:" + timestamp + ":" + raw body). */
export function sign(body: string, timestamp = Math.floor(Date.now() / 1000), secret = signingSecret): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

export interface SlackHarness {
  app: App;
  url: string;
  clock: FakeClock;
  api: FakeSlackApi;
  /** POSTs a raw body to /slack/events, signed unless headers say otherwise. */
  post(body: string, contentType: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  command(personId: string, text?: string): Promise<{ status: number; body: unknown }>;
  interaction(payload: Json): Promise<{ status: number; body: unknown }>;
  event(payload: Json, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  deliver(): Promise<{ sent: number; failed: number }>;
  close(): Promise<void>;
}

/**
 * The real Bolt app (ExpressReceiver on the one server) with Slack on, on 127.0.0.1,
 * a real SQLite file, the demo school, a fake clock for core, and a fake Slack Web API
 * on loopback (SLACK_API_URL). Requests are signed as Slack signs them, with real time.
 */
export async function slackHarness(opts: { start?: string; env?: Record<string, string>; beforeStart?: (api: FakeSlackApi) => Promise<void>; log?: Logger } = {}): Promise<SlackHarness> {
  const dir = tempDir('sgbot-slack-');
  const clock = new FakeClock(opts.start ?? monday10);
  const api = new FakeSlackApi();
  const apiUrl = await api.start();
  await opts.beforeStart?.(api);
  const config = loadConfig({
    ...testEnv(dir),
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: 'xoxb-test-bot-token',
    SLACK_API_URL: `${apiUrl}api/`,
    ...opts.env,
  });
  const log = opts.log ?? createLogger('silent');
  const app = buildApp(config, log, { clock: clock.now });
  const running = await startApp(app, log);
  const url = `${running.url}slack/events`;
  const post = (body: string, contentType: string, headers?: Record<string, string>) => postTo(url, body, { 'content-type': contentType, ...(headers ?? sign(body)) });
  let triggers = 0;
  return {
    app,
    url,
    clock,
    api,
    post,
    command(personId, text = '') {
      const fields = { ...(slackSample('slash-command.json').form_fields as Record<string, string>) };
      Object.assign(fields, { user_id: slackId(personId), user_name: personId, command: '/report', text, channel_id: 'C0GENERAL01', channel_name: 'general', trigger_id: `trigger-${++triggers}` });
      return post(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
    },
    interaction(payload) {
      return post(`payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded');
    },
    event(payload, headers = {}) {
      const body = JSON.stringify(payload);
      return post(body, 'application/json', { ...sign(body), ...headers });
    },
    deliver: () => app.dispatcher.deliverDue(),
    async close() {
      await running.stop();
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
