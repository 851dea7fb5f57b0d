import type { SqliteStore } from '../store/sqlite-store.js';
import type { OutboxDispatcher } from './outbox-dispatcher.js';

/**
 * What /healthz says: each channel's state (running, degraded while its platform is
 * unreachable at start, stopped), whether the database can be written now (a real,
 * committed write), and how many messages wait, retry or failed, per channel. `ok` is
 * false when nothing can be stored. Ids and counts only.
 */
export function health(d: { store: SqliteStore; dispatcher: OutboxDispatcher; schoolName: string }): Record<string, unknown> {
  let writable = true;
  let databaseError: string | undefined;
  try {
    d.store.db.prepare(`INSERT INTO health_probe (id, at) VALUES (1, @at) ON CONFLICT (id) DO UPDATE SET at = @at`).run({ at: new Date().toISOString() });
  } catch (err) {
    writable = false;
    databaseError = (err as { code?: string }).code ?? 'error';
  }
  let outbox: Record<string, { waiting: number; retrying: number; failed: number }> = {};
  try {
    outbox = d.store.outbox.counts();
  } catch {
    // counted as unknown
  }
  const channels = d.dispatcher.channelStates();
  const totals = { waiting: 0, retrying: 0, failed: 0 };
  for (const c of Object.values(outbox)) {
    totals.waiting += c.waiting;
    totals.retrying += c.retrying;
    totals.failed += c.failed;
  }
  return {
    ok: writable,
    school: d.schoolName,
    database: { writable, ...(databaseError ? { error: databaseError } : {}) },
    channels: Object.fromEntries(Object.entries(channels).map(([c, s]) => [c, { ...s, outbox: outbox[c] ?? { waiting: 0, retrying: 0, failed: 0 } }])),
    outbox: totals,
  };
}
