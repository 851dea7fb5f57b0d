import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { durableTransaction, openDatabase, readMigrations } from '../../src/store/database.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { example, harness, tempDir, testKeys, type Harness } from '../support/harness.js';

// Migration 0009 (issue 15): indexes for a million reports, applied to a database that
// already holds reports; the queue's query walks an index without a sort; commits that
// accept a report are synced to disk.
let h: Harness | undefined;
let dir: string | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const plan = (db: ReturnType<typeof openDatabase>, sql: string, params: Record<string, unknown> = {}) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');

describe('migration 0009', () => {
  it('applies on an existing database that already holds reports, and keeps them', async () => {
    dir = tempDir();
    const file = path.join(dir, 'old.db');
    const keys = testKeys(dir);
    const before = readMigrations().filter((m) => m.version < 9);
    const old = openDatabase(file, before);
    const store = new SqliteStore(old, keys);
    store.prepare(new Date('2026-11-23T10:00:00.000Z'));
    store.insertReport({
      id: 'r1',
      reference: 'SG-2026-0001',
      kind: 'friend_request',
      status: 'open',
      urgent: false,
      reporterId: 'amy-clarke',
      submittedAt: '2026-11-23T10:00:00.000Z',
      form: example(1).report as never,
      routing: { rules: [], subjects: [], told: [], dslChannel: 'acknowledge' } as never,
    });
    old.close();

    const db = openDatabase(file);
    const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining(['reports_open_queue', 'timers_by_report', 'timers_by_duty', 'outbox_sent_at', 'handled_events_at', 'idempotency_keys_at']));
    const ledger = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    expect(ledger.map((r) => r.version)).toContain(9); // later migrations (0010, …) may follow
    expect(new SqliteStore(db, keys).listOpenCases({ limit: 10 }).map((r) => r.reference)).toEqual(['SG-2026-0001']);
    db.close();
  });

  it('the queue, the next deadline and a duty\'s timers are read along indexes, without a sort', () => {
    h = harness();
    const openPage = `SELECT id FROM reports WHERE status <> 'closed'
      AND (@after IS NULL OR (submitted_at, reference) > (SELECT submitted_at, reference FROM reports WHERE id = @after))
      ORDER BY submitted_at, reference LIMIT 50`;
    const q = plan(h.db, openPage, { after: null });
    expect(q).toMatch(/reports_open_queue/);
    expect(q).not.toMatch(/TEMP B-TREE|SCAN reports$/m);
    expect(plan(h.db, `SELECT * FROM reports WHERE status <> 'closed' ORDER BY submitted_at, reference`)).not.toMatch(/TEMP B-TREE/);
    expect(plan(h.db, `SELECT due_at FROM timers WHERE report_id = 'x' AND status = 'pending' ORDER BY due_at LIMIT 1`)).toMatch(/timers_by_report/);
    expect(plan(h.db, `UPDATE timers SET status = 'cancelled' WHERE duty_id = 'd' AND status = 'pending'`)).toMatch(/timers_by_duty/);
  });
});

describe('durability', () => {
  it('commits bookkeeping with synchronous NORMAL and a workflow step with FULL', async () => {
    h = harness();
    expect(h.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    const seen = durableTransaction(h.db, () => h?.db.pragma('synchronous', { simple: true }));
    expect(seen).toBe(2); // FULL while the step commits
    expect(h.db.pragma('synchronous', { simple: true })).toBe(1);
    // The workflow's steps go through it: a report submitted is there after a restart.
    const ex = example(1);
    const r = await h.workflow.submit({ reporterId: ex.reporter, form: ex.report });
    h.restart();
    expect(h.store.getReport(r.reportId)?.reference).toBe(r.reference);
  });
});
