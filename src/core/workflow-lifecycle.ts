import { contentSha256 } from './audit-chain.js';
import { DomainError, type FieldIssue } from './errors.js';
import { closeOutcomes } from './messages.js';
import type { DutyRecord, ReportRecord } from './ports.js';
import { assertLength, textLimits } from './text-limits.js';
import { accessOf, mayAct } from './workflow-access.js';
import { acknowledgeOwn } from './workflow-commands.js';
import { audit, decided, mustGetReport, Refused, type WorkflowCtx } from './workflow-context.js';
import { dutyRecipients, send } from './workflow-notify.js';
import type { ActionResult } from './workflow-types.js';

// A case's end and, if need be, its second life: close (G5) and reopen, by anyone who may
// acknowledge it (never a subject, G1); each on the case's record with its reason.

/** The acknowledgements this person may act on: who may close and reopen (never a subject, G1). */
function ownedBy(report: ReportRecord, duties: DutyRecord[], actorId: string): DutyRecord[] {
  return duties.filter((d) => d.type === 'acknowledge' && mayAct(report, d, actorId));
}

/** The report, its duties and this person's own, inside the step's transaction; refused (audited) for anyone who does not own it. */
function ownersStep(c: WorkflowCtx, cmd: { reportId: string; actorId: string }, verb: 'close' | 'reopen'): { report: ReportRecord; duties: DutyRecord[]; owned: DutyRecord[] } {
  const report = mustGetReport(c, cmd.reportId);
  const duties = c.store.listDuties(report.id);
  const owned = ownedBy(report, duties, cmd.actorId);
  if (owned.length === 0)
    throw new Refused(cmd.actorId, verb, report.id, new DomainError('FORBIDDEN', `only the people who own this report ${verb} it`));
  return { report, duties, owned };
}

/** What still stands in the way of closing: open decisions and tasks, and other people's acknowledgements. */
function pendingFor(duties: DutyRecord[], owned: DutyRecord[]): DutyRecord[] {
  return duties.filter((d) => d.status === 'open' && !(d.type === 'acknowledge' && owned.includes(d)));
}

/** What this person may do with the case now: what the cards and View details offer. */
export interface CaseOptions {
  /** Close: they own it, it is open, and no decision or task is waiting. */
  close: boolean;
  /** They own it but something is still waiting (Close is offered once it is done). */
  waitingFor: DutyRecord['type'][];
  reopen: boolean;
}

export function caseOptions(report: ReportRecord, duties: DutyRecord[], actorId: string): CaseOptions {
  const owned = ownedBy(report, duties, actorId);
  if (owned.length === 0) return { close: false, waitingFor: [], reopen: false };
  if (report.status === 'closed') return { close: false, waitingFor: [], reopen: true };
  const pending = pendingFor(duties, owned);
  return { close: pending.length === 0, waitingFor: [...new Set(pending.map((d) => d.type))], reopen: false };
}

/** G5: a report closes only with an outcome and a reason, once everything asked of people is done. */
export function close(c: WorkflowCtx, cmd: { reportId: string; actorId: string; outcome: string; reason: string }): ActionResult {
  const now = c.clock();
  return decided(c, () => {
    const { report, duties, owned } = ownersStep(c, cmd, 'close');
    if (report.status === 'closed') {
      if (report.closedBy === cmd.actorId && report.outcome === cmd.outcome)
        return { reportId: report.id, reference: report.reference, changed: false, by: cmd.actorId, at: report.closedAt ?? '' };
      throw new DomainError('REPORT_CLOSED', 'the report is already closed');
    }
    const issues: FieldIssue[] = [];
    if (!closeOutcomes.some((o) => o.id === cmd.outcome)) issues.push({ path: 'outcome', message: 'Please choose the outcome.' });
    const reason = cmd.reason.trim();
    if (reason.length === 0) issues.push({ path: 'reason', message: 'Please give the reason for closing the report.' });
    if (issues.length > 0) throw new DomainError('REASON_REQUIRED', 'an outcome and a reason are required (G5)', issues);
    assertLength('reason', reason, textLimits.closeReason);
    const pending = pendingFor(duties, owned);
    if (pending.length > 0)
      throw new DomainError('DUTIES_PENDING', `still waiting for: ${pending.map((d) => `${d.type} (${d.rules.join(', ')})`).join('; ')}`);
    // Issue 12: closing acknowledges the closer's own duty (its timers cancelled with it).
    acknowledgeOwn(c, report, cmd.actorId, now, 'close', false);
    for (const d of duties) c.store.cancelTimersForDuty(d.id, now);
    c.store.updateReport(report.id, {
      status: 'closed',
      closedAt: now.toISOString(),
      closedBy: cmd.actorId,
      outcome: cmd.outcome,
      closeReason: reason,
      ...(report.acknowledgedAt ? {} : { acknowledgedAt: now.toISOString() }),
    });
    const entry = c.newId();
    c.store.insertCaseEntry({ id: entry, reportId: report.id, kind: 'closed', what: cmd.outcome, actor: cmd.actorId, at: now.toISOString(), text: reason });
    audit(c, cmd.actorId, 'report.closed', report.id, now, { outcome: cmd.outcome, entry, reasonSha256: contentSha256(reason) });
    const outcomeLabel = closeOutcomes.find((o) => o.id === cmd.outcome)?.label ?? cmd.outcome;
    for (const d of owned)
      for (const r of dutyRecipients(d))
        send(c, r, 'report.closed', report, `close:${report.id}:${now.getTime()}`, now, {
          dutyId: d.id,
          closedBy: c.directory.displayName(cmd.actorId),
          closedAt: now.toISOString(),
          outcome: cmd.outcome,
          outcomeLabel,
        });
    // G6: the reporter is told it is closed; never by whom, nor the outcome.
    send(c, { type: 'person', id: report.reporterId }, 'receipt.status', report, `close:${report.id}:${now.getTime()}`, now, { status: 'closed' });
    return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
  });
}

