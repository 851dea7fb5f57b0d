import { contentSha256, verifyChain, type AuditProblem, type ChainCheck, type StoredEntry } from '../core/audit-chain.js';
import type { DutyResult } from '../core/ports.js';
import { AuditLog } from './audit-store.js';
import type { SqliteDatabase } from './database.js';
import { caseEntryAad } from './case-entry-store.js';
import { DiskEvidenceFiles } from './evidence-files.js';
import type { Keyring } from './keyring.js';
import { aad } from './seal-existing.js';
import { openJson, openText } from './sealed.js';

export interface FullCheck {
  chain: ChainCheck;
  /** Report text, reasons, actions and evidence files that do not match the hashes in the log. */
  content: { where: string; problem: string }[];
  evidenceChecked: number;
  /** Cases disposed of (migration 0010): their entries stay, the content they hash is gone by design. */
  disposed: { reference: string; entries: number }[];
  ok: boolean;
}

type Row = Record<string, unknown>;
const toEntry = (r: Row): StoredEntry => ({
  seq: Number(r.seq),
  at: String(r.at),
  actor: String(r.actor),
  action: String(r.action),
  reportId: r.report_id === null || r.report_id === undefined ? undefined : String(r.report_id),
  details: JSON.parse(String(r.details_json)) as Record<string, unknown>,
  prevHash: String(r.prev_hash),
  hash: String(r.hash),
  keyId: r.key_id === null || r.key_id === undefined ? undefined : Number(r.key_id),
});
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * `audit verify`: the keyed chain (every problem, see verifyChain), then what the log's
 * content hashes cover, against what is stored now: each report's form, each decision
 * reason, ICT action and closing reason (decrypted), and each evidence file (decrypted
 * and re-hashed). A report or evidence record the log never mentions is a problem too.
 * Reads only; messages name entry numbers and references, never text.
 */
