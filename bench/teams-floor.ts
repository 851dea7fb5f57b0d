// The Teams floor: a bare botbuilder app (the same botbuilder CloudAdapter, unauthenticated
// as the bot's local mode is, the same fake Bot Connector) that only answers "report" with
// a card, writes one SQLite row for the form's Send and updates one for Acknowledge (an
// Action.Execute invoke). What our bot does beyond this is what it costs on Teams.
// Env: PORT, FLOOR_DB.
import { randomUUID } from 'node:crypto';
import { ActivityTypes, CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import Database from 'better-sqlite3';
import express from 'express';

const env = process.env;
const db = new Database(env.FLOOR_DB ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS reports (id TEXT PRIMARY KEY, body TEXT NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL)');
const insert = db.prepare(`INSERT INTO reports (id, body, status, at) VALUES (?, ?, 'open', ?)`);
const ack = db.prepare(`UPDATE reports SET status = 'acknowledged' WHERE id = ?`);

// No app id: botbuilder checks no token (the bot's TEAMS_ALLOW_UNAUTHENTICATED mode).
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' }));
const card = CardFactory.adaptiveCard({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text: 'What kind of concern?', wrap: true }],
  actions: [{ type: 'Action.Submit', title: 'A pupil', data: { verb: 'kind', kind: 'pupil' } }],
});

async function logic(context: TurnContext): Promise<void> {
  const a = context.activity;
  if (a.type === ActivityTypes.Invoke) {
    const data = (a.value as { action?: { data?: { reportId?: string } } } | undefined)?.action?.data;
    ack.run(data?.reportId ?? '');
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Acknowledged' } } });
    return;
  }
  if (a.type !== ActivityTypes.Message) return;
  if (a.value && typeof a.value === 'object') {
    insert.run(randomUUID(), JSON.stringify(a.value), new Date().toISOString());
    await context.sendActivity('Thank you: your report is saved.');
    return;
  }
  if ((a.text ?? '').trim().toLowerCase() === 'report') await context.sendActivity({ attachments: [card] });
}

const http = express();
http.use(express.json({ limit: '1mb' }));
http.get('/healthz', (_req, res) => void res.json({ ok: true }));
http.post('/api/messages', (req, res) => void adapter.process(req, res, logic));
http.listen(Number(env.PORT ?? 0), '127.0.0.1', () => console.log('teams floor ready'));
