import { contentSha256 } from './audit-chain.js';
import { DomainError } from './errors.js';
import type { DutyRecord, ReportRecord } from './ports.js';
import { assertLength, textLimits } from './text-limits.js';
import { findDuty, mayAct } from './workflow-access.js';
import { audit, decided, mustGetReport, Refused, unchanged, type WorkflowCtx } from './workflow-context.js';
import { decisionPayload, dutyRecipients, send } from './workflow-notify.js';
import { decisionDeadline, dutyDeadline } from './workflow-deadlines.js';
import { summarise } from './messages.js';
import type { ActionResult } from './workflow-types.js';

// The steps people take on a report: acknowledge, decide, complete the ICT task (closing: workflow-lifecycle.ts).

export function acknowledge(c: WorkflowCtx, cmd: { reportId: string; actorId: string }): ActionResult {
  const now = c.clock();
  // Read, check and write in one transaction: a second acknowledgement (another process,
  // a double click) sees the first one's writes and answers "already".
  return decided(c, () => {
    const report = mustGetReport(c, cmd.reportId);
    const all = c.store.listDuties(report.id);
    const duties = all.filter((d) => d.type === 'acknowledge');
    const mine = duties.filter((d) => mayAct(report, d, cmd.actorId));
    if (mine.length === 0) {
      const doneByMe = duties.find((d) => d.status === 'done' && d.doneBy === cmd.actorId);
      if (doneByMe) return unchanged(report, doneByMe);
      throw new Refused(cmd.actorId, 'acknowledge', report.id, new DomainError('FORBIDDEN', 'you are not one of the people who acknowledge this report'));
    }
    if (mine.every((d) => d.status !== 'open')) return unchanged(report, mine[0] as DutyRecord);
    if (report.status === 'closed') throw new DomainError('REPORT_CLOSED', 'the report is closed');
    acknowledgeOwn(c, report, cmd.actorId, now, 'acknowledge', true, all);
    return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
  });
}

/**
 * Marks this person's own open acknowledgements done (G3), cancelling their timers: by
 * pressing Acknowledge, or by deciding or closing (an owner who acts has acknowledged;
 * issue 12). Runs inside the caller's transaction. `tell` updates the cards and tells
 * the reporter once every owner has acknowledged. Returns the duties it marked.
 * `listed`: the report's duties, when the caller has just read them in this transaction.
 */
export function acknowledgeOwn(
  c: WorkflowCtx,
  report: ReportRecord,
  actorId: string,
  now: Date,
  via: 'acknowledge' | 'decision' | 'close',
  tell: boolean,
  listed?: DutyRecord[],
): DutyRecord[] {
  const duties = listed ?? c.store.listDuties(report.id);
  const open = duties.filter((d) => d.type === 'acknowledge' && d.status === 'open' && mayAct(report, d, actorId));
  if (open.length === 0) return [];
  for (const d of open) {
    c.store.updateDuty(d.id, { status: 'done', doneBy: actorId, doneAt: now.toISOString() });
    c.store.cancelTimersForDuty(d.id, now);
  }
  audit(c, actorId, 'report.acknowledged', report.id, now, {
    duties: open.map((d) => d.id),
    rules: open.flatMap((d) => d.rules),
    ...(via === 'acknowledge' ? {} : { via }),
  });
  if (!tell) return open;
  for (const d of open) {
    for (const r of dutyRecipients(d))
      send(c, r, 'report.acknowledged', report, `ack:${d.id}`, now, {
        dutyId: d.id,
        acknowledgedBy: c.directory.displayName(actorId),
        acknowledgedAt: now.toISOString(),
      });
  }
  // Read once in this transaction: the ones marked just now are done too.
  const allDone = duties.every((d) => d.type !== 'acknowledge' || d.status === 'done' || open.includes(d));
  if (allDone && report.status === 'open') {
    c.store.updateReport(report.id, { status: 'acknowledged', acknowledgedAt: now.toISOString() });
    send(c, { type: 'person', id: report.reporterId }, 'receipt.status', report, `ack:${report.id}`, now, {
      status: 'acknowledged',
    });
  }
  return open;
}

