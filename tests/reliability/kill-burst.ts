import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { ReportKind } from '../../src/core/report-schemas.js';
import { openDatabase } from '../../src/store/database.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { formValues } from '../../src/views/report-forms.js';
import { formState, viewSubmission } from '../slack/slack-flow.js';
import { cardText, FakeBotConnector } from '../support/fake-bot-connector.js';
import { FakeSlackApi } from '../support/fake-slack-api.js';
import { demoSchool, example, tempDir, testEnv } from '../support/harness.js';
import { postTo } from '../support/http.js';
import { sign, signingSecret } from '../support/slack-harness.js';
import { sample, tenantId, botId } from '../support/teams-harness.js';

/**
 * kill -9 mid-burst: the server as a child process (src/main.ts via tsx, Slack and Teams
 * on, against fakes on 127.0.0.1), `slack` + `teams` unique report submissions over HTTP
 * (8 at a time), SIGKILL at each of `kills` (fractions of the burst), restart, and at the
 * end wait until the outbox is empty. Returns the figures.
 */
export interface KillFigures {
  submissions: number;
  successAnswers: number;
  failedAnswers: number;
  storedOfSuccess: number;
  lostSuccess: number;
  reports: number;
  outboxRows: number;
  notSent: number;
  duplicatesSlack: number;
  duplicatesTeams: number;
  duplicateDslThreads: number;
  auditOk: boolean;
  auditEntries: number;
  auditProblem?: string;
  kills: number;
  /** Which messages were sent twice (place and title), to say which ones in the README. */
  duplicateSamples: string[];
  /** Failed attempts by code (transient ones were retried). */
  attemptFailures: Record<string, number>;
  drainMs: number;
  seconds: number;
}

const twice = (keys: string[]) => keys.filter((k, i) => keys.indexOf(k) !== i);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });

