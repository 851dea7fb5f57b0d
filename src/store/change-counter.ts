import type { SqliteDatabase } from './database.js';

/**
 * A number that changes whenever a report, duty or case changes: the audit log's head
 * (every workflow step appends an entry in the same transaction as the change). Read by
 * its primary key: one row, a few microseconds. A view drawn at one value is still right
 * while the value stays the same (time aside).
 */
export function changeCounter(db: SqliteDatabase): () => number {
  const read = db.prepare('SELECT seq FROM audit_head WHERE id = 1').pluck();
  return () => (read.get() as number | undefined) ?? 0;
}
