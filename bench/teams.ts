// The Teams equivalents, through the real botbuilder CloudAdapter (Teams on in its local
// unauthenticated mode: no JWT), against the fake Bot Connector on loopback: "report" in a
// personal chat (→ the kind card), the form's Send (→ a report stored), and Acknowledge
// (an Action.Execute invoke). Run on the same database after the Slack cells.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { formValues } from '../src/views/report-forms.js';
import type { ReportKind } from '../src/core/report-schemas.js';
import { FakeBotConnector } from '../tests/support/fake-bot-connector.js';
import { load, type Wire } from './load.js';
import { botCommand, freePort, startProcess } from './processes.js';
import type { Cell } from './run.js';

type Json = Record<string, unknown>;
/** The Teams floor's start-up times (read by run.ts for latest.json). */
export const startupsOfFloor: number[] = [];
const sample = (name: string) => JSON.parse(readFileSync(path.join('tests/fixtures/platform-samples', name), 'utf8')) as Json;
const tenantId = '00000000-0000-4000-8000-000000000001';
const botId = '28:00000000-0000-4000-8000-0000000000b0';
const ids: Record<string, string> = { 'amy-clarke': '29:1AmyClarke', 'jo-patel': '29:1JoPatel' };
const dslChannel = '19:dsl@thread.tacv2';
let n = 0;
const nextId = () => `1763${process.pid}${String((n += 1)).padStart(9, '0')}`;

function activities(serviceUrl: string) {
  const personal = (person: string) => ({ conversationType: 'personal', tenantId, id: `a:chat-with-${ids[person] ?? ''}` });
  const base = sample('teams-message-personal.json').payload as Json;
  const envelope = (person: string, conversation: Json): Json => ({
    ...base,
    id: nextId(),
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: ids[person], name: person },
    recipient: { id: botId, name: 'Safeguarding' },
    conversation,
  });
  const json = (a: Json): Wire => ({ body: JSON.stringify(a), headers: { 'content-type': 'application/json' } });
  const example = JSON.parse(readFileSync('data/examples/worked-example-1-pupil-friend-request.json', 'utf8')) as { report: Json };
  const kind = example.report.kind as ReportKind;
  const values = formValues(kind, example.report);
  const invoke = sample('teams-invoke-adaptive-card-action.json').payload as Json;
  const install = (sample('teams-installation-update.json').team_install ?? {}) as Json;
  return {
    installTeam: (): Json => ({
      ...install,
      id: `f:${nextId()}`,
      serviceUrl,
      from: { id: ids['jo-patel'] },
      recipient: { id: botId, name: 'Safeguarding' },
      conversation: { isGroup: true, conversationType: 'channel', tenantId, id: dslChannel, name: 'DSL' },
      channelData: { ...(install.channelData as Json), settings: { selectedChannel: { id: dslChannel } }, channel: { id: dslChannel }, team: { id: '19:team-general@thread.tacv2', name: 'Safeguarding leads' }, tenant: { id: tenantId } },
    }),
    report: () => json({ ...envelope('amy-clarke', personal('amy-clarke')), text: 'report', attachments: [{ contentType: 'text/html', content: '<p>report</p>' }] }),
    send: () =>
      json({
        ...envelope('amy-clarke', personal('amy-clarke')),
        channelData: { tenant: { id: tenantId } },
        text: undefined,
        attachments: undefined,
        value: { verb: 'submit_report', kind, ...values },
        replyToId: `card-${nextId()}`,
      }),
    acknowledge: (reportId: string) =>
      json({
        ...envelope('jo-patel', personal('jo-patel')),
        type: 'invoke',
        name: invoke.name,
        id: `f:${nextId()}`,
        text: undefined,
        attachments: undefined,
        channelData: invoke.channelData,
        value: { action: { type: 'Action.Execute', id: '', verb: 'acknowledge', data: { reportId } }, trigger: 'manual' },
      }),
  };
}

export async function benchTeams(o: {
  size: number;
  dbFile: string;
  env: Record<string, string>;
  seconds: number;
  connections: number[];
  log: (s: string) => void;
  /** Where the Teams floor (a bare botbuilder app, bench/teams-floor.ts) keeps its rows: given, its cells run just before the bot's. */
  floorDb?: string | undefined;
}): Promise<Cell[]> {
  const connector = new FakeBotConnector();
  const serviceUrl = await connector.start();
  const a = activities(serviceUrl);
  const { SLACK_SIGNING_SECRET: _s, SLACK_BOT_TOKEN: _t, SLACK_API_URL: _u, ...rest } = o.env;
  const r = await startProcess(botCommand(), { ...rest, NODE_ENV: 'development', TEAMS_ALLOW_UNAUTHENTICATED: 'true', SANDBOX: 'false' }, await freePort());
  const floor = o.floorDb ? await startProcess(['--import', 'tsx', 'bench/teams-floor.ts'], { FLOOR_DB: o.floorDb }, await freePort()) : undefined;
  if (floor) o.log(`  teams floor (a bare botbuilder app): start-up to /healthz ${floor.startupMs} ms`);
  const cells: Cell[] = [];
  const run = async (request: string, c: number, next: () => Wire, floorNext?: () => Wire) => {
    for (const [app, p, nx] of [...(floor ? [['floor', floor, floorNext ?? next] as const] : []), ['bot', r, next] as const]) {
      p.resetPeak();
      const f = await load({ url: p.url, path: '/api/messages', connections: c, seconds: o.seconds, next: nx });
      const cell: Cell = { app, size: app === 'floor' ? 0 : o.size, request, connections: c, ...f, peakRssMb: p.peakRssMb() };
      cells.push(cell);
      o.log(`  ${app.padEnd(5)} ${request.padEnd(16)} ${String(c).padStart(2)} conn  p50 ${f.p50} ms  p95 ${f.p95}  p99 ${f.p99}  ${f.rps}/s  bad ${f.bad}  rss ${cell.peakRssMb} MB`);
    }
  };
  const idsOf = (file: string, sql: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(sql).all() as { id: string }[]).map((x) => x.id);
    } finally {
      db.close();
    }
  };
  try {
    await fetch(`${r.url}/api/messages`, { method: 'POST', body: JSON.stringify(a.installTeam()), headers: { 'content-type': 'application/json' } });
    for (const c of o.connections) await run('teams: "report"', c, a.report);
    for (const c of o.connections) await run('teams: form Send', c, a.send);
    const open = idsOf(o.dbFile, `SELECT report_id AS id FROM duties WHERE type = 'acknowledge' AND status = 'open' ORDER BY rowid DESC LIMIT 50000`);
    const floorOpen = o.floorDb ? idsOf(o.floorDb, 'SELECT id FROM reports ORDER BY rowid DESC LIMIT 50000') : [];
    let i = 0;
    let j = 0;
    for (const c of o.connections)
      await run(
        'teams: Acknowledge',
        c,
        () => a.acknowledge(open[i++ % Math.max(1, open.length)] ?? ''),
        () => a.acknowledge(floorOpen[j++ % Math.max(1, floorOpen.length)] ?? ''),
      );
  } finally {
    if (floor) {
      startupsOfFloor.push(floor.startupMs);
      await floor.stop();
    }
    if (r.child.exitCode !== null) o.log(`  the bot exited during the Teams cells (${String(r.child.exitCode)}): ${r.stderr().slice(-1500)}`);
    await r.stop();
    await connector.stop();
  }
  return cells;
}