/**
 * Reopens a closed case, with a reason, by the people who may close it. It goes back in
 * their queues as acknowledged: no deadline restarts (its owner is the one reopening
 * it), and its decisions and tasks stay as they were recorded.
 */
export function reopen(c: WorkflowCtx, cmd: { reportId: string; actorId: string; reason: string }): ActionResult {
  const now = c.clock();
  return decided(c, () => {
    const { report, owned } = ownersStep(c, cmd, 'reopen');
    if (report.status !== 'closed') throw new DomainError('NOT_CLOSED', 'the report is not closed');
    const reason = cmd.reason.trim();
    if (reason.length === 0)
      throw new DomainError('REASON_REQUIRED', 'a reason is required', [{ path: 'reason', message: 'Please give the reason for reopening the report.' }]);
    assertLength('reason', reason, textLimits.closeReason);
    c.store.updateReport(report.id, { status: 'acknowledged' });
    const entry = c.newId();
    c.store.insertCaseEntry({ id: entry, reportId: report.id, kind: 'reopened', actor: cmd.actorId, at: now.toISOString(), text: reason });
    audit(c, cmd.actorId, 'report.reopened', report.id, now, { entry, reasonSha256: contentSha256(reason) });
    for (const d of owned)
      for (const r of dutyRecipients(d))
        send(c, r, 'report.reopened', report, `reopen:${report.id}:${now.getTime()}`, now, {
          dutyId: d.id,
          reopenedBy: c.directory.displayName(cmd.actorId),
          reopenedAt: now.toISOString(),
        });
    send(c, { type: 'person', id: report.reporterId }, 'receipt.status', report, `reopen:${report.id}:${now.getTime()}`, now, { status: 'reopened' });
    return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
  });
}

/**
 * Before a close, reopen or note form is shown: may this person use it on this case now?
 * A refusal is audited (G1: a subject gets the same refusal as anyone else); a case not
 * ready to close says what it waits for.
 */
export function caseForm(c: WorkflowCtx, cmd: { reportId: string; actorId: string; form: 'close' | 'reopen' | 'note' }): { reportId: string; reference: string } {
  return decided(c, () => {
    const report = mustGetReport(c, cmd.reportId);
    const duties = c.store.listDuties(report.id);
    const answer = { reportId: report.id, reference: report.reference };
    if (cmd.form === 'note') {
      if (accessOf(c, report, duties, cmd.actorId) !== 'full')
        throw new Refused(cmd.actorId, 'note', report.id, new DomainError('FORBIDDEN', 'only the people this report was sent to add to it'));
      return answer;
    }
    const o = caseOptions(report, duties, cmd.actorId);
    if (!o.close && !o.reopen && o.waitingFor.length === 0)
      throw new Refused(cmd.actorId, cmd.form, report.id, new DomainError('FORBIDDEN', `only the people who own this report ${cmd.form} it`));
    if (cmd.form === 'reopen' && !o.reopen) throw new DomainError('NOT_CLOSED', 'the report is not closed');
    if (cmd.form === 'close' && report.status === 'closed') throw new DomainError('REPORT_CLOSED', 'the report is already closed');
    if (cmd.form === 'close' && !o.close) throw new DomainError('DUTIES_PENDING', `still waiting for: ${o.waitingFor.join(', ')}`);
    return answer;
  });
}
