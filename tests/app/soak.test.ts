import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportKind } from '../../src/core/report-schemas.js';
import { formValues } from '../../src/views/report-forms.js';
import { example, tempDir } from '../support/harness.js';
import { botFolder, freePort, startRealBot, waitForOutput, type RealBot } from '../support/real-bot.js';

// A soak of the real server process (`tsx src/main.ts`, as `npm run dev` runs it; `npm start` runs the same code compiled) on the
// Node line running the suite: reports sent through the sandbox's API in parallel
// batches, the background loop and the clock running reminders and escalations, a
// SIGTERM, a second start on the same files, and a second SIGTERM. Every report is kept,
// and neither start ends in a native abort (better-sqlite3 12 on Node 24 did).

let dir: string;
let bot: RealBot | undefined;
beforeEach(() => {
  dir = tempDir('sgbot-soak-');
});
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  rmSync(dir, { recursive: true, force: true });
});

type Message = { id: number; text?: string; card?: unknown };
type State = { conversations: { id: string; messages: Message[] }[] };

const people = ['amy-clarke', 'ben-hughes', 'sam-okafor'];
// The worked examples, dated two days ago (the real process runs on the real clock).
const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
const reports = [1, 2, 4, 5].map((n) => {
  const r = example(n).report as { kind: ReportKind; occurred?: { date: string } } & Record<string, unknown>;
  return { ...r, ...(r.occurred ? { occurred: { ...r.occurred, date: twoDaysAgo } } : {}) };
});

describe('soak: the real server under reports, timers and shutdown', () => {
  it(`keeps every report through two starts and two SIGTERMs, with no native abort (Node ${process.versions.node})`, { timeout: 120_000 }, async () => {
    const cwd = botFolder(dir);
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATABASE_PATH: path.join(dir, 'bot.db'),
      EVIDENCE_DIR: path.join(dir, 'evidence'),
      LOG_LEVEL: 'warn',
      BACKGROUND_INTERVAL_MS: '100',
    };
    const base = `http://127.0.0.1:${port}/sandbox/api/`;
    const call = async (p: string, body?: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(base + p, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, `${p}: ${await res.clone().text()}`).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    const lastCard = async (as: string): Promise<number> => {
      const state = (await call(`state?as=${as}`)) as unknown as State;
      const card = state.conversations[0]?.messages.filter((m) => m.card).at(-1);
      if (!card) throw new Error(`no card in ${as}'s chat`);
      return card.id;
    };
    // One person reports one concern, through the cards, as the sandbox page does.
    const report = async (as: string, r: { kind: ReportKind } & Record<string, unknown>): Promise<void> => {
      await call('say', { as, text: 'report' });
      await call('action', { as, conversation: 'chat', messageId: await lastCard(as), data: { verb: 'choose_kind', kind: r.kind } });
      const form = await lastCard(as);
      const answer = await call('action', { as, conversation: 'chat', messageId: form, data: { verb: 'submit_report', kind: r.kind, ...formValues(r.kind, r) } });
      const state = (await call(`state?as=${as}`)) as unknown as State;
      const shown = JSON.stringify(state.conversations[0]?.messages.find((m) => m.id === form));
      expect(shown, `${as} ${r.kind}: ${JSON.stringify(answer)} ${shown}`).toMatch(/Report sent: SG-\d{4}-\d{4}/);
    };

    bot = startRealBot(cwd, env);
    await waitForOutput(bot, 'Sandbox: open');
    let sent = 0;
    for (let round = 0; round < 4; round += 1) {
      // Each person sends one report at the same time as the others; then time moves on.
      await Promise.all(people.map((as, i) => report(as, reports[(round + i) % reports.length] as { kind: ReportKind } & Record<string, unknown>)));
      sent += people.length;
      await call('clock', { minutes: 30, working: true });
    }
    await call('clock', { minutes: 120, working: true });
    await new Promise((r) => setTimeout(r, 500));
    let stopped = await bot.stop();
    expect({ code: stopped.code, signal: stopped.signal, stderr: bot.stderr() }).toEqual({ code: 0, signal: null, stderr: '' });

    // A second start on the same files, more reports and timers, and a second stop.
    bot = startRealBot(cwd, env);
    await waitForOutput(bot, 'Sandbox: open');
    await Promise.all(people.map((as, i) => report(as, reports[i % reports.length] as { kind: ReportKind } & Record<string, unknown>)));
    sent += people.length;
    await call('clock', { minutes: 60 * 24 });
    await new Promise((r) => setTimeout(r, 500));
    stopped = await bot.stop();
    expect({ code: stopped.code, signal: stopped.signal, stderr: bot.stderr() }).toEqual({ code: 0, signal: null, stderr: '' });
    bot = undefined;

    const db = new Database(path.join(dir, 'bot.db'), { readonly: true });
    try {
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(count('SELECT count(*) AS n FROM reports')).toBe(sent);
      // Timers ran: reminders and escalations were sent, and nothing is left unsent.
      expect(count("SELECT count(*) AS n FROM audit_log WHERE action IN ('ack.reminded', 'ack.escalated')")).toBeGreaterThan(0);
      expect(count("SELECT count(*) AS n FROM outbox WHERE status <> 'sent'")).toBe(0);
    } finally {
      db.close();
    }
  });
});
