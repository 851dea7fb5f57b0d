import { createHash } from 'node:crypto';
import { canonicalJson, contentSha256, genesisSeam, walkChain, type ChainSeam, type ChainWalk, type StoredEntry } from '../core/audit-chain.js';
import type { DutyResult } from '../core/ports.js';
import { AuditLog } from './audit-store.js';
import { caseEntryAad } from './case-entry-store.js';
import type { SqliteDatabase } from './database.js';
import type { Keyring } from './keyring.js';
import { aad } from './seal-existing.js';
import { openJson, openText } from './sealed.js';

/**
 * One part of `audit verify`: the entries numbered `from`…`to`, read once (each joined
 * with its report), the keyed chain walked from the part's seam and what each entry's
 * content hashes cover checked beside it. Runs in the main thread or in a worker thread
 * (audit-verify-worker.ts): its task and result are plain data.
 */
export interface SegmentTask {
  from: number;
  to: number;
  seam: ChainSeam;
  anchor?: { seq: number; hash: string } | undefined;
  /** Disposed cases (id → reference): their entries are counted, not content-checked. */
  disposed: [string, string][];
}

export interface SegmentResult {
  walk: ChainWalk;
  content: { where: string; problem: string }[];
  /** Reports with a "report.submitted" entry in this part; those logged before content hashes; evidence the part mentions. */
  submitted: string[];
  legacy: string[];
  auditedEvidence: string[];
  disposedEntries: [string, number][];
}

type Row = Record<string, unknown>;
// The columns of the segment's query, in order (rows are read as arrays: a million objects fewer).
const columns = `a.seq, a.at, a.actor, a.action, a.report_id, a.details_json, a.prev_hash, a.hash, a.key_id,
  r.id, r.reference, r.form_json, r.close_reason`;
type RawRow = [number, string, string, string, string | null, string, string, string, number | null, string | null, string | null, string | null, string | null];
const toEntry = (r: RawRow): StoredEntry => ({
  seq: Number(r[0]),
  at: String(r[1]),
  actor: String(r[2]),
  action: String(r[3]),
  reportId: r[4] === null || r[4] === undefined ? undefined : String(r[4]),
  details: JSON.parse(String(r[5])) as Record<string, unknown>,
  prevHash: String(r[6]),
  hash: String(r[7]),
  keyId: r[8] === null || r[8] === undefined ? undefined : Number(r[8]),
});

