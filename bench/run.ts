// npm run bench: the bot side by side with a bare Bolt app (the floor) on the same fake
// Slack, at 1, 10 and 50 connections, on an empty database and with 10k, 100k and 1M
// reports stored. Figures, never assertions. Writes bench/results/latest.json and prints
// a markdown table. BENCH_SECONDS (default 3) lengthens each cell; BENCH_SIZES picks sizes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../src/store/database.js';
import { BenchSlackApi } from './fake-slack.js';
import { load, oneAtATime, percentile, type Figures, type Wire } from './load.js';
import { botCommand, cliCommand, freePort, startProcess, type Running } from './processes.js';
import { seeded, workingCopy } from './seed.js';
import { acknowledgePress, appHomeOpened, reportFormSent, signingSecret, slashReport } from './slack-requests.js';
import { benchTeams } from './teams.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const sizes = (process.env.BENCH_SIZES ?? '0,10000,100000,1000000').split(',').map(Number);
const connections = [1, 10, 50];
const log = (s: string) => console.log(s);

export interface Cell extends Figures {
  app: 'bot' | 'floor';
  size: number;
  request: string;
  connections: number;
  peakRssMb: number;
}
const cells: Cell[] = [];
const extras: Record<string, unknown>[] = [];
const startups: { app: string; size: number; ms: number }[] = [];

async function cell(r: Running, app: Cell['app'], size: number, request: string, conns: number, next: () => Wire): Promise<Cell> {
  r.resetPeak();
  const f = await load({ url: r.url, path: '/slack/events', connections: conns, seconds, next });
  const c = { app, size, request, connections: conns, ...f, peakRssMb: r.peakRssMb() };
  cells.push(c);
  log(`  ${app.padEnd(5)} ${request.padEnd(16)} ${String(conns).padStart(2)} conn  p50 ${f.p50} ms  p95 ${f.p95}  p99 ${f.p99}  ${f.rps}/s  bad ${f.bad}  rss ${c.peakRssMb} MB`);
  return c;
}

/** The DSL channel's cards queued since `since`: how long each took to be sent (after the outbox drains, at most 20 s). */
async function dslCardDelays(dbFile: string, since: string): Promise<{ p50: number; p95: number; max: number; cards: number; unsent: number }> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const q = db.prepare(`SELECT created_at, sent_at FROM outbox WHERE recipient_type = 'dsl_channel' AND created_at >= ?`);
    const until = Date.now() + 20_000;
    let rows = q.all(since) as { created_at: string; sent_at: string | null }[];
    while (rows.some((r) => !r.sent_at) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      rows = q.all(since) as typeof rows;
    }
    const delays = rows.filter((r) => r.sent_at).map((r) => Date.parse(r.sent_at as string) - Date.parse(r.created_at)).sort((a, b) => a - b);
    return { p50: percentile(delays, 50), p95: percentile(delays, 95), max: delays.at(-1) ?? 0, cards: rows.length, unsent: rows.filter((r) => !r.sent_at).length };
  } finally {
    db.close();
  }
}

function openAcks(dbFile: string): { reportId: string; dutyId: string }[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db
      .prepare(`SELECT d.report_id AS reportId, d.id AS dutyId FROM duties d WHERE d.type = 'acknowledge' AND d.status = 'open' ORDER BY d.rowid DESC LIMIT 50000`)
      .all() as { reportId: string; dutyId: string }[];
  } finally {
    db.close();
  }
}

const rotate = <T>(items: T[], make: (item: T) => Wire) => {
  let i = 0;
  return () => make(items[i++ % Math.max(1, items.length)] as T);
};

/**
 * The floor runs beside the bot for the whole run; at the empty database each floor cell
 * runs just before the bot's same cell, so both meet the same machine (this one is shared).
 */
async function startFloor(api: string, dir: string): Promise<{ r: Running; dbFile: string }> {
  const dbFile = path.join(dir, 'floor.db');
  const r = await startProcess(['--import', 'tsx', 'bench/floor.ts'], { SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: api, FLOOR_DB: dbFile }, await freePort());
  startups.push({ app: 'floor', size: 0, ms: r.startupMs });
  log(`floor (a bare Bolt app): start-up to /healthz ${r.startupMs} ms`);
  return { r, dbFile };
}

function floorAcks(dbFile: string): { reportId: string }[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM reports ORDER BY rowid DESC LIMIT 50000').all() as { id: string }[]).map((x) => ({ reportId: x.id }));
  } finally {
    db.close();
  }
}