export function recordDecision(c: WorkflowCtx, cmd: { reportId: string; dutyId?: string; actorId: string; choice: string; reason: string }): ActionResult {
  const now = c.clock();
  return decided(c, () => {
    const duty = findDuty(c, cmd.reportId, 'decision', cmd.dutyId, cmd.actorId, 'decide');
    const report = mustGetReport(c, cmd.reportId);
    if (duty.status === 'done') {
      if (duty.doneBy === cmd.actorId && duty.result?.choice === cmd.choice) return unchanged(report, duty);
      throw new DomainError('ALREADY_DONE', 'this decision has already been recorded');
    }
    if (report.status === 'closed') throw new DomainError('REPORT_CLOSED', 'the report is closed');
    // Both answers are checked at once, so a card or modal sent back shows every refusal next to its field.
    const reason = cmd.reason.trim();
    const choiceIssue = duty.choices?.some((c) => c.id === cmd.choice) ? [] : [{ path: 'choice', message: 'Please choose one of the options.' }];
    const reasonIssue = reason.length === 0 ? [{ path: 'reason', message: 'Please give the reason for your decision.' }] : [];
    if (choiceIssue.length > 0) throw new DomainError('INVALID_CHOICE', 'that is not one of the choices', [...choiceIssue, ...reasonIssue]);
    if (reasonIssue.length > 0) throw new DomainError('REASON_REQUIRED', 'a reason is required', reasonIssue);
    assertLength('reason', reason, textLimits.decisionReason);
    c.store.updateDuty(duty.id, {
      status: 'done',
      doneBy: cmd.actorId,
      doneAt: now.toISOString(),
      result: { choice: cmd.choice, reason },
    });
    c.store.cancelTimersForDuty(duty.id, now);
    // Issue 12: an owner who decides has acknowledged (worked example 6 must not escalate after it).
    acknowledgeOwn(c, report, cmd.actorId, now, 'decision', true);
    audit(c, cmd.actorId, 'decision.recorded', report.id, now, { duty: duty.id, rules: duty.rules, choice: cmd.choice, reasonSha256: contentSha256(reason) });
    const label = duty.choices?.find((c) => c.id === cmd.choice)?.label ?? cmd.choice;
    for (const r of dutyRecipients(duty))
      send(c, r, 'decision.recorded', report, `decision:${duty.id}`, now, {
        dutyId: duty.id,
        choice: cmd.choice,
        choiceLabel: label,
        decidedBy: c.directory.displayName(cmd.actorId),
        decidedAt: now.toISOString(),
      });
    return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
  });
}

/** The ICT technician's section: the action taken; who and when are recorded here. */
export function completeTask(c: WorkflowCtx, cmd: { reportId: string; dutyId?: string; actorId: string; action: string }): ActionResult {
  const now = c.clock();
  return decided(c, () => {
    const duty = findDuty(c, cmd.reportId, 'task', cmd.dutyId, cmd.actorId, 'complete_task');
    const report = mustGetReport(c, cmd.reportId);
    if (duty.status === 'done') {
      if (duty.doneBy === cmd.actorId) return unchanged(report, duty);
      throw new DomainError('ALREADY_DONE', 'this task has already been done');
    }
    const action = cmd.action.trim();
    if (action.length === 0)
      throw new DomainError('REASON_REQUIRED', 'say what was done', [{ path: 'action', message: 'Please say what action you took.' }]);
    assertLength('action', action, textLimits.ictAction);
    c.store.updateDuty(duty.id, { status: 'done', doneBy: cmd.actorId, doneAt: now.toISOString(), result: { action } });
    audit(c, cmd.actorId, 'task.completed', report.id, now, { duty: duty.id, rules: duty.rules, actionSha256: contentSha256(action) });
    const payload = {
      dutyId: duty.id,
      completedBy: c.directory.displayName(cmd.actorId),
      completedAt: now.toISOString(),
    };
    for (const r of dutyRecipients(duty)) send(c, r, 'task.completed', report, `task:${duty.id}`, now, payload);
    for (const owner of c.store.listDuties(report.id).filter((d) => d.type === 'acknowledge'))
      for (const r of dutyRecipients(owner)) send(c, r, 'task.completed', report, `task:${duty.id}`, now, payload);
    return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
  });
}

/**
 * The card that asked this person for a decision or a block task, as core would queue it
 * now: for sending it back with a refused answer next to its field. Undefined when they
 * are not asked for it now (done, closed, someone else's, a subject: G1). Reads only.
 */
export function dutyForm(
  c: WorkflowCtx,
  cmd: { reportId: string; dutyId?: string; actorId: string; type: 'decision' | 'task' },
): { messageType: 'decision.requested' | 'task.assigned'; payload: Record<string, unknown> } | undefined {
  const report = c.store.getReport(cmd.reportId) ?? c.store.findReportByReference(cmd.reportId);
  if (!report || report.status === 'closed') return undefined;
  const duty = c.store
    .listDuties(report.id)
    .find((d) => d.type === cmd.type && d.status === 'open' && (!cmd.dutyId || d.id === cmd.dutyId) && mayAct(report, d, cmd.actorId));
  if (!duty) return undefined;
  if (duty.type === 'task') return { messageType: 'task.assigned', payload: { ...summarise(report), dutyId: duty.id, rules: duty.rules, urls: duty.urls ?? [] } };
  // "Decide by": the rules' deadline from when it was last asked (set again by an escalation or an overdue reminder).
  const asked = c.store
    .listAudit(report.id)
    .filter((e) => (e.action === 'decision.escalated' || e.action === 'decision.overdue') && e.details.duty === duty.id)
    .at(-1);
  const dueAt = asked ? decisionDeadline(c, duty, new Date(asked.at)) : dutyDeadline(c, report, duty);
  return { messageType: 'decision.requested', payload: { ...summarise(report), ...decisionPayload(duty, dueAt, false) } };
}