/** contentSha256 of a value just parsed from JSON (no copy through JSON first: parsed JSON is already plain). */
function parsedSha256(value: unknown): string {
  if (typeof value === 'string') return contentSha256(value);
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

/** Where a part starting at entry `from` begins: the stored entry before it, whether any entry before is keyed, and (if none is) how many there are. */
export function seamBefore(db: SqliteDatabase, from: number): ChainSeam {
  const prev = db.prepare('SELECT seq, hash FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1').get(from) as { seq: number; hash: string } | undefined;
  if (!prev) return genesisSeam;
  const keyedSeen = db.prepare('SELECT 1 FROM audit_log WHERE seq < ? AND key_id IS NOT NULL LIMIT 1').get(from) !== undefined;
  // The count matters only while no entry is keyed (the "audit.keyed" seal names it); after one, it is not read.
  const unkeyedBefore = keyedSeen ? 0 : Number(db.prepare('SELECT COUNT(*) FROM audit_log WHERE seq < ?').pluck().get(from));
  return { prevHash: String(prev.hash), expectedSeq: Number(prev.seq) + 1, keyedSeen, unkeyedBefore };
}

export function checkSegment(db: SqliteDatabase, keys: Keyring, task: SegmentTask): SegmentResult {
  const log = new AuditLog(db, keys);
  const content: SegmentResult['content'] = [];
  const report = db.prepare('SELECT id, reference FROM reports WHERE id = @id');
  const duty = db.prepare('SELECT id, result_json FROM duties WHERE id = @id');
  const caseEntry = db.prepare('SELECT id, text, external_ref FROM case_entries WHERE id = @id');
  const lastCloseOf = db.prepare(`SELECT MAX(seq) FROM audit_log WHERE report_id = ? AND action = 'report.closed'`).pluck();
  const refOf = (id: string | undefined) => String((id && (report.get({ id }) as Row | undefined)?.reference) ?? id ?? '?');
  const opened = <T>(fn: () => T): T | Error => {
    try {
      return fn();
    } catch (err) {
      return err as Error;
    }
  };
  const compare = (where: () => string, what: string, expected: unknown, actual: () => string | undefined) => {
    if (typeof expected !== 'string') return;
    const value = opened(actual);
    if (value instanceof Error) content.push({ where: where(), problem: `the ${what} does not open (altered, or moved from another row)` });
    else if (value === undefined) content.push({ where: where(), problem: `the ${what} is missing` });
    else if (contentSha256(value) !== expected) content.push({ where: where(), problem: `the ${what} does not match its hash in the audit log (edited)` });
  };
  const disposed = new Map(task.disposed.map(([id]) => [id, 0]));
  const submitted: string[] = [];
  const legacy: string[] = [];
  const auditedEvidence: string[] = [];

  const checkContent = (e: StoredEntry, r: RawRow) => {
    const d = e.details;
    // A disposed case's entries stay in the chain; what they hashed is gone, on purpose (its tombstone says so).
    if (e.reportId && disposed.has(e.reportId)) {
      disposed.set(e.reportId, (disposed.get(e.reportId) as number) + 1);
      return;
    }
    const row: Row | undefined = r[9] === null || r[9] === undefined ? undefined : { id: r[9], reference: r[10], form_json: r[11], close_reason: r[12] };
    // Named only when something is wrong (most entries have nothing to say).
    let named: string | undefined;
    const where = () => (named ??= `entry ${e.seq} (${row ? String(row.reference) : refOf(e.reportId)})`);
    if (e.action === 'report.submitted' && e.reportId) {
      submitted.push(e.reportId);
      if (typeof d.formSha256 !== 'string') legacy.push(e.reportId);
      if (!row) content.push({ where: where(), problem: 'the report is missing from the database' });
      else if (typeof d.formSha256 === 'string') {
        const form = opened(() => JSON.parse(openText(keys, String(row.form_json), aad.form(String(row.id)))) as unknown);
        if (form instanceof Error) content.push({ where: where(), problem: 'the report text does not open (altered, or moved from another report)' });
        else if (parsedSha256(form) !== d.formSha256) content.push({ where: where(), problem: 'the report text does not match its hash in the audit log (edited)' });
      }
      for (const sha of Array.isArray(d.evidenceSha256) ? d.evidenceSha256 : []) auditedEvidence.push(`${e.reportId}:${String(sha)}`);
    }
    if (e.action === 'evidence.attached' && e.reportId && typeof d.sha256 === 'string') auditedEvidence.push(`${e.reportId}:${d.sha256}`);
    // Closings, reopenings, notes and actions (migration 0008): each against its own case entry.
    if (typeof d.entry === 'string') {
      const entryRow = caseEntry.get({ id: d.entry }) as Row | undefined;
      const sealedOf = (column: 'text' | 'external_ref', aadOf: (id: string) => string) => () =>
        entryRow?.[column] === null || entryRow?.[column] === undefined ? undefined : openText(keys, String(entryRow[column]), aadOf(String(entryRow.id)));
      compare(where, 'reason or note', d.reasonSha256 ?? d.textSha256, sealedOf('text', caseEntryAad.text));
      compare(where, 'external reference', d.externalRefSha256, sealedOf('external_ref', caseEntryAad.externalRef));
    }
    // The report's own closing reason: that of its latest closing (each earlier one is in its case entry).
    if (e.action === 'report.closed' && row && (typeof d.entry !== 'string' || Number(lastCloseOf.get(String(row.id))) === e.seq))
      compare(where, 'closing reason', d.reasonSha256, () => (row.close_reason === null ? undefined : openText(keys, String(row.close_reason), aad.closeReason(String(row.id)))));
    if (typeof d.duty === 'string' && (e.action === 'decision.recorded' || e.action === 'task.completed')) {
      const dutyRow = duty.get({ id: d.duty }) as Row | undefined;
      const result = () => (dutyRow?.result_json ? openJson<DutyResult>(keys, String(dutyRow.result_json), aad.result(String(dutyRow.id))) : undefined);
      if (e.action === 'decision.recorded') compare(where, 'decision reason', d.reasonSha256, () => result()?.reason);
      else compare(where, 'action taken', d.actionSha256, () => result()?.action);
    }
  };

  const rows = db
    .prepare(`SELECT ${columns} FROM audit_log a LEFT JOIN reports r ON r.id = a.report_id WHERE a.seq BETWEEN @from AND @to ORDER BY a.seq`)
    .raw(true)
    .iterate({ from: task.from, to: task.to }) as Iterable<RawRow>;
  const entries = function* (): Generator<StoredEntry> {
    for (const r of rows) {
      const e = toEntry(r);
      checkContent(e, r);
      yield e;
    }
  };
  const walk = walkChain(entries(), log.keyFor, task.anchor, task.seam);
  return { walk, content, submitted, legacy, auditedEvidence, disposedEntries: [...disposed] };
}