async function bot(api: string, size: number, dir: string, floor?: { r: Running; dbFile: string }): Promise<void> {
  log(`bot: ${size.toLocaleString('en-GB')} reports stored`);
  const seed = size > 0 ? await seeded(size, log) : undefined;
  const work = mkdtempSync(path.join(dir, `bot-${size}-`));
  const keyFile = seed?.keyFile ?? path.join(work, 'keys', 'keys.json');
  const dbFile = seed ? workingCopy(seed, work) : path.join(work, 'bot.db');
  openDatabase(dbFile).close(); // this version's migrations, before the clock starts
  const env = {
    NODE_ENV: 'production',
    DATABASE_PATH: dbFile,
    EVIDENCE_DIR: path.join(work, 'evidence'),
    KEY_FILE: keyFile,
    SCHOOL_CONFIG: 'data/school.example.yaml',
    LOG_LEVEL: 'silent',
    AUDIT_CHECKPOINT_HOURS: '0',
    REPORT_LIMIT_PER_PERSON: '0', // one bench user files thousands of reports
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: api,
  };
  const r = await startProcess(botCommand(), env, await freePort());
  startups.push({ app: 'bot', size, ms: r.startupMs });
  log(`  start-up to /healthz ${r.startupMs} ms`);
  try {
    for (const c of connections) {
      if (floor) await cell(floor.r, 'floor', 0, '/report', c, () => slashReport());
      await cell(r, 'bot', size, '/report', c, () => slashReport());
    }
    for (const c of connections) {
      if (floor) await cell(floor.r, 'floor', 0, 'view_submission', c, () => reportFormSent());
      const since = new Date().toISOString();
      await cell(r, 'bot', size, 'view_submission', c, () => reportFormSent());
      const d = await dslCardDelays(dbFile, since);
      extras.push({ kind: 'dsl_card_delay_ms', size, connections: c, ...d });
      log(`  DSL card queued → sent: p50 ${d.p50} ms  p95 ${d.p95}  max ${d.max}  (${d.cards} cards, ${d.unsent} unsent)`);
    }
    const acks = openAcks(dbFile);
    const floorIds = floor ? floorAcks(floor.dbFile) : [];
    for (const c of connections) {
      if (floor) await cell(floor.r, 'floor', 0, 'acknowledge', c, rotate(floorIds, acknowledgePress));
      await cell(r, 'bot', size, 'acknowledge', c, rotate(acks, acknowledgePress));
    }
    for (const c of connections) await cell(r, 'bot', size, 'app_home (DSL)', c, () => appHomeOpened());
    // Does anyone wait behind a DSL's App Home? /report one at a time while 10 connections open App Home.
    r.resetPeak();
    const [home, report] = await Promise.all([
      load({ url: r.url, path: '/slack/events', connections: 10, seconds, next: () => appHomeOpened() }),
      oneAtATime(`${r.url}/slack/events`, seconds, () => slashReport()),
    ]);
    cells.push({ app: 'bot', size, request: '/report beside 10 App Homes', connections: 1, ...report, peakRssMb: r.peakRssMb() });
    log(`  /report beside 10 App Homes: p50 ${report.p50} ms  p99 ${report.p99} (App Home p99 ${home.p99} ms)`);
  } finally {
    await r.stop();
  }
  if (process.env.BENCH_TEAMS !== 'false') {
    log('  Teams, through the real adapter (the same database, the bot restarted with Teams on):');
    for (const t of await benchTeams({ size, dbFile, env, seconds, connections, log })) cells.push(t);
  }
  const started = performance.now();
  let verified = 'ok';
  try {
    execFileSync(process.execPath, [...cliCommand(), 'audit', 'verify', '--db', dbFile, '--key-file', keyFile, '--evidence', path.join(work, 'evidence')], { stdio: 'pipe' });
  } catch (err) {
    verified = `failed: ${String((err as { stdout?: Buffer }).stdout ?? err).slice(0, 200)}`;
  }
  const verifyMs = Math.round(performance.now() - started);
  const entries = (new Database(dbFile, { readonly: true }).prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  extras.push({ kind: 'audit_verify', size, entries, ms: verifyMs, result: verified });
  log(`  audit verify: ${entries} entries in ${verifyMs} ms (${verified})`);
  rmSync(work, { recursive: true, force: true });
}

const dir = mkdtempSync(path.join(tmpdir(), 'sgbot-bench-'));
const api = new BenchSlackApi();
const apiUrl = await api.start();
const began = Date.now();
const floor = await startFloor(apiUrl, dir);
try {
  for (const size of sizes) await bot(apiUrl, size, dir, size === sizes[0] ? floor : undefined);
} finally {
  await floor.r.stop();
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
}
const out = { at: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, secondsPerCell: seconds, startups, cells, extras, totalSeconds: Math.round((Date.now() - began) / 1000) };
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify(out, null, 2)}\n`);
const { table } = await import('./table.js');
console.log(table(out));
