// npm run bench: the bot side by side with a bare Bolt app (the floor) on the same fake
// Slack, at 1, 10 and 50 connections, on an empty database and with 10k, 100k and 1M
// reports stored. Figures, never assertions. Writes bench/results/latest.json and prints
// a markdown table. BENCH_SECONDS (default 2) lengthens each cell; BENCH_SIZES picks sizes;
// BENCH_TEAMS_SIZES the sizes with Teams cells. Builds dist/ first (timed, like each phase).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../src/store/database.js';
import { BenchSlackApi } from './fake-slack.js';
import { load, oneAtATime, type Figures, type Wire } from './load.js';
import { botCommand, cliCommand, freePort, startProcess, type Running } from './processes.js';
import { dslPostDelays, mark, type Mark } from './dsl-delay.js';
import { seeded, workingCopy } from './seed.js';
import { acknowledgePress, appHomeOpened, reportFormSent, signingSecret, slashReport } from './slack-requests.js';
import { benchTeams, startupsOfFloor } from './teams.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const sizes = (process.env.BENCH_SIZES ?? '0,10000,100000,1000000').split(',').map(Number);
// Teams through the real adapter at the empty database and the largest size (its ratio to
// empty); BENCH_TEAMS_SIZES=all for every size, BENCH_TEAMS=false for none.
const teamsSizes =
  process.env.BENCH_TEAMS === 'false'
    ? []
    : process.env.BENCH_TEAMS_SIZES === 'all'
      ? sizes
      : process.env.BENCH_TEAMS_SIZES
        ? process.env.BENCH_TEAMS_SIZES.split(',').map(Number)
        : [...new Set([sizes[0] as number, Math.max(...sizes)])];
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
/** How long each part of the run took (printed at the end, kept in latest.json). */
const phases: { phase: string; seconds: number }[] = [];
async function phase<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    phases.push({ phase: name, seconds: Math.round((performance.now() - t0) / 100) / 10 });
  }
}