export async function killBurst(opts: { slack: number; teams: number; kills: number[]; log?: (s: string) => void; drainLimitMs?: number }): Promise<KillFigures> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const dir = tempDir('sgbot-kill-');
  const slack = new FakeSlackApi();
  const teams = new FakeBotConnector();
  const slackUrl = await slack.start();
  const serviceUrl = await teams.start();
  const port = await freePort();
  const env = {
    ...process.env,
    ...testEnv(dir),
    PORT: String(port),
    SANDBOX: 'false',
    BACKGROUND_INTERVAL_MS: '200',
    DELIVERY_TIMEOUT_MS: '2000',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: 'xoxb-test-bot-token',
    SLACK_API_URL: `${slackUrl}api/`,
    TEAMS_ALLOW_UNAUTHENTICATED: 'true',
  };
  const base = `http://127.0.0.1:${port}/`;
  let child: ChildProcess | undefined;
  const boot = async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 30_000);
      child?.stdout?.on('data', (b: Buffer) => {
        if (b.toString().includes('is running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child?.once('exit', (code) => reject(new Error(`the server exited (${code}): ${out}`)));
    });
  };
  const kill = async () => {
    const c = child;
    if (!c) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await gone;
    child = undefined;
  };

  // Teams needs the DSL team's conversation reference once (the bot was added to it).
  await boot();
  const install = structuredClone((sample('teams-installation-update.json').team_install ?? {}) as Record<string, unknown>);
  const dslTeams = demoSchool.directory.channels.dsl.teams ?? '';
  await postTo(`${base}api/messages`, JSON.stringify({ ...install, id: 'f:install', serviceUrl, recipient: { id: botId, name: 'Safeguarding' }, conversation: { isGroup: true, conversationType: 'channel', tenantId, id: dslTeams }, channelData: { ...(install.channelData as object), settings: { selectedChannel: { id: dslTeams } }, channel: { id: dslTeams }, team: { id: '19:team@thread.tacv2' }, tenant: { id: tenantId } } }), { 'content-type': 'application/json' });

  const report = example(1).report;
  const kind = report.kind as ReportKind;
  const submitSlack = (n: number) => {
    const payload = viewSubmission('amy-clarke', { callback_id: 'report_form', private_metadata: JSON.stringify({ kind }), state: formState(kind, report), id: `V0KILL${n}` });
    const user = `U0KILL${n}`;
    const body = `payload=${encodeURIComponent(JSON.stringify({ ...payload, user: { id: user, username: user, name: user, team_id: 'T0001' } }))}`;
    return { reporter: `slack:${user}`, send: () => postTo(`${base}slack/events`, body, { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }) };
  };
  const submitTeams = (n: number) => {
    const s = structuredClone(sample('teams-action-submit.json').payload as Record<string, unknown>);
    const user = `29:KILL${n}`;
    const activity = {
      ...s,
      id: `kill-${n}`,
      serviceUrl,
      timestamp: new Date().toISOString(),
      from: { id: user, name: `Staff ${n}` },
      recipient: { id: botId, name: 'Safeguarding' },
      conversation: { conversationType: 'personal', tenantId, id: `a:chat-with-${user}` },
      channelData: { tenant: { id: tenantId } },
      replyToId: `card-${n}`,
      value: { verb: 'submit_report', kind, ...formValues(kind, report) },
    };
    return { reporter: `teams:${user}`, send: () => postTo(`${base}api/messages`, JSON.stringify(activity), { 'content-type': 'application/json' }) };
  };
  const jobs = [
    ...Array.from({ length: opts.slack }, (_, i) => submitSlack(i)),
    ...Array.from({ length: opts.teams }, (_, i) => submitTeams(i)),
  ].sort(() => Math.random() - 0.5);
  const success: string[] = [];
  let failed = 0;
  let next = 0;
  const killAt = opts.kills.map((f) => Math.floor(f * jobs.length)).sort((a, b) => a - b);
  let killing: Promise<void> | undefined;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      if (killAt.length > 0 && i >= (killAt[0] ?? Infinity)) {
        killAt.shift();
        killing = (async () => {
          log(`SIGKILL after ${i} submissions started`);
          await kill();
          await boot();
        })();
      }
      if (killing) await killing.catch(() => undefined);
      const job = jobs[i];
      if (!job) continue;
      try {
        const res = await job.send();
        if (res.status === 200) success.push(job.reporter);
        else failed += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (killing) await killing;

  // Drain: every queued message delivered after the restarts.
  const drainStart = Date.now();
  const drainLimitMs = opts.drainLimitMs ?? 120_000;
  for (;;) {
    const h = (await (await fetch(`${base}healthz`)).json()) as { outbox: { waiting: number; retrying: number; failed: number } };
    if (h.outbox.waiting + h.outbox.retrying === 0) break;
    if (process.env.KILL_BURST_TRACE) log(`drain ${Date.now() - drainStart} ms: ${JSON.stringify(h)}`);
    if (Date.now() - drainStart > drainLimitMs) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const drainMs = Date.now() - drainStart;
  await kill();

  const db = openDatabase(path.join(dir, 'bot.db'));
  try {
    const reporters = new Set((db.prepare('SELECT reporter_id FROM reports').all() as { reporter_id: string }[]).map((r) => r.reporter_id));
    const stored = success.filter((r) => reporters.has(r)).length;
    const rows = new OutboxStore(db).list();
    // `audit verify` as a person would run it (with the same environment: key file and all).
    const verify = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify', '--db', path.join(dir, 'bot.db')], { env, encoding: 'utf8' });
    const audit = { ok: verify.status === 0, count: Number(/\((\d+) entries/.exec(verify.stdout)?.[1] ?? 0), text: `${verify.stdout}${verify.stderr}`.trim().slice(0, 300) };
    const dup = (keys: string[]) => keys.length - new Set(keys).size;
    const threads = teams.created().filter((c) => (c.body.channelData as { channel?: unknown } | undefined)?.channel);
    const figures: KillFigures = {
      submissions: jobs.length,
      successAnswers: success.length,
      failedAnswers: failed,
      storedOfSuccess: stored,
      lostSuccess: success.length - stored,
      reports: Number((db.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n),
      outboxRows: rows.length,
      notSent: rows.filter((r) => r.status !== 'sent').length,
      duplicatesSlack: dup(slack.of('chat.postMessage').map((c) => `${String(c.body.channel)}|${String(c.body.text)}`)),
      duplicatesTeams: dup(teams.sent().map((c) => `${c.conversationId ?? ''}|${cardText(c.body)}`)),
      duplicateDslThreads: dup(threads.map((c) => /SG-\d{4}-\d{4}/.exec(cardText(c.body))?.[0] ?? '')),
      auditOk: audit.ok,
      auditEntries: audit.count,
      ...(audit.ok ? {} : { auditProblem: audit.text }),
      kills: opts.kills.length,
      duplicateSamples: [
        ...twice(slack.of('chat.postMessage').map((c) => `slack ${String(c.body.channel)} ${String(c.body.text).slice(0, 60)}`)),
        ...twice(teams.sent().map((c) => `teams ${c.conversationId ?? ''} ${String((c.body as { summary?: string }).summary ?? '')}`)),
        ...twice(threads.map((c) => `teams thread ${/SG-\d{4}-\d{4}/.exec(cardText(c.body))?.[0] ?? ''}`)),
      ],
      attemptFailures: Object.fromEntries(
        (db.prepare(`SELECT outcome || ':' || coalesce(code, '') AS k, COUNT(*) AS n FROM outbox_attempts WHERE outcome <> 'sent' GROUP BY k`).all() as { k: string; n: number }[]).map((r) => [r.k, r.n]),
      ),
      drainMs,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    return figures;
  } finally {
    db.close();
    await slack.stop();
    await teams.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
