import { DomainError } from './errors.js';
import type { EvidenceLimits } from './evidence.js';
import type { Policy } from './policy-schema.js';
import type { DeliveryChannel, DutyRecord, EvidenceFiles, ReportRecord, WorkflowStore } from './ports.js';
import type { Directory } from './school.js';
import type { SubmitLimit } from './submit-limit.js';
import type { ActionResult } from './workflow-types.js';
import type { Clock } from './working-time.js';

// What the workflow's parts share: its dependencies, the audit, refusals and the transaction that decides a step.

/** What every part of the workflow works with: the Workflow's dependencies, resolved. */
export interface WorkflowCtx {
  store: WorkflowStore;
  files: EvidenceFiles;
  directory: Directory;
  policy: Policy;
  clock: Clock;
  channels: DeliveryChannel[];
  limits: EvidenceLimits;
  submitLimit: SubmitLimit;
  newId: () => string;
}

/**
 * A refusal found inside a transaction: thrown out of it (rolling back nothing but reads),
 * then audited in a transaction of its own and turned into its DomainError by `decided()`,
 * so the refusal stays on the record.
 */
export class Refused extends Error {
  constructor(
    readonly actorId: string,
    readonly action: string,
    readonly reportId: string | undefined,
    readonly error: DomainError,
  ) {
    super(error.message);
  }
}

/**
 * Runs `fn` (reads, checks and writes) in one transaction, so every check that decides a
 * write sees what is stored when the write lands. A `Refused` thrown inside rolls the
 * transaction back, is audited in a transaction of its own and thrown as its DomainError.
 */
export function decided<T>(c: WorkflowCtx, fn: () => T): T {
  try {
    return c.store.transaction(fn);
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    refuse(c, err.actorId, err.action, err.error.code, err.reportId);
    throw err.error;
  }
}

/** Unauthorised or refused attempts are on the record too (G7). */
export function refuse(c: WorkflowCtx, actorId: string, action: string, code: string, reportId?: string): void {
  const now = c.clock();
  c.store.transaction(() => audit(c, actorId, 'action.refused', reportId, now, { action, code }));
}

export function audit(c: WorkflowCtx, actor: string, action: string, reportId: string | undefined, at: Date, details: Record<string, unknown>): void {
  c.store.appendAudit({ at: at.toISOString(), actor, action, reportId, details });
}

export function mustGetReport(c: WorkflowCtx, reportId: string): ReportRecord {
  const report = c.store.getReport(reportId) ?? c.store.findReportByReference(reportId);
  if (!report) throw new DomainError('NOT_FOUND', 'no such report');
  return report;
}

export function unchanged(report: ReportRecord, duty: DutyRecord): ActionResult {
  return { reportId: report.id, reference: report.reference, changed: false, by: duty.doneBy ?? '', at: duty.doneAt ?? '' };
}
