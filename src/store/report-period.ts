import type { CaseFacts } from '../core/governors-report.js';
import type { AuditEntry, WorkflowStore } from '../core/ports.js';
import { verifyAll, type FullCheck } from './audit-verify.js';
import type { SqliteDatabase } from './database.js';
import type { Keyring } from './keyring.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * The cases submitted around a period of school dates (a day either side, for the time
 * zone; core keeps those whose school date is inside): each with its duties and audit entries.
 */
export function casesAround(db: SqliteDatabase, store: WorkflowStore, from: string, to: string): CaseFacts[] {
  const day = 24 * 60 * 60 * 1000;
  const start = new Date(Date.parse(`${from}T00:00:00Z`) - day).toISOString();
  const end = new Date(Date.parse(`${to}T00:00:00Z`) + 2 * day).toISOString();
  const ids = db.prepare('SELECT id FROM reports WHERE submitted_at >= ? AND submitted_at < ? ORDER BY submitted_at').pluck().all(start, end) as string[];
  return ids.flatMap((id) => {
    const report = store.getReport(id);
    return report ? [{ report, duties: store.listDuties(id), audit: store.listAudit(id) }] : [];
  });
}

/** Every case with a block task (the filtering and blocking log), each with its duties and audit entries. */
export function casesWithTasks(db: SqliteDatabase, store: WorkflowStore): CaseFacts[] {
  const ids = db.prepare("SELECT DISTINCT report_id FROM duties WHERE type = 'task'").pluck().all() as string[];
  return ids.flatMap((id) => {
    const report = store.getReport(id);
    return report ? [{ report, duties: store.listDuties(id), audit: store.listAudit(id) }] : [];
  });
}

/** The whole audit log, oldest first, with each entry's report reference, and the full check of `audit verify`. */
export async function auditLogWithCheck(
  db: SqliteDatabase,
  store: SqliteStore,
  keys: Keyring,
  evidenceDir: string,
): Promise<{ entries: (AuditEntry & { reference?: string | undefined })[]; check: FullCheck }> {
  const reference = db.prepare('SELECT reference FROM reports WHERE id = ?').pluck();
  const entries = [...store.audit.all()].map((e) => ({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    reportId: e.reportId,
    details: e.details,
    prevHash: e.prevHash,
    hash: e.hash,
    reference: e.reportId ? ((reference.get(e.reportId) as string | undefined) ?? undefined) : undefined,
  }));
  return { entries, check: await verifyAll(db, keys, evidenceDir) };
}

/** Every case, oldest first (the reputation log filters them by rule in core: the routing is sealed). */
export function allCases(db: SqliteDatabase, store: WorkflowStore): CaseFacts[] {
  const ids = db.prepare('SELECT id FROM reports ORDER BY submitted_at').pluck().all() as string[];
  return ids.flatMap((id) => {
    const report = store.getReport(id);
    return report ? [{ report, duties: store.listDuties(id), audit: store.listAudit(id) }] : [];
  });
}
