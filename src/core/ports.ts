import type { ChainLevel, ChainRole, DutyType, Routing, TimerKind } from './policy-engine.js';
import type { DecisionChoice } from './policy-schema.js';
import type { ReportForm, ReportKind } from './report-schemas.js';

/** What core needs from storage. The SQLite store implements it; core never sees SQL. */
export type ReportStatus = 'open' | 'acknowledged' | 'closed';

export interface ReportRecord {
  id: string;
  reference: string;
  kind: ReportKind;
  status: ReportStatus;
  urgent: boolean;
  reporterId: string;
  submittedAt: string;
  form: ReportForm;
  routing: Routing;
  acknowledgedAt?: string | undefined;
  closedAt?: string | undefined;
  closedBy?: string | undefined;
  outcome?: string | undefined;
  closeReason?: string | undefined;
}

export interface DutyResult {
  choice?: string;
  reason?: string;
  action?: string;
}

export interface DutyRecord {
  id: string;
  reportId: string;
  type: DutyType;
  rules: string[];
  nominalRole: ChainRole;
  levels: ChainLevel[];
  reach: number;
  via: 'dsl_channel' | 'direct_message';
  question?: string | undefined;
  choices?: DecisionChoice[] | undefined;
  urls?: string[] | undefined;
  status: 'open' | 'done';
  doneBy?: string | undefined;
  doneAt?: string | undefined;
  result?: DutyResult | undefined;
  createdAt: string;
}

export interface EvidenceRecord {
  id: string;
  reportId: string;
  sha256: string;
  size: number;
  mediaType: string;
  fileName?: string | undefined;
  takenAt?: string | undefined;
  postedAt?: string | undefined;
  addedBy: string;
  addedAt: string;
}

/** A case's own record (issue 12): a note, a recorded action, a closing or a reopening. Never changed. */
export interface CaseEntryRecord {
  id: string;
  reportId: string;
  kind: 'note' | 'action' | 'closed' | 'reopened';
  /** The action's id (caseActions), or the closing outcome's id (closeOutcomes). */
  what?: string | undefined;
  actor: string;
  at: string;
  /** The note, the action's details, or the reason for closing or reopening (sealed at rest). */
  text?: string | undefined;
  /** An external reference (children's social care, police, LADO), if one was given (sealed at rest). */
  externalRef?: string | undefined;
}

export interface AuditInput {
  at: string;
  actor: string;
  action: string;
  reportId?: string | undefined;
  /** Ids, rule ids, codes: never report text or names. */
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  prevHash: string;
  hash: string;
}

export type DeliveryChannel = 'slack' | 'teams' | 'sandbox';

export interface OutboxInput {
  /** Makes queueing idempotent: the same key is queued once. */
  dedupeKey: string;
  channel: DeliveryChannel;
  recipientType: 'person' | 'dsl_channel';
  recipientId: string;
  messageType: string;
  reportId?: string | undefined;
  payload: Record<string, unknown>;
}

export interface OutboxItem extends OutboxInput {
  id: string;
  attempts: number;
  createdAt: string;
}

export interface TimerRecord {
  token: string;
  reportId: string;
  dutyId: string;
  kind: TimerKind;
  dueAt: number;
}

/** An open report as the queue shows it: no form; its subjects (G1), duties and next deadline. */
export interface OpenCase extends Pick<ReportRecord, 'id' | 'reference' | 'kind' | 'urgent' | 'submittedAt'> {
  subjects: string[];
  duties: Pick<DutyRecord, 'type' | 'status' | 'levels' | 'reach' | 'rules' | 'createdAt'>[];
  /** The earliest pending timer (ms since the epoch), if any. */
  nextDueAt?: number | undefined;
}

export interface WorkflowStore {
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T;
  nextReferenceNumber(year: number): number;
  insertReport(report: ReportRecord): void;
  getReport(id: string): ReportRecord | undefined;
  findReportByReference(reference: string): ReportRecord | undefined;
  updateReport(id: string, patch: Partial<Pick<ReportRecord, 'status' | 'acknowledgedAt' | 'closedAt' | 'closedBy' | 'outcome' | 'closeReason'>>): void;
  listReportsByReporter(reporterId: string): ReportRecord[];
  listReportsNotClosed(): ReportRecord[];
  /**
   * Open reports in queue order (submitted, then reference), after the report `after`,
   * at most `limit`: what the open-case list needs, never a whole form.
   */
  listOpenCases(page: { after?: string | undefined; limit: number }): OpenCase[];
  /** A person's own reports, newest first, at most `limit`, without their forms. */
  listReceipts(reporterId: string, limit: number): Pick<ReportRecord, 'id' | 'reference' | 'kind' | 'status' | 'submittedAt'>[];
  /** How many reports this person made at or after `sinceIso` (the per-person submit limit). */
  countReportsSince(reporterId: string, sinceIso: string): number;
  insertDuty(duty: DutyRecord): void;
  getDuty(id: string): DutyRecord | undefined;
  listDuties(reportId: string): DutyRecord[];
  updateDuty(id: string, patch: Partial<Pick<DutyRecord, 'reach' | 'status' | 'doneBy' | 'doneAt' | 'result'>>): void;
  /** False when the same file is already attached to the report. */
  insertEvidence(evidence: EvidenceRecord): boolean;
  listEvidence(reportId: string): EvidenceRecord[];
  insertCaseEntry(entry: CaseEntryRecord): void;
  /** A case's notes, actions, closings and reopenings, oldest first. */
  listCaseEntries(reportId: string): CaseEntryRecord[];
  appendAudit(entry: AuditInput): AuditEntry;
  listAudit(reportId: string): AuditEntry[];
  enqueue(item: OutboxInput, now: Date): void;
  scheduleTimer(timer: TimerRecord, now: Date): void;
  dueTimers(now: Date, limit: number): TimerRecord[];
  /** Marks a pending timer done or cancelled; false if it was not pending (already handled). */
  finishTimer(token: string, status: 'done' | 'cancelled', at: Date): boolean;
  cancelTimersForDuty(dutyId: string, at: Date): void;
  /** The earliest pending timer of a report: its next deadline. */
  nextTimer(reportId: string): TimerRecord | undefined;
  getIdempotent(key: string): unknown;
  putIdempotent(key: string, result: unknown, at: Date): void;
  /** DSL-channel duty posts (queued or held for a digest) for distinct reports since `since`. */
  recentDslPosts(since: Date): number;
  /** When the posts held for a digest go out, if any are held. */
  pendingDigestAt(): number | undefined;
  holdForDigest(entry: Omit<DigestEntry, 'id'>): void;
  /** Held posts whose time has come; each is returned once. */
  takeDueDigest(now: Date, limit: number): DigestEntry[];
}

/** A DSL-channel post held back during a flood, to go out in one listing with others. */
export interface DigestEntry {
  id: number;
  reportId: string;
  dutyId: string;
  message: 'report.for_acknowledgement' | 'ack.reminder' | 'report.escalated';
  /** Ids and times only (the duty's deadline, the role escalated to). */
  extra: Record<string, unknown>;
  addedAt: number;
  flushAt: number;
}

/** Evidence files, named by their hash; written once, never overwritten or deleted. */
export interface EvidenceFiles {
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  read(sha256: string): Promise<Buffer>;
}
