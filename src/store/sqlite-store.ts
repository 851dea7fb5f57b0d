import type { ChainCheck } from '../core/audit-chain.js';
import type {
  AuditEntry,
  AuditInput,
  CaseEntryRecord,
  DutyRecord,
  EvidenceRecord,
  OpenCase,
  OutboxInput,
  ReportRecord,
  TimerRecord,
  WorkflowStore,
} from '../core/ports.js';
import { AuditLog } from './audit-store.js';
import { CaseEntryStore } from './case-entry-store.js';
import type { SqliteDatabase } from './database.js';
import { groupCommitFor, type GroupCommit } from './group-commit.js';
import type { Keyring } from './keyring.js';
import { DigestStore } from './digest-store.js';
import { OutboxStore, type OutboxRow } from './outbox-store.js';
import { QueueReads } from './queue-reads.js';
import { aad, sealExisting } from './seal-existing.js';
import { openJson, openText, sealJson, sealText } from './sealed.js';

type Row = Record<string, unknown>;

const json = (value: unknown): string => JSON.stringify(value ?? null);
const parse = <T>(value: unknown): T => JSON.parse(String(value)) as T;
const opt = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

function toReport(keys: Keyring, r: Row): ReportRecord {
  const id = String(r.id);
  return {
    id: String(r.id),
    reference: String(r.reference),
    kind: r.kind as ReportRecord['kind'],
    status: r.status as ReportRecord['status'],
    urgent: r.urgent === 1,
    reporterId: String(r.reporter_id),
    submittedAt: String(r.submitted_at),
    form: openJson(keys, String(r.form_json), aad.form(id)),
    routing: openJson(keys, String(r.routing_json), aad.routing(id)),
    acknowledgedAt: opt(r.acknowledged_at),
    closedAt: opt(r.closed_at),
    closedBy: opt(r.closed_by),
    outcome: opt(r.outcome),
    closeReason: r.close_reason === null || r.close_reason === undefined ? undefined : openText(keys, String(r.close_reason), aad.closeReason(id)),
  };
}

function toDuty(keys: Keyring, r: Row): DutyRecord {
  const spec = openJson<Pick<DutyRecord, 'question' | 'choices' | 'urls'>>(keys, String(r.spec_json), aad.spec(String(r.id)));
  return {
    id: String(r.id),
    reportId: String(r.report_id),
    type: r.type as DutyRecord['type'],
    rules: parse(r.rules_json),
    nominalRole: r.nominal_role as DutyRecord['nominalRole'],
    levels: parse(r.levels_json),
    reach: Number(r.reach),
    via: r.via as DutyRecord['via'],
    question: spec.question,
    choices: spec.choices,
    urls: spec.urls,
    status: r.status as DutyRecord['status'],
    doneBy: opt(r.done_by),
    doneAt: opt(r.done_at),
    result: r.result_json ? openJson(keys, String(r.result_json), aad.result(String(r.id))) : undefined,
    createdAt: String(r.created_at),
  };
}

function toEvidence(keys: Keyring, r: Row): EvidenceRecord {
  return {
    id: String(r.id),
    reportId: String(r.report_id),
    sha256: String(r.sha256),
    size: Number(r.size),
    mediaType: String(r.media_type),
    fileName: r.file_name === null || r.file_name === undefined ? undefined : openText(keys, String(r.file_name), aad.fileName(String(r.id))),
    takenAt: opt(r.taken_at),
    postedAt: opt(r.posted_at),
    addedBy: String(r.added_by),
    addedAt: String(r.added_at),
  };
}

/**
 * The SQLite implementation of core's storage port, plus the outbox and audit reads.
 * Report text, close reasons, decision reasons and actions, and evidence file names are
 * sealed with the keyring (AES-256-GCM); the audit log is keyed (see AuditLog).
 */
export class SqliteStore implements WorkflowStore {
  readonly db: SqliteDatabase;
  readonly audit: AuditLog;
  /** The outbox's rows, claims and attempts (its SQL lives in outbox-store.ts); payloads sealed with the keyring. */
  readonly outbox: OutboxStore;
  /** DSL-channel posts held back during a flood (its SQL lives in digest-store.ts). */
  private readonly digest: DigestStore;
  private readonly s;
  private readonly cases: CaseEntryStore;
  private readonly queue: QueueReads;
  private readonly commits: GroupCommit;