export async function verifyAll(
  db: SqliteDatabase,
  keys: Keyring,
  evidenceDir: string,
  anchor?: { seq: number; hash: string },
): Promise<FullCheck> {
  const log = new AuditLog(db, keys);
  const content: FullCheck['content'] = [];
  const report = db.prepare('SELECT id, reference FROM reports WHERE id = @id');
  const duty = db.prepare('SELECT id, result_json FROM duties WHERE id = @id');
  const caseEntry = db.prepare('SELECT id, text, external_ref FROM case_entries WHERE id = @id');
  const refOf = (id: string | undefined) => String((id && (report.get({ id }) as Row | undefined)?.reference) ?? id ?? '?');
  const opened = <T>(fn: () => T): T | Error => {
    try {
      return fn();
    } catch (err) {
      return err as Error;
    }
  };
  const compare = (where: string, what: string, expected: unknown, actual: () => string | undefined) => {
    if (typeof expected !== 'string') return;
    const value = opened(actual);
    if (value instanceof Error) content.push({ where, problem: `the ${what} does not open (altered, or moved from another row)` });
    else if (value === undefined) content.push({ where, problem: `the ${what} is missing` });
    else if (contentSha256(value) !== expected) content.push({ where, problem: `the ${what} does not match its hash in the audit log (edited)` });
  };
  const submitted = new Set<string>();
  const legacy = new Set<string>(); // reports logged before content hashes: their evidence is counted, not hashed
  const auditedEvidence = new Set<string>();
  // Each report's latest closing: the one its own row's closing reason belongs to.
  const lastClose = new Map<string, number>();
  for (const r of db.prepare(`SELECT report_id, MAX(seq) AS seq FROM audit_log WHERE action = 'report.closed' AND report_id IS NOT NULL GROUP BY report_id`).iterate() as Iterable<Row>)
    lastClose.set(String(r.report_id), Number(r.seq));
  const disposed = disposedCases(db, log, content);
  // One read of the log, each entry with its report (a join, not a lookup an entry): the
  // chain is checked as the entries stream past, and what they hash is checked beside it.
  const rows = db
    .prepare(
      `SELECT a.*, r.id AS r_id, r.reference AS r_reference, r.form_json AS r_form_json, r.close_reason AS r_close_reason
       FROM audit_log a LEFT JOIN reports r ON r.id = a.report_id ORDER BY a.seq`,
    )
    .iterate() as Iterable<Row>;
  const checkContent = (e: StoredEntry, r: Row) => {
    const d = e.details;
    // A disposed case's entries stay in the chain; what they hashed is gone, on purpose (its tombstone says so).
    if (e.reportId && disposed.has(e.reportId)) {
      (disposed.get(e.reportId) as { entries: number }).entries += 1;
      return;
    }
    const row: Row | undefined =
      r.r_id === null || r.r_id === undefined ? undefined : { id: r.r_id, reference: r.r_reference, form_json: r.r_form_json, close_reason: r.r_close_reason };
    // The report is read once an entry (its reference names it in a problem), not twice.
    const where = `entry ${e.seq} (${row ? String(row.reference) : refOf(e.reportId)})`;
    if (e.action === 'report.submitted' && e.reportId) {
      submitted.add(e.reportId);
      if (typeof d.formSha256 !== 'string') legacy.add(e.reportId);
      if (!row) content.push({ where, problem: 'the report is missing from the database' });
      else if (typeof d.formSha256 === 'string') {
        const form = opened(() => openJson<unknown>(keys, String(row.form_json), aad.form(String(row.id))));
        if (form instanceof Error) content.push({ where, problem: 'the report text does not open (altered, or moved from another report)' });
        else if (contentSha256(form) !== d.formSha256) content.push({ where, problem: 'the report text does not match its hash in the audit log (edited)' });
      }
      for (const sha of Array.isArray(d.evidenceSha256) ? d.evidenceSha256 : []) auditedEvidence.add(`${e.reportId}:${String(sha)}`);
    }
    if (e.action === 'evidence.attached' && e.reportId && typeof d.sha256 === 'string') auditedEvidence.add(`${e.reportId}:${d.sha256}`);
    // Closings, reopenings, notes and actions (migration 0008): each against its own case entry.
    const entryRow = typeof d.entry === 'string' ? (caseEntry.get({ id: d.entry }) as Row | undefined) : undefined;
    const sealedOf = (column: 'text' | 'external_ref', aadOf: (id: string) => string) => () =>
      entryRow?.[column] === null || entryRow?.[column] === undefined ? undefined : openText(keys, String(entryRow[column]), aadOf(String(entryRow.id)));
    if (typeof d.entry === 'string') {
      compare(where, 'reason or note', d.reasonSha256 ?? d.textSha256, sealedOf('text', caseEntryAad.text));
      compare(where, 'external reference', d.externalRefSha256, sealedOf('external_ref', caseEntryAad.externalRef));
    }
    // The report's own closing reason: that of its latest closing (each earlier one is in its case entry).
    if (e.action === 'report.closed' && row && (typeof d.entry !== 'string' || lastClose.get(String(row.id)) === e.seq))
      compare(where, 'closing reason', d.reasonSha256, () => (row.close_reason === null ? undefined : openText(keys, String(row.close_reason), aad.closeReason(String(row.id)))));
    const dutyRow = typeof d.duty === 'string' ? (duty.get({ id: d.duty }) as Row | undefined) : undefined;
    const result = () => (dutyRow?.result_json ? openJson<DutyResult>(keys, String(dutyRow.result_json), aad.result(String(dutyRow.id))) : undefined);
    if (e.action === 'decision.recorded') compare(where, 'decision reason', d.reasonSha256, () => result()?.reason);
    if (e.action === 'task.completed') compare(where, 'action taken', d.actionSha256, () => result()?.action);
  };
  const entries = function* (): Generator<StoredEntry> {
    for (const r of rows) {
      const e = toEntry(r);
      checkContent(e, r);
      yield e;
    }
  };
  const chain = verifyChain(entries(), log.head(), log.keyFor, anchor);
  for (const r of db.prepare('SELECT id, reference FROM reports ORDER BY rowid').all() as Row[])
    if (!submitted.has(String(r.id))) content.push({ where: `report ${String(r.reference)}`, problem: 'it is not in the audit log (the log was cut or wiped)' });

  const files = new DiskEvidenceFiles(evidenceDir, keys);
  let evidenceChecked = 0;
  const hashedOk = new Set<string>();
  for (const ev of db.prepare('SELECT report_id, sha256 FROM evidence ORDER BY rowid').all() as Row[]) {
    const sha = String(ev.sha256);
    const where = `evidence ${sha.slice(0, 12)}… (${refOf(str(ev.report_id))})`;
    if (!legacy.has(String(ev.report_id)) && !auditedEvidence.has(`${String(ev.report_id)}:${sha}`)) content.push({ where, problem: 'it is not in the audit log' });
    if (hashedOk.has(sha)) continue;
    const read = await files.read(sha).then(
      () => undefined,
      (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'the file is missing' : 'the file does not match its hash (replaced or altered)'),
    );
    evidenceChecked += 1;
    if (read) content.push({ where, problem: read });
    else hashedOk.add(sha);
  }
  return { chain, content, evidenceChecked, disposed: [...disposed.values()], ok: chain.ok && content.length === 0 };
}

/**
 * Cases disposed of under the retention rules: a tombstone (migration 0010) together with
 * the log's own "report.disposed" entry. A tombstone the log does not back is a problem
 * (it could hide a deleted report), and its entries are checked as usual.
 */
function disposedCases(db: SqliteDatabase, log: AuditLog, content: FullCheck['content']): Map<string, { reference: string; entries: number }> {
  const out = new Map<string, { reference: string; entries: number }>();
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'disposals'").get() !== undefined;
  if (!hasTable) return out;
  const logged = new Set<string>();
  for (const e of log.all()) if (e.action === 'report.disposed' && e.reportId) logged.add(e.reportId);
  for (const t of db.prepare('SELECT report_id, reference FROM disposals ORDER BY rowid').all() as Row[]) {
    const id = String(t.report_id);
    if (logged.has(id)) out.set(id, { reference: String(t.reference), entries: 0 });
    else content.push({ where: `tombstone ${String(t.reference)}`, problem: 'the case is marked disposed but the audit log has no disposal for it' });
  }
  return out;
}

export type { AuditProblem };
