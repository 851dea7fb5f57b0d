import { DomainError } from './errors.js';
import { chronology } from './chronology.js';
import { kindLabels } from './report-schemas.js';
import { caseOptions } from './workflow-lifecycle.js';
import { accessOf, eligiblePeople } from './workflow-access.js';
import { audit, decided, mustGetReport, Refused, type WorkflowCtx } from './workflow-context.js';
import type { DutyRecord, OpenCase, ReportRecord } from './ports.js';
import { dutyDeadline } from './workflow-deadlines.js';
import type { Receipt, ReportView } from './workflow-types.js';

// Reading a case: the report as this person may see it, the reporter's receipts, the open queue.

/**
 * A report as this person may see it (G1, G6, G7): the full record for those it was
 * routed to, the task for the ICT technician, the receipt for the reporter; refused
 * (and audited) for anyone else, and always for its subjects.
 */
export function view(c: WorkflowCtx, cmd: { reportId: string; actorId: string }): ReportView {
  const now = c.clock();
  // Who may see it is decided on what is stored when the view is recorded.
  const { report, duties, access } = decided(c, () => {
    const report = mustGetReport(c, cmd.reportId);
    const duties = c.store.listDuties(report.id);
    const access = accessOf(c, report, duties, cmd.actorId);
    if (!access) throw new Refused(cmd.actorId, 'view', report.id, new DomainError('FORBIDDEN', 'you are not entitled to see this report'));
    audit(c, cmd.actorId, 'report.viewed', report.id, now, { access });
    return { report, duties, access };
  });
  const base: ReportView = {
    access,
    reportId: report.id,
    reference: report.reference,
    kind: report.kind,
    kindLabel: kindLabels[report.kind],
    status: report.status,
    urgent: report.urgent,
    submittedAt: report.submittedAt,
  };
  if (access === 'receipt') return base;
  if (access === 'task') return { ...base, urls: duties.filter((d) => d.type === 'task').flatMap((d) => d.urls ?? []) };
  const name = (id: string) => ({ id, name: c.directory.displayName(id) });
  return {
    ...base,
    reporter: name(report.reporterId),
    form: report.form,
    rules: report.routing.rules,
    ruleTitles: Object.fromEntries(c.policy.rules.filter((r) => report.routing.rules.includes(r.id)).map((r) => [r.id, r.title])),
    duties: duties.map((d) => ({
      id: d.id,
      type: d.type,
      rules: d.rules,
      status: d.status,
      waitingOn: d.status === 'open' ? eligiblePeople(d).map((id) => c.directory.displayName(id)) : [],
      ...(d.doneBy ? { doneBy: name(d.doneBy) } : {}),
      ...(d.doneAt ? { doneAt: d.doneAt } : {}),
      ...(d.result ? { result: d.result } : {}),
      ...(d.result?.choice ? { choiceLabel: d.choices?.find((c) => c.id === d.result?.choice)?.label ?? d.result.choice } : {}),
    })),
    evidence: c.store.listEvidence(report.id).map((e) => ({
      id: e.id,
      sha256: e.sha256,
      size: e.size,
      mediaType: e.mediaType,
      fileName: e.fileName,
      takenAt: e.takenAt,
      postedAt: e.postedAt,
      addedAt: e.addedAt,
    })),
    urls: duties.filter((d) => d.type === 'task').flatMap((d) => d.urls ?? []),
    ...(report.status === 'closed'
      ? {
          closed: {
            at: report.closedAt ?? '',
            by: c.directory.displayName(report.closedBy ?? ''),
            outcome: report.outcome ?? '',
            reason: report.closeReason ?? '',
          },
        }
      : {}),
    ...caseRecord(c, report, duties, cmd.actorId),
  };
}

/** The case's chronology and what this person may do with it now (issue 12). */
function caseRecord(c: WorkflowCtx, report: ReportRecord, duties: DutyRecord[], actorId: string): Pick<ReportView, 'chronology' | 'options'> {
  const sources = { report, duties, directory: c.directory, audit: c.store.listAudit(report.id), evidence: c.store.listEvidence(report.id), entries: c.store.listCaseEntries(report.id) };
  return { chronology: chronology(sources), options: caseOptions(report, duties, actorId) };
}

/** G6: the reporter's own reports: reference, kind, status; not who did what. Newest first; `limit` caps the list. */
export function receipts(c: WorkflowCtx, reporterId: string, opts: { limit?: number } = {}): Receipt[] {
  return c.store.listReceipts(reporterId, opts.limit ?? -1).map((r) => ({
    reference: r.reference,
    kindLabel: kindLabels[r.kind],
    status: r.status,
    submittedAt: r.submittedAt,
  }));
}

export interface QueueItem {
  reportId: string;
  reference: string;
  kindLabel: string;
  urgent: boolean;
  submittedAt: string;
  waitingFor: string[];
  /** The next deadline (reminder, escalation or decision), if one is set. */
  nextDeadline?: string;
  /** An open duty of this report is this person's to do now. */
  yours?: boolean;
  /** An open duty of this report is past the deadline the rules give it (G3, G4). */
  overdue?: boolean;
}

/**
 * Open reports this person may act on (never those they are the subject of: G1), oldest
 * first. Paged: at most `limit` (all when not given), after the report `after` (the last
 * one of the previous page). Read along an index a batch at a time, never a whole form,
 * so a million stored reports cost what a few do.
 */
export function openQueue(c: WorkflowCtx, actorId: string, opts: { limit?: number; after?: string } = {}): QueueItem[] {
  const now = c.clock();
  const want = opts.limit ?? Number.POSITIVE_INFINITY;
  const out: QueueItem[] = [];
  let after = opts.after;
  // A page's worth and a few more (some are skipped: G1, or not this person's), so one read usually fills it.
  const batch = Number.isFinite(want) ? Math.min(500, want + 10) : 500;
  while (out.length < want) {
    const page = c.store.listOpenCases({ after, limit: batch });
    for (const r of page) {
      if (out.length >= want) break;
      if (r.subjects.includes(actorId)) continue;
      if (!r.duties.some((d) => eligiblePeople(d).includes(actorId))) continue;
      out.push({
        reportId: r.id,
        reference: r.reference,
        kindLabel: kindLabels[r.kind],
        urgent: r.urgent,
        submittedAt: r.submittedAt,
        waitingFor: r.duties.filter((d) => d.status === 'open').map((d) => d.type),
        ...(r.nextDueAt !== undefined ? { nextDeadline: new Date(r.nextDueAt).toISOString() } : {}),
        ...queueMarks(c, r, r.duties, actorId, now),
      });
    }
    if (page.length < batch) break;
    after = page.at(-1)?.id;
  }
  return out;
}

/** Whether a case is this person's to act on now, and whether it is overdue (for the open-case list). */
function queueMarks(c: WorkflowCtx, report: Pick<ReportRecord, 'urgent'>, duties: OpenCase['duties'], actorId: string, now: Date): { yours: boolean; overdue: boolean } {
  const open = duties.filter((d) => d.status === 'open');
  return {
    yours: open.some((d) => eligiblePeople(d).includes(actorId)),
    overdue: open.some((d) => (dutyDeadline(c, report, d)?.getTime() ?? Infinity) <= now.getTime()),
  };
}
