import { rm } from 'node:fs/promises';
import { contentSha256 } from '../core/audit-chain.js';
import { DomainError } from '../core/errors.js';
import type { DeliveryChannel, OutboxItem } from '../core/ports.js';
import { dateOfBirth as dateOfBirthSchema, kindLabels, type ReportKind } from '../core/report-schemas.js';
import { dateOfBirthOf, disposalRefusal, requireDsl, requireReason, reviewDate } from '../core/retention.js';
import type { Directory } from '../core/school.js';
import { newReceiptCode, normaliseReceiptCode, transferDueAt, transferNeedsReminder } from '../core/transfer.js';
import { localDate } from '../core/working-time.js';
import { AuditLog } from './audit-store.js';
import { durableTransaction, type SqliteDatabase } from './database.js';
import { DiskEvidenceFiles } from './evidence-files.js';
import type { Keyring } from './keyring.js';
import { openText, sealText } from './sealed.js';
import { queueTombstoneCards, tombstoneType } from './disposal-cards.js';
import { SqliteStore } from './sqlite-store.js';

type Row = Record<string, unknown>;
const channelWords: Record<DeliveryChannel, string> = { slack: 'Slack', teams: 'Microsoft Teams', sandbox: 'the sandbox' };
const opt = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
const reasonAad = {
  hold: (id: string) => `legal_holds.reason:${id}`,
  disposal: (id: string) => `disposals.reason:${id}`,
  dateOfBirth: (id: string) => `case_dates_of_birth.date_of_birth:${id}`,
};

export interface RetentionRow {
  reportId: string;
  reference: string;
  kind: string;
  status: 'open' | 'acknowledged' | 'closed';
  submittedAt: string;
  closedAt?: string | undefined;
  reviewDate: string;
  basis: 'date_of_birth' | 'school_rule';
  held: boolean;
  /** The pupil's date of birth ("YYYY-MM-DD"): as the DSL set it, else as the form gave it. */
  dateOfBirth?: string | undefined;
  dateOfBirthFrom?: 'form' | 'dsl' | undefined;
}

export interface TransferRecord {
  code: string;
  reportIds: string[];
  /** The cases' references (a disposed case's from its tombstone). */
  references: string[];
  toSchool: string;
  createdBy: string;
  createdAt: string;
  dueAt: string;
  confirmedAt?: string | undefined;
  confirmedBy?: string | undefined;
}

export interface Tombstone {
  reportId: string;
  reference: string;
  kind: string;
  submittedAt: string;
  closedAt?: string | undefined;
  reviewDate: string;
  disposedAt: string;
  disposedBy: string;
  reason: string;
}

/**
 * Retention, legal holds, disposal and transfers (issue 14, item 7; migration 0010).
 * Every change is audited; audit entries carry ids, references and content hashes only.
 */
