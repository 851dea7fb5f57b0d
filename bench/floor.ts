// The floor: a bare Bolt app (the same Bolt version, the same ExpressReceiver with
// processBeforeResponse, the same fake Slack) that only acks /report and calls
// views.open, writes one SQLite row for a report form (view_submission) and updates one
// row for Acknowledge. What our bot does beyond this is what it costs.
// Env: PORT, SLACK_SIGNING_SECRET, SLACK_API_URL, FLOOR_DB.
import { randomUUID } from 'node:crypto';
import express from 'express';
import bolt from '@slack/bolt';
import Database from 'better-sqlite3';

const { App, ExpressReceiver } = bolt;
const env = process.env;
const db = new Database(env.FLOOR_DB ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS reports (id TEXT PRIMARY KEY, body TEXT NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL)');
const insert = db.prepare(`INSERT INTO reports (id, body, status, at) VALUES (?, ?, 'open', ?)`);
const ack = db.prepare(`UPDATE reports SET status = 'acknowledged' WHERE id = ?`);

const http = express();
http.get('/healthz', (_req, res) => void res.json({ ok: true }));
const receiver = new ExpressReceiver({ signingSecret: env.SLACK_SIGNING_SECRET ?? '', app: http, endpoints: '/slack/events', processBeforeResponse: true });
const app = new App({
  receiver,
  authorize: async () => ({ botToken: 'xoxb-floor', botId: 'B0BOT0001', botUserId: 'U0BOT0001' }),
  clientOptions: { slackApiUrl: env.SLACK_API_URL ?? '' },
});
const modal = { type: 'modal', callback_id: 'report_kind', title: { type: 'plain_text', text: 'Report a concern' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'What kind of concern?' } }] };
app.command('/report', async ({ ack: done, body, client }) => {
  await client.views.open({ trigger_id: body.trigger_id, view: modal as never });
  await done();
});
app.view('report_form', async ({ ack: done, view }) => {
  insert.run(randomUUID(), JSON.stringify(view.state.values), new Date().toISOString());
  await done();
});
app.action('acknowledge', async ({ ack: done, body }) => {
  await done();
  const value = (body as { actions?: { value?: string }[] }).actions?.[0]?.value ?? '{}';
  ack.run((JSON.parse(value) as { reportId?: string }).reportId ?? '');
});
http.listen(Number(env.PORT ?? 0), '127.0.0.1', () => console.log('floor ready'));
