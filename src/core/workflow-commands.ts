import { contentSha256 } from './audit-chain.js';
import { DomainError, type FieldIssue } from './errors.js';
import { closeOutcomes } from './messages.js';
import type { DutyRecord } from './ports.js';
import { assertLength, textLimits } from './text-limits.js';
import { findDuty, mayAct } from './workflow-access.js';
import { audit, decided, mustGetReport, Refused, unchanged, type WorkflowCtx } from './workflow-context.js';
import { dutyRecipients, send } from './workflow-notify.js';
import type { ActionResult } from './workflow-types.js';

// The steps people take on a report: acknowledge, decide, complete the ICT task, close.

export function acknowledge(c: WorkflowCtx, cmd: { reportId: string; actorId: string }): ActionResult {
  const now = c.clock();
  // Read, check and write in one transaction: a second acknowledgement (another process,
  // a double click) sees the first one's writes and answers "already".
  return decided(c, () => {
    const report = mustGetReport(c, cmd.reportId);
    const duties = c.store.listDuties(report.id).filter((d) => d.type === 'acknowledge');
    const mine = duties.filter((d) => mayAct(report, d, cmd.actorId));
    if (mine.length === 0) {
      const doneByMe = duties.find((d) => d.status === 'done' && d.doneBy === cmd.actorId);
      if (doneByMe) return unchanged(report, doneByMe);
      throw new Refused(cmd.actorId, 'acknowledge', report.id, new DomainError('FORBIDDEN', 'you are not one of the people who acknowledge this report'));
    }
    const open = mine.filter((d) => d.status === 'open');
    if (open.length === 0) return unchanged(report, mine[0] as DutyRecord);
    if (report.status === 'closed') throw new DomainError('REPORT_CLOSED', 'the report is closed');

    for (const d of open) {
      c.store.updateDuty(d.id, { status: 'done', doneBy: cmd.actorId, doneAt: now.toISOString() });
      c.store.cancelTimersForDuty(d.id, now);
    }
    audit(c, cmd.actorId, 'report.acknowledged', report.id, now, {
      duties: open.map((d) => d.id),
      rules: open.flatMap((d) => d.rules),
    });
    for (const d of open) {
      for (const r of dutyRecipients(d))
        send(c, r, 'report.acknowledged', report, `ack:${d.id}`, now, {
          dutyId: d.id,
          acknowledgedBy: c.directory.displayName(cmd.actorId),
          acknowledgedAt: now.toISOString(),
        });
    }
    const allDone = c.store.listDuties(report.id).every((d) => d.type !== 'acknowledge' || d.status === 'done');
    if (allDone && report.status === 'open') {
      c.store.updateReport(report.id, { status: 'acknowledged', acknowledgedAt: now.toISOString() });
      send(c, { type: 'person', id: report.reporterId }, 'receipt.status', report, `ack:${report.id}`, now, {
        status: 'acknowledged',
      });
    }
    return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
  });
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
    if (!duty.choices?.some((c) => c.id === cmd.choice))
      throw new DomainError('INVALID_CHOICE', 'that is not one of the choices', [{ path: 'choice', message: 'Please choose one of the options.' }]);
    const reason = cmd.reason.trim();
    if (reason.length === 0)
      throw new DomainError('REASON_REQUIRED', 'a reason is required', [{ path: 'reason', message: 'Please give the reason for your decision.' }]);
    assertLength('reason', reason, textLimits.decisionReason);
    c.store.updateDuty(duty.id, {
      status: 'done',
      doneBy: cmd.actorId,
      doneAt: now.toISOString(),
      result: { choice: cmd.choice, reason },
    });
    c.store.cancelTimersForDuty(duty.id, now);
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

/** G5: a report closes only with an outcome and a reason, once everything asked of people is done. */
export function close(c: WorkflowCtx, cmd: { reportId: string; actorId: string; outcome: string; reason: string }): ActionResult {
  const now = c.clock();
  return decided(c, () => {
    const report = mustGetReport(c, cmd.reportId);
    const duties = c.store.listDuties(report.id);
    const owned = duties.filter((d) => d.type === 'acknowledge' && mayAct(report, d, cmd.actorId));
    if (owned.length === 0)
      throw new Refused(cmd.actorId, 'close', report.id, new DomainError('FORBIDDEN', 'only the people who own this report close it'));
    if (report.status === 'closed') {
      if (report.closedBy === cmd.actorId) return { reportId: report.id, reference: report.reference, changed: false, by: cmd.actorId, at: report.closedAt ?? '' };
      throw new DomainError('REPORT_CLOSED', 'the report is already closed');
    }
    const issues: FieldIssue[] = [];
    if (!closeOutcomes.some((o) => o.id === cmd.outcome)) issues.push({ path: 'outcome', message: 'Please choose the outcome.' });
    const reason = cmd.reason.trim();
    if (reason.length === 0) issues.push({ path: 'reason', message: 'Please give the reason for closing the report.' });
    if (issues.length > 0) throw new DomainError('REASON_REQUIRED', 'an outcome and a reason are required (G5)', issues);
    assertLength('reason', reason, textLimits.closeReason);
    const pending = duties.filter((d) => d.status === 'open' && !(d.type === 'acknowledge' && owned.includes(d)));
    if (pending.length > 0)
      throw new DomainError('DUTIES_PENDING', `still waiting for: ${pending.map((d) => `${d.type} (${d.rules.join(', ')})`).join('; ')}`);
    for (const d of duties.filter((x) => x.status === 'open')) {
      c.store.updateDuty(d.id, { status: 'done', doneBy: cmd.actorId, doneAt: now.toISOString() });
    }
    for (const d of duties) c.store.cancelTimersForDuty(d.id, now);
    c.store.updateReport(report.id, {
      status: 'closed',
      closedAt: now.toISOString(),
      closedBy: cmd.actorId,
      outcome: cmd.outcome,
      closeReason: reason,
      ...(report.acknowledgedAt ? {} : { acknowledgedAt: now.toISOString() }),
    });
    audit(c, cmd.actorId, 'report.closed', report.id, now, { outcome: cmd.outcome, reasonSha256: contentSha256(reason) });
    for (const d of owned)
      for (const r of dutyRecipients(d))
        send(c, r, 'report.closed', report, `close:${report.id}`, now, {
          dutyId: d.id,
          closedBy: c.directory.displayName(cmd.actorId),
          closedAt: now.toISOString(),
        });
    send(c, { type: 'person', id: report.reporterId }, 'receipt.status', report, `close:${report.id}`, now, { status: 'closed' });
    return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
  });
}