  constructor(
    db: SqliteDatabase,
    readonly keys: Keyring,
  ) {
    this.db = db;
    this.audit = new AuditLog(db, keys);
    this.outbox = new OutboxStore(db, keys);
    this.digest = new DigestStore(db);
    this.cases = new CaseEntryStore(db, keys);
    this.queue = new QueueReads(db, keys);
    this.commits = groupCommitFor(db);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      counterNext: p(
        `INSERT INTO reference_counters (year, last) VALUES (@year, 1)
         ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last`,
      ),
      insertReport: p(
        `INSERT INTO reports (id, reference, kind, status, urgent, reporter_id, submitted_at, form_json, routing_json)
         VALUES (@id, @reference, @kind, @status, @urgent, @reporterId, @submittedAt, @form, @routing)`,
      ),
      getReport: p('SELECT * FROM reports WHERE id = @id'),
      getReportByRef: p('SELECT * FROM reports WHERE reference = @reference'),
      updateReport: p(
        `UPDATE reports SET status = coalesce(@status, status), acknowledged_at = coalesce(@acknowledgedAt, acknowledged_at),
           closed_at = coalesce(@closedAt, closed_at), closed_by = coalesce(@closedBy, closed_by),
           outcome = coalesce(@outcome, outcome), close_reason = coalesce(@closeReason, close_reason)
         WHERE id = @id`,
      ),
      reportsByReporter: p('SELECT * FROM reports WHERE reporter_id = @reporterId ORDER BY submitted_at DESC, reference DESC'),
      reportsNotClosed: p(`SELECT * FROM reports WHERE status <> 'closed' ORDER BY submitted_at, reference`),
      insertDuty: p(
        `INSERT INTO duties (id, report_id, type, rules_json, nominal_role, levels_json, reach, via, spec_json, status, created_at)
         VALUES (@id, @reportId, @type, @rules, @nominalRole, @levels, @reach, @via, @spec, @status, @createdAt)`,
      ),
      getDuty: p('SELECT * FROM duties WHERE id = @id'),
      listDuties: p('SELECT * FROM duties WHERE report_id = @reportId ORDER BY rowid'),
      updateDuty: p(
        `UPDATE duties SET reach = coalesce(@reach, reach), status = coalesce(@status, status),
           done_by = coalesce(@doneBy, done_by), done_at = coalesce(@doneAt, done_at),
           result_json = coalesce(@result, result_json)
         WHERE id = @id`,
      ),
      insertEvidence: p(
        `INSERT INTO evidence (id, report_id, sha256, size, media_type, file_name, taken_at, posted_at, added_by, added_at)
         VALUES (@id, @reportId, @sha256, @size, @mediaType, @fileName, @takenAt, @postedAt, @addedBy, @addedAt)
         ON CONFLICT (report_id, sha256) DO NOTHING`,
      ),
      listEvidence: p('SELECT * FROM evidence WHERE report_id = @reportId ORDER BY rowid'),
      reportsSince: p('SELECT COUNT(*) AS n FROM reports WHERE reporter_id = @reporterId AND submitted_at >= @since'),
      scheduleTimer: p(
        `INSERT INTO timers (token, report_id, duty_id, kind, due_at, status, created_at)
         VALUES (@token, @reportId, @dutyId, @kind, @dueAt, 'pending', @createdAt)`,
      ),
      dueTimers: p(
        `SELECT token, report_id, duty_id, kind, due_at FROM timers
         WHERE status = 'pending' AND due_at <= @now ORDER BY due_at, rowid LIMIT @limit`,
      ),
      nextTimer: p(
        `SELECT token, report_id, duty_id, kind, due_at FROM timers
         WHERE report_id = @reportId AND status = 'pending' ORDER BY due_at, rowid LIMIT 1`,
      ),
      finishTimer: p(`UPDATE timers SET status = @status, fired_at = @at WHERE token = @token AND status = 'pending'`),
      cancelDutyTimers: p(`UPDATE timers SET status = 'cancelled', fired_at = @at WHERE duty_id = @dutyId AND status = 'pending'`),
      getIdem: p('SELECT result_json FROM idempotency_keys WHERE key = @key'),
      putIdem: p('INSERT INTO idempotency_keys (key, result_json, created_at) VALUES (@key, @result, @at) ON CONFLICT (key) DO NOTHING'),
    };
  }

  /**
   * A workflow step: committed durably before the caller answers anyone: with FULL, or,
   * inside a request that waits for the disk before it answers (group-commit.ts), with
   * that request's shared fsync.
   */
  transaction<T>(fn: () => T): T {
    return this.commits.transaction(fn);
  }

  nextReferenceNumber(year: number): number {
    return Number((this.s.counterNext.get({ year }) as Row).last);
  }

  insertReport(r: ReportRecord): void {
    this.s.insertReport.run({
      id: r.id,
      reference: r.reference,
      kind: r.kind,
      status: r.status,
      urgent: r.urgent ? 1 : 0,
      reporterId: r.reporterId,
      submittedAt: r.submittedAt,
      form: sealJson(this.keys, r.form, aad.form(r.id)),
      routing: sealJson(this.keys, r.routing, aad.routing(r.id)),
    });
  }

  getReport(id: string): ReportRecord | undefined {
    const row = this.s.getReport.get({ id }) as Row | undefined;
    return row ? toReport(this.keys, row) : undefined;
  }

  findReportByReference(reference: string): ReportRecord | undefined {
    const row = this.s.getReportByRef.get({ reference }) as Row | undefined;
    return row ? toReport(this.keys, row) : undefined;
  }

  updateReport(id: string, patch: Parameters<WorkflowStore['updateReport']>[1]): void {
    this.s.updateReport.run({
      id,
      status: patch.status ?? null,
      acknowledgedAt: patch.acknowledgedAt ?? null,
      closedAt: patch.closedAt ?? null,
      closedBy: patch.closedBy ?? null,
      outcome: patch.outcome ?? null,
      closeReason: patch.closeReason === undefined ? null : sealText(this.keys, patch.closeReason, aad.closeReason(id)),
    });
  }

  listReportsByReporter(reporterId: string): ReportRecord[] {
    return (this.s.reportsByReporter.all({ reporterId }) as Row[]).map((r) => toReport(this.keys, r));
  }

  listReportsNotClosed(): ReportRecord[] {
    return (this.s.reportsNotClosed.all() as Row[]).map((r) => toReport(this.keys, r));
  }

  listOpenCases(page: { after?: string | undefined; limit: number }): OpenCase[] {
    return this.queue.openCases(page);
  }

  listReceipts(reporterId: string, limit: number): ReturnType<QueueReads['receipts']> {
    return this.queue.receipts(reporterId, limit);
  }

  insertDuty(d: DutyRecord): void {
    this.s.insertDuty.run({
      id: d.id,
      reportId: d.reportId,
      type: d.type,
      rules: json(d.rules),
      nominalRole: d.nominalRole,
      levels: json(d.levels),
      reach: d.reach,
      via: d.via,
      spec: sealJson(this.keys, { question: d.question, choices: d.choices, urls: d.urls }, aad.spec(d.id)),
      status: d.status,
      createdAt: d.createdAt,
    });
  }

  getDuty(id: string): DutyRecord | undefined {
    const row = this.s.getDuty.get({ id }) as Row | undefined;
    return row ? toDuty(this.keys, row) : undefined;
  }

  listDuties(reportId: string): DutyRecord[] {
    return (this.s.listDuties.all({ reportId }) as Row[]).map((r) => toDuty(this.keys, r));
  }

  updateDuty(id: string, patch: Parameters<WorkflowStore['updateDuty']>[1]): void {
    this.s.updateDuty.run({
      id,
      reach: patch.reach ?? null,
      status: patch.status ?? null,
      doneBy: patch.doneBy ?? null,
      doneAt: patch.doneAt ?? null,
      result: patch.result ? sealJson(this.keys, patch.result, aad.result(id)) : null,
    });
  }

  insertEvidence(e: EvidenceRecord): boolean {
    const info = this.s.insertEvidence.run({
      id: e.id,
      reportId: e.reportId,
      sha256: e.sha256,
      size: e.size,
      mediaType: e.mediaType,
      fileName: e.fileName === undefined ? null : sealText(this.keys, e.fileName, aad.fileName(e.id)),
      takenAt: e.takenAt ?? null,
      postedAt: e.postedAt ?? null,
      addedBy: e.addedBy,
      addedAt: e.addedAt,
    });
    return info.changes === 1;
  }

  listEvidence(reportId: string): EvidenceRecord[] {
    return (this.s.listEvidence.all({ reportId }) as Row[]).map((r) => toEvidence(this.keys, r));
  }

  insertCaseEntry(entry: CaseEntryRecord): void {
    this.cases.add(entry);
  }

  listCaseEntries(reportId: string): CaseEntryRecord[] {
    return this.cases.forReport(reportId);
  }

  appendAudit(input: AuditInput): AuditEntry {
    return this.audit.append(input);
  }

  listAudit(reportId: string): AuditEntry[] {
    return this.audit.forReport(reportId);
  }

  /** G7: checks the whole keyed chain and lists every problem (content hashes: see audit-verify.ts). */
  verifyAudit(anchor?: { seq: number; hash: string }): ChainCheck {
    return this.audit.verify(anchor);
  }

  auditHead = () => this.audit.latest();
  lastAuditEntry = (action: string) => this.audit.lastOf(action);
  firstAuditEntry = () => this.audit.first();

  /** At the start: seals values written before encryption (migration 0005), then starts or seals the audit log. */
  prepare(now: Date): { sealed: number } {
    return this.transaction(() => {
      const sealed = sealExisting(this.db, this.keys);
      this.audit.prepare(now);
      return { sealed };
    });
  }

  enqueue(item: OutboxInput, now: Date): void {
    this.outbox.enqueue(item, now);
  }

  recentDslPosts = (since: Date) => this.digest.recentDslPosts(since);
  pendingDigestAt = () => this.digest.pendingDigestAt();
  holdForDigest: DigestStore['holdForDigest'] = (entry) => this.digest.holdForDigest(entry);
  takeDueDigest = (now: Date, limit: number) => this.digest.takeDueDigest(now, limit);

  listOutbox(): OutboxRow[] {
    return this.outbox.list();
  }

  countReportsSince(reporterId: string, sinceIso: string): number {
    return Number((this.s.reportsSince.get({ reporterId, since: sinceIso }) as Row).n);
  }

  scheduleTimer(t: TimerRecord, now: Date): void {
    this.s.scheduleTimer.run({ ...t, createdAt: now.toISOString() });
  }

  nextTimer(reportId: string): TimerRecord | undefined {
    const row = this.s.nextTimer.get({ reportId }) as Row | undefined;
    return row ? toTimer(row) : undefined;
  }

  dueTimers(now: Date, limit: number): TimerRecord[] {
    return (this.s.dueTimers.all({ now: now.getTime(), limit }) as Row[]).map(toTimer);
  }


  finishTimer(token: string, status: 'done' | 'cancelled', at: Date): boolean {
    return this.s.finishTimer.run({ token, status, at: at.toISOString() }).changes === 1;
  }

  cancelTimersForDuty(dutyId: string, at: Date): void {
    this.s.cancelDutyTimers.run({ dutyId, at: at.toISOString() });
  }

  getIdempotent(key: string): unknown {
    const row = this.s.getIdem.get({ key }) as Row | undefined;
    return row ? parse(row.result_json) : undefined;
  }

  putIdempotent(key: string, result: unknown, at: Date): void {
    this.s.putIdem.run({ key, result: json(result), at: at.toISOString() });
  }
}

function toTimer(r: Row): TimerRecord {
  return {
    token: String(r.token),
    reportId: String(r.report_id),
    dutyId: String(r.duty_id),
    kind: r.kind as TimerRecord['kind'],
    dueAt: Number(r.due_at),
  };
}
