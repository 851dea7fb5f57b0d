import type { SqliteDatabase } from './database.js';

/**
 * How long the bookkeeping of delivery and duplicate-detection is kept: sent outbox rows
 * (with their attempt log), handled-event ids and idempotency keys. Slack and Teams
 * retry within minutes; a month is far beyond any retry. Reports, duties, timers,
 * message references (needed to update a card later), failed ("dead") and pending
 * messages and the audit log are never pruned.
 */
export const retentionDays = 30;

export interface Pruned {
  outbox: number;
  attempts: number;
  handledEvents: number;
  idempotencyKeys: number;
}

/**
 * Deletes what is past the retention, a batch at a time (each batch its own short
 * transaction along an index of migration 0009, so a request never waits long behind
 * it), until nothing is left or `maxBatches` ran.
 */
export function pruneExpired(db: SqliteDatabase, now: Date, opts: { days?: number; batch?: number; maxBatches?: number } = {}): Pruned {
  const cutoff = new Date(now.getTime() - (opts.days ?? retentionDays) * 86_400_000).toISOString();
  const batch = opts.batch ?? 1_000;
  const s = {
    oldSent: db.prepare(`SELECT id FROM outbox WHERE status = 'sent' AND sent_at < @cutoff ORDER BY sent_at LIMIT @batch`),
    attempts: db.prepare('DELETE FROM outbox_attempts WHERE outbox_id = @id'),
    outbox: db.prepare(`DELETE FROM outbox WHERE id = @id AND status = 'sent'`),
    handled: db.prepare('DELETE FROM handled_events WHERE rowid IN (SELECT rowid FROM handled_events WHERE handled_at < @cutoff LIMIT @batch)'),
    idempotency: db.prepare('DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < @cutoff LIMIT @batch)'),
  };
  const pruned: Pruned = { outbox: 0, attempts: 0, handledEvents: 0, idempotencyKeys: 0 };
  for (let i = 0; i < (opts.maxBatches ?? 100); i += 1) {
    const n = db.transaction(() => {
      let changed = 0;
      for (const { id } of s.oldSent.all({ cutoff, batch }) as { id: string }[]) {
        pruned.attempts += s.attempts.run({ id }).changes;
        const c = s.outbox.run({ id }).changes;
        pruned.outbox += c;
        changed += c;
      }
      const h = s.handled.run({ cutoff, batch }).changes;
      const k = s.idempotency.run({ cutoff, batch }).changes;
      pruned.handledEvents += h;
      pruned.idempotencyKeys += k;
      return changed + h + k;
    })();
    if (n === 0) break;
  }
  return pruned;
}