async function cell(r: Running, app: Cell['app'], size: number, request: string, conns: number, next: () => Wire): Promise<Cell> {
  r.resetPeak();
  const f = await load({ url: r.url, path: '/slack/events', connections: conns, seconds, next });
  const c = { app, size, request, connections: conns, ...f, peakRssMb: r.peakRssMb() };
  cells.push(c);
  log(`  ${app.padEnd(5)} ${request.padEnd(16)} ${String(conns).padStart(2)} conn  p50 ${f.p50} ms  p95 ${f.p95}  p99 ${f.p99}  ${f.rps}/s  bad ${f.bad}  rss ${c.peakRssMb} MB`);
  return c;
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
  const at = size.toLocaleString('en-GB');
  log(`bot: ${at} reports stored`);
  const seed = size > 0 ? await phase(`seed ${at} (cached after the first run)`, () => seeded(size, log)) : undefined;
  const work = mkdtempSync(path.join(dir, `bot-${size}-`));
  const keyFile = seed?.keyFile ?? path.join(work, 'keys', 'keys.json');
  const dbFile = await phase(`working copy ${at}`, () => {
    const file = seed ? workingCopy(seed, work) : path.join(work, 'bot.db');
    openDatabase(file).close(); // this version's migrations, before the clock starts
    return file;
  });
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
  await phase(`slack cells ${at}`, async () => {
    const r = await startProcess(botCommand(), env, await freePort());
    startups.push({ app: 'bot', size, ms: r.startupMs });
    log(`  start-up to /healthz ${r.startupMs} ms`);
    try {
      for (const c of connections) {
        if (floor) await cell(floor.r, 'floor', 0, '/report', c, () => slashReport());
        await cell(r, 'bot', size, '/report', c, () => slashReport());
      }
      // The reports each view_submission cell stored (by rowid), for the DSL post delay below.
      const windows: { connections: number; from: Mark; to: Mark }[] = [];
      for (const c of connections) {
        if (floor) await cell(floor.r, 'floor', 0, 'view_submission', c, () => reportFormSent());
        const from = mark(dbFile);
        await cell(r, 'bot', size, 'view_submission', c, () => reportFormSent());
        windows.push({ connections: c, from, to: mark(dbFile) });
      }
      // Right after the cells, before anything is acknowledged (an acknowledged report is
      // left out of a listing still held): the flood's listings go out 15 s after the first.
      for (const d of await dslPostDelays(dbFile, windows, 30_000)) {
        extras.push({ kind: 'dsl_card_delay_ms', size, ...d });
        log(`  DSL post, report stored → sent (${d.connections} conn): p50 ${d.p50} ms  p95 ${d.p95}  max ${d.max}  (${d.reports} reports: ${d.cards} own cards, p50 ${d.cardP50} ms, p95 ${d.cardP95}; ${d.listed} in listings, p50 ${d.listedP50} ms; ${d.unsent} unsent)`);
      }
      // App Home after the flood's listings went out (so it does not meet their backlog).
      for (const c of connections) await cell(r, 'bot', size, 'app_home (DSL)', c, () => appHomeOpened());
      // Does anyone wait behind a DSL's App Home? /report one at a time while 10 connections open App Home.
      r.resetPeak();
      const [home, report] = await Promise.all([
        load({ url: r.url, path: '/slack/events', connections: 10, seconds, next: () => appHomeOpened() }),
        oneAtATime(`${r.url}/slack/events`, seconds, () => slashReport()),
      ]);
      cells.push({ app: 'bot', size, request: '/report beside 10 App Homes', connections: 1, ...report, peakRssMb: r.peakRssMb() });
      log(`  /report beside 10 App Homes: p50 ${report.p50} ms  p99 ${report.p99} (App Home p99 ${home.p99} ms)`);
      const acks = openAcks(dbFile);
      const floorIds = floor ? floorAcks(floor.dbFile) : [];
      for (const c of connections) {
        if (floor) await cell(floor.r, 'floor', 0, 'acknowledge', c, rotate(floorIds, acknowledgePress));
        await cell(r, 'bot', size, 'acknowledge', c, rotate(acks, acknowledgePress));
      }
    } finally {
      await r.stop();
    }
  });
  if (teamsSizes.includes(size)) {
    log('  Teams, through the real adapter (the same database, the bot restarted with Teams on):');
    // The Teams floor beside the bot's cells at the first size with Teams (the empty database).
    const floorDb = size === teamsSizes[0] ? path.join(dir, 'teams-floor.db') : undefined;
    for (const t of await phase(`teams cells ${at}`, () => benchTeams({ size, dbFile, env, seconds, connections, log, floorDb }))) cells.push(t);
    for (const ms of startupsOfFloor.splice(0)) startups.push({ app: 'teams floor', size: 0, ms });
  }
  await phase(`audit verify ${at}`, () => {
    const started = performance.now();
    let verified = 'ok';
    try {
      execFileSync(process.execPath, [...cliCommand(), 'audit', 'verify', '--db', dbFile, '--key-file', keyFile, '--evidence', path.join(work, 'evidence')], { stdio: 'pipe' });
    } catch (err) {
      verified = `failed: ${String((err as { stdout?: Buffer }).stdout ?? err).slice(0, 200)}`;
    }
    const verifyMs = Math.round(performance.now() - started);
    const db = new Database(dbFile, { readonly: true });
    const entries = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    db.close();
    extras.push({ kind: 'audit_verify', size, entries, ms: verifyMs, result: verified });
    log(`  audit verify: ${entries} entries in ${verifyMs} ms (${verified})`);
  });
  rmSync(work, { recursive: true, force: true });
}

const began = Date.now();
await phase('build dist/', () => void execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }));
const dir = mkdtempSync(path.join(tmpdir(), 'sgbot-bench-'));
const api = new BenchSlackApi();
const apiUrl = await api.start();
const floor = await phase('floor start-up', () => startFloor(apiUrl, dir));
try {
  for (const size of sizes) await bot(apiUrl, size, dir, size === sizes[0] ? floor : undefined);
} finally {
  await floor.r.stop();
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
}
const out = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  secondsPerCell: seconds,
  teamsSizes,
  startups,
  cells,
  extras,
  phases,
  totalSeconds: Math.round((Date.now() - began) / 1000),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify(out, null, 2)}\n`);
const { phaseTable, table } = await import('./table.js');
console.log(table(out));
console.log(`\n${phaseTable(out)}`);