export class CaseRetentionStore {
  private readonly store: SqliteStore;
  private readonly audit: AuditLog;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly keys: Keyring,
    private readonly directory: Directory,
    private readonly evidenceDir: string,
    /** The channels the bot runs: each person told is told on those they are reachable on. */
    private readonly channels: readonly DeliveryChannel[] = [],
  ) {
    this.store = new SqliteStore(db, keys);
    this.audit = new AuditLog(db, keys);
  }

  /** Queues a "retention.notice" to each person on each running channel that reaches them (inside the caller's transaction). */
  private tell(personIds: string[], key: string, payload: Record<string, unknown>, now: Date): void {
    for (const personId of [...new Set(personIds)]) {
      const person = this.directory.get(personId);
      for (const channel of this.channels.filter((c) => c === 'sandbox' || (c === 'slack' && person?.slack) || (c === 'teams' && person?.teams)))
        this.store.enqueue({ dedupeKey: `${key}:${channel}:${personId}`, channel, recipientType: 'person', recipientId: personId, messageType: 'retention.notice', payload }, now);
    }
  }

  private today(now: Date): string {
    return localDate(now, this.directory.timeZone);
  }

  private row(reference: string): RetentionRow {
    const report = this.store.findReportByReference(reference.trim());
    if (!report) throw new DomainError('NOT_FOUND', 'no case has that reference');
    const r = this.db.prepare('SELECT closed_at FROM reports WHERE id = @id').get({ id: report.id }) as Row;
    const set = this.db.prepare('SELECT date_of_birth FROM case_dates_of_birth WHERE report_id = @id').get({ id: report.id }) as Row | undefined;
    const fromDsl = set ? openText(this.keys, String(set.date_of_birth), reasonAad.dateOfBirth(report.id)) : undefined;
    const dob = fromDsl ?? dateOfBirthOf(report.form);
    const review = reviewDate({ submittedAt: report.submittedAt, dateOfBirth: dob }, this.directory.retention.defaultYears);
    const held = this.db.prepare('SELECT 1 FROM legal_holds WHERE report_id = @id').get({ id: report.id }) !== undefined;
    return {
      reportId: report.id,
      reference: report.reference,
      kind: report.kind,
      status: report.status,
      submittedAt: report.submittedAt,
      closedAt: opt(r.closed_at),
      reviewDate: review.date,
      basis: review.basis,
      held,
      dateOfBirth: dob,
      dateOfBirthFrom: fromDsl ? 'dsl' : dob ? 'form' : undefined,
    };
  }

  /** Every case whose review date has come (today or before), oldest first; held and open cases are listed and marked. */
  due(now: Date): RetentionRow[] {
    return this.dueBy(this.today(now));
  }

  /** What is due by a date ("YYYY-MM-DD"). */
  dueBy(today: string): RetentionRow[] {
    const refs = this.db.prepare('SELECT reference FROM reports ORDER BY submitted_at, rowid').all() as Row[];
    return refs.map((r) => this.row(String(r.reference))).filter((r) => r.reviewDate <= today);
  }

  review(reference: string): RetentionRow {
    return this.row(reference);
  }

  setHold(reference: string, by: string, reason: string | undefined, now: Date): void {
    requireDsl(this.directory.rolesOf(by));
    const text = requireReason(reason);
    const c = this.row(reference);
    if (c.held) throw new DomainError('ALREADY_DONE', 'the case is already under a legal hold');
    durableTransaction(this.db, () => {
      this.db
        .prepare('INSERT INTO legal_holds (report_id, reason, set_by, set_at) VALUES (@id, @reason, @by, @at)')
        .run({ id: c.reportId, reason: sealText(this.keys, text, reasonAad.hold(c.reportId)), by, at: now.toISOString() });
      this.audit.append({ at: now.toISOString(), actor: by, action: 'retention.hold_set', reportId: c.reportId, details: { reference: c.reference, reasonSha256: contentSha256(text) } });
    });
  }

  liftHold(reference: string, by: string, reason: string | undefined, now: Date): void {
    requireDsl(this.directory.rolesOf(by));
    const text = requireReason(reason);
    const c = this.row(reference);
    if (!c.held) throw new DomainError('ALREADY_DONE', 'the case is not under a legal hold');
    durableTransaction(this.db, () => {
      this.db.prepare('DELETE FROM legal_holds WHERE report_id = @id').run({ id: c.reportId });
      this.audit.append({ at: now.toISOString(), actor: by, action: 'retention.hold_lifted', reportId: c.reportId, details: { reference: c.reference, reasonSha256: contentSha256(text) } });
    });
  }

  /**
   * The DSL sets or corrects the pupil's date of birth (sealed), and the review date
   * follows it (the pupil's 25th birthday); audited with the new review date, never the
   * birth date itself. Checked as the form checks it, on the day the case was reported.
   */
  setDateOfBirth(reference: string, date: string, by: string, now: Date): RetentionRow {
    requireDsl(this.directory.rolesOf(by));
    const c = this.row(reference);
    const parsed = dateOfBirthSchema(localDate(new Date(c.submittedAt), this.directory.timeZone)).safeParse(date);
    if (!parsed.success)
      throw new DomainError('VALIDATION_FAILED', 'not a date of birth', [{ path: 'dateOfBirth', message: parsed.error.issues[0]?.message ?? 'Please give the date of birth.' }]);
    if (parsed.data === c.dateOfBirth && c.dateOfBirthFrom === 'dsl') throw new DomainError('ALREADY_DONE', 'that date of birth is already recorded');
    durableTransaction(this.db, () => {
      this.db
        .prepare(
          `INSERT INTO case_dates_of_birth (report_id, date_of_birth, set_by, set_at) VALUES (@id, @dob, @by, @at)
           ON CONFLICT (report_id) DO UPDATE SET date_of_birth = excluded.date_of_birth, set_by = excluded.set_by, set_at = excluded.set_at`,
        )
        .run({ id: c.reportId, dob: sealText(this.keys, parsed.data, reasonAad.dateOfBirth(c.reportId)), by, at: now.toISOString() });
      const after = this.row(c.reference);
      this.audit.append({
        at: now.toISOString(),
        actor: by,
        action: 'retention.date_of_birth_set',
        reportId: c.reportId,
        details: { reference: c.reference, corrected: c.dateOfBirth !== undefined, reviewDateBefore: c.reviewDate, reviewDate: after.reviewDate },
      });
    });
    return this.row(c.reference);
  }

  holdReason(reference: string): string | undefined {
    const c = this.row(reference);
    const r = this.db.prepare('SELECT reason FROM legal_holds WHERE report_id = @id').get({ id: c.reportId }) as Row | undefined;
    return r ? openText(this.keys, String(r.reason), reasonAad.hold(c.reportId)) : undefined;
  }

  /**
   * Removes the case's rows (report, duties, timers, evidence records, case entries,
   * messages and their references) in one transaction that first writes the tombstone and
   * the audit entry "report.disposed", then deletes evidence files no other case holds.
   * The audit log keeps its entries: `audit verify` reports them as disposed.
   */
  async dispose(reference: string, by: string, reason: string | undefined, now: Date): Promise<Tombstone> {
    requireDsl(this.directory.rolesOf(by));
    const text = requireReason(reason);
    const c = this.row(reference);
    const refusal = disposalRefusal({ status: c.status, reviewDate: c.reviewDate, held: c.held }, this.today(now));
    if (refusal) throw refusal;
    const id = c.reportId;
    const at = now.toISOString();
    const shas = durableTransaction(this.db, () => {
      this.db
        .prepare(
          `INSERT INTO disposals (report_id, reference, kind, submitted_at, closed_at, review_date, disposed_at, disposed_by, reason)
           VALUES (@id, @reference, @kind, @submittedAt, @closedAt, @reviewDate, @at, @by, @reason)`,
        )
        .run({ id, reference: c.reference, kind: c.kind, submittedAt: c.submittedAt, closedAt: c.closedAt ?? null, reviewDate: c.reviewDate, at, by, reason: sealText(this.keys, text, reasonAad.disposal(id)) });
      const evidence = (this.db.prepare('SELECT sha256 FROM evidence WHERE report_id = @id').all({ id }) as Row[]).map((r) => String(r.sha256));
      const del = (sql: string) => this.db.prepare(sql).run({ id });
      del('DELETE FROM outbox_attempts WHERE outbox_id IN (SELECT id FROM outbox WHERE report_id = @id)');
      // Every card already delivered about the case becomes a tombstone, through the outbox (issue 14, item 7).
      const cards = queueTombstoneCards(this.db, this.store, { reportId: id, reference: c.reference, disposedOn: this.today(now), disposedBy: this.directory.displayName(by) }, now);
      for (const table of ['outbox', 'message_refs', 'upload_targets', 'slack_pending_files', 'dsl_digest', 'timers', 'evidence', 'case_entries', 'case_dates_of_birth', 'duties'])
        del(`DELETE FROM ${table} WHERE report_id = @id`);
      del('DELETE FROM reports WHERE id = @id');
      this.audit.append({
        at,
        actor: by,
        action: 'report.disposed',
        reportId: id,
        details: { reference: c.reference, kind: c.kind, reviewDate: c.reviewDate, evidenceFiles: evidence.length, chatCards: cards, reasonSha256: contentSha256(text) },
      });
      const dslAndHead = [...this.directory.withRole('dsl'), ...this.directory.withRole('headteacher')].map((p) => p.id);
      this.tell(dslAndHead, `retention-disposed:${id}`, {
        event: 'disposed',
        reference: c.reference,
        kindLabel: kindLabels[c.kind as ReportKind] ?? c.kind,
        reviewDate: c.reviewDate,
        disposedBy: this.directory.displayName(by),
        disposedAt: at,
      }, now);
      const stillUsed = this.db.prepare('SELECT 1 FROM evidence WHERE sha256 = @sha LIMIT 1');
      return evidence.filter((sha) => stillUsed.get({ sha }) === undefined);
    });
    const files = new DiskEvidenceFiles(this.evidenceDir, this.keys);
    for (const sha of shas) await rm(files.pathOf(sha), { force: true });
    return { ...this.tombstone(c.reference)! };
  }

  private tombstoneOf(reportId: string): string | undefined {
    return opt((this.db.prepare('SELECT reference FROM disposals WHERE report_id = @reportId').get({ reportId }) as Row | undefined)?.reference);
  }

  tombstone(reference: string): Tombstone | undefined {
    const r = this.db.prepare('SELECT * FROM disposals WHERE reference = @reference').get({ reference: reference.trim() }) as Row | undefined;
    if (!r) return undefined;
    const id = String(r.report_id);
    return {
      reportId: id,
      reference: String(r.reference),
      kind: String(r.kind),
      submittedAt: String(r.submitted_at),
      closedAt: opt(r.closed_at),
      reviewDate: String(r.review_date),
      disposedAt: String(r.disposed_at),
      disposedBy: String(r.disposed_by),
      reason: openText(this.keys, String(r.reason), reasonAad.disposal(id)),
    };
  }

  /** Records a transfer of a pupil's cases to their next school; the receipt is due in five school days. */
  recordTransfer(references: string[], toSchool: string, by: string, now: Date): { code: string; dueAt: string } {
    requireDsl(this.directory.rolesOf(by));
    const school = toSchool.trim();
    if (!school || school.length > 200)
      throw new DomainError('VALIDATION_FAILED', 'the receiving school is missing or too long', [{ path: 'toSchool', message: school ? 'At most 200 characters.' : "Please give the receiving school's name." }]);
    if (references.length === 0) throw new DomainError('VALIDATION_FAILED', 'no cases to transfer', [{ path: 'cases', message: 'Please choose at least one case.' }]);
    const ids = [...new Set(references.map((ref) => this.row(ref).reportId))];
    const code = newReceiptCode();
    const dueAt = transferDueAt(now, this.directory.workingHours, this.directory.timeZone).toISOString();
    durableTransaction(this.db, () => {
      this.db
        .prepare('INSERT INTO transfers (code, report_ids, to_school, created_by, created_at, due_at) VALUES (@code, @ids, @school, @by, @at, @dueAt)')
        .run({ code, ids: JSON.stringify(ids), school: sealText(this.keys, school, `transfers.to_school:${code}`), by, at: now.toISOString(), dueAt });
      for (const id of ids) this.audit.append({ at: now.toISOString(), actor: by, action: 'transfer.sent', reportId: id, details: { code, dueAt, cases: ids.length } });
    });
    return { code, dueAt };
  }

  /** A transfer by its receipt code, or nothing. */
  transfer(code: string): TransferRecord | undefined {
    const t = this.db.prepare('SELECT * FROM transfers WHERE code = @c').get({ c: normaliseReceiptCode(code) }) as Row | undefined;
    return t ? this.transferOf(t) : undefined;
  }

  /** The transfers a case went in, newest first. */
  transfersOf(reportId: string): TransferRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM transfers WHERE EXISTS (SELECT 1 FROM json_each(transfers.report_ids) WHERE value = @reportId) ORDER BY created_at DESC, code')
      .all({ reportId }) as Row[];
    return rows.map((t) => this.transferOf(t));
  }

  private transferOf(t: Row): TransferRecord {
    const code = String(t.code);
    const reportIds = JSON.parse(String(t.report_ids)) as string[];
    return {
      code,
      reportIds,
      references: reportIds.map((rid) => this.store.getReport(rid)?.reference ?? this.tombstoneOf(rid) ?? rid),
      toSchool: openText(this.keys, String(t.to_school), `transfers.to_school:${code}`),
      createdBy: String(t.created_by),
      createdAt: String(t.created_at),
      dueAt: String(t.due_at),
      confirmedAt: opt(t.confirmed_at),
      confirmedBy: opt(t.confirmed_by),
    };
  }

  /** The receiving school's receipt: by the code it was given. */
  confirmTransfer(code: string, by: string, now: Date): void {
    const c = normaliseReceiptCode(code);
    const t = this.db.prepare('SELECT * FROM transfers WHERE code = @c').get({ c }) as Row | undefined;
    if (!t) throw new DomainError('NOT_FOUND', 'no transfer has that receipt code');
    if (t.confirmed_at) throw new DomainError('ALREADY_DONE', 'the receipt was already confirmed');
    durableTransaction(this.db, () => {
      this.db.prepare('UPDATE transfers SET confirmed_at = @at, confirmed_by = @by WHERE code = @c').run({ c, at: now.toISOString(), by });
      for (const id of JSON.parse(String(t.report_ids)) as string[])
        this.audit.append({ at: now.toISOString(), actor: by, action: 'transfer.confirmed', reportId: id, details: { code: c } });
    });
  }

  /**
   * A disposed case's card that could not be replaced by its tombstone (a permanent
   * delivery failure): recorded in the audit log, and the DSL and headteacher are told
   * where it is, so they can delete it by hand. Never silent.
   */
  tombstoneNotDelivered(item: Pick<OutboxItem, 'id' | 'channel' | 'recipientType' | 'recipientId' | 'payload'>, code: string, now: Date): void {
    const reference = String(item.payload.reference ?? '');
    const person = item.recipientId.replace(/^(slack|teams|sandbox):/, '');
    const failedWhere = item.recipientType === 'dsl_channel' ? 'the DSL channel' : `${this.directory.displayName(person)}'s chat with the bot`;
    durableTransaction(this.db, () => {
      this.audit.append({
        at: now.toISOString(),
        actor: 'system',
        action: 'delivery.failed',
        // On the disposed case's own line of the log (audit verify counts it with the case's other entries).
        ...(typeof item.payload.disposedReportId === 'string' ? { reportId: item.payload.disposedReportId } : {}),
        details: { outbox: item.id, channel: item.channel, type: tombstoneType, reference, to: item.recipientType === 'dsl_channel' ? 'dsl_channel' : item.recipientId, code },
      });
      const dslAndHead = [...this.directory.withRole('dsl'), ...this.directory.withRole('headteacher')].map((p) => p.id);
      // Once per chat the case's cards are in (a person's DMs may hold several).
      this.tell(dslAndHead, `tombstone-failed:${reference}:${item.channel}:${item.recipientId}`, { event: 'tombstone_failed', reference, failedWhere, failedChannel: channelWords[item.channel], failedCode: code }, now);
    });
  }

  /** Transfers past their deadline and unconfirmed, not yet reminded: marked reminded (audited) and returned for the DSL's reminder. */
  takeOverdueTransfers(now: Date): { code: string; dueAt: string; reportIds: string[] }[] {
    const rows = this.db.prepare('SELECT * FROM transfers WHERE confirmed_at IS NULL AND reminded_at IS NULL ORDER BY due_at').all() as Row[];
    const due = rows.filter((t) => transferNeedsReminder({ dueAt: String(t.due_at) }, now));
    return durableTransaction(this.db, () =>
      due.map((t) => {
        const code = String(t.code);
        const reportIds = JSON.parse(String(t.report_ids)) as string[];
        this.db.prepare('UPDATE transfers SET reminded_at = @at WHERE code = @code').run({ code, at: now.toISOString() });
        for (const id of reportIds) this.audit.append({ at: now.toISOString(), actor: 'system', action: 'transfer.overdue', reportId: id, details: { code } });
        const references = reportIds.map((rid) => this.store.getReport(rid)?.reference ?? this.tombstoneOf(rid) ?? rid);
        this.tell(this.directory.withRole('dsl').map((p) => p.id), `transfer-overdue:${code}`, { event: 'transfer_overdue', code, references, dueAt: String(t.due_at) }, now);
        return { code, dueAt: String(t.due_at), reportIds };
      }),
    );
  }
}
