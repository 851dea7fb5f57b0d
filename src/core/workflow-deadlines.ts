import type { PlannedDuty, TimerKind } from './policy-engine.js';
import type { DutyRecord, ReportRecord } from './ports.js';
import { eligiblePeople } from './workflow-access.js';
import { audit, type WorkflowCtx } from './workflow-context.js';
import { decisionPayload, flushDigests, send } from './workflow-notify.js';
import type { TickResult } from './workflow-types.js';
import { deadlineAfter, workingDayMinutes } from './working-time.js';

// Deadlines: the timers of each duty and what runs when one falls due (G3, G4).

export function firstDue(planned: PlannedDuty): Date | undefined {
  const t = planned.timers[0];
  return t ? new Date(t.dueAt) : undefined;
}

/** Runs the timers that are due (G3, G4). Safe to run from several loops: each timer runs once. */
export function tick(c: WorkflowCtx, limit = 100): TickResult {
  const now = c.clock();
  let processed = 0;
  for (const timer of c.store.dueTimers(now, limit)) {
    c.store.transaction(() => {
      if (!c.store.finishTimer(timer.token, 'done', now)) return;
      processed += 1;
      const duty = c.store.getDuty(timer.dutyId);
      const report = c.store.getReport(timer.reportId);
      if (!duty || !report || duty.status === 'done' || report.status === 'closed') return;
      if (timer.kind === 'ack_remind') remind(c, report, duty, timer.token, now);
      else if (timer.kind === 'ack_escalate') escalate(c, report, duty, timer.token, now);
      else decisionOverdue(c, report, duty, timer.token, now);
    });
  }
  // Posts held during a flood go out with the timers, after them (a reminder due now joins the listing).
  processed += flushDigests(c);
  return { processed };
}

export function remind(c: WorkflowCtx, report: ReportRecord, duty: DutyRecord, _token: string, now: Date): void {
  const people = eligiblePeople(duty);
  // One reminder per duty per deadline: timers of one duty that fall due together (after
  // downtime: the reminder, and an escalation with nobody further up) share this key.
  const event = `remind:${duty.id}:${now.getTime()}`;
  audit(c, 'system', 'ack.reminded', report.id, now, { duty: duty.id, to: people });
  if (duty.via === 'dsl_channel') send(c, { type: 'dsl_channel' }, 'ack.reminder', report, event, now, { dutyId: duty.id });
  for (const id of people) send(c, { type: 'person', id }, 'ack.reminder', report, event, now, { dutyId: duty.id });
}

export function escalate(c: WorkflowCtx, report: ReportRecord, duty: DutyRecord, token: string, now: Date): void {
  const next = duty.levels[duty.reach + 1];
  if (!next) {
    // Nobody further up the chain: keep reminding everyone who can act.
    audit(c, 'system', 'ack.escalation_exhausted', report.id, now, { duty: duty.id });
    remind(c, report, duty, token, now);
    scheduleAck(c, report, duty, now, ['ack_escalate']);
    return;
  }
  c.store.updateDuty(duty.id, { reach: duty.reach + 1 });
  audit(c, 'system', 'ack.escalated', report.id, now, { duty: duty.id, toRole: next.role, to: next.people });
  const dueAt = scheduleAck(c, report, duty, now, ['ack_remind', 'ack_escalate'])?.toISOString();
  const payload = { dutyId: duty.id, toRole: next.role, dueAt };
  if (duty.via === 'dsl_channel') send(c, { type: 'dsl_channel' }, 'report.escalated', report, `timer:${token}`, now, payload);
  for (const id of next.people) send(c, { type: 'person', id }, 'report.escalated', report, `timer:${token}`, now, payload);
}

export function decisionOverdue(c: WorkflowCtx, report: ReportRecord, duty: DutyRecord, token: string, now: Date): void {
  const next = duty.levels[duty.reach + 1];
  const dueAt = decisionDeadline(c, duty, now);
  if (!next) {
    audit(c, 'system', 'decision.overdue', report.id, now, { duty: duty.id });
    for (const id of eligiblePeople(duty))
      send(c, { type: 'person', id }, 'decision.requested', report, `timer:${token}`, now, decisionPayload(duty, dueAt, true));
  } else {
    c.store.updateDuty(duty.id, { reach: duty.reach + 1 });
    audit(c, 'system', 'decision.escalated', report.id, now, { duty: duty.id, toRole: next.role, to: next.people });
    for (const id of next.people)
      send(c, { type: 'person', id }, 'decision.requested', report, `timer:${token}`, now, decisionPayload(duty, dueAt, true));
  }
  if (dueAt) scheduleTimer(c, report, duty, 'decision_due', dueAt, now);
}

export function decisionDeadline(c: WorkflowCtx, duty: Pick<DutyRecord, 'rules'>, now: Date): Date | undefined {
  const rule = c.policy.rules.find((r) => duty.rules.includes(r.id) && r.decision?.dueWorkingDays);
  const days = rule?.decision?.dueWorkingDays;
  if (!days) return undefined;
  const wh = c.directory.workingHours;
  return deadlineAfter(now, days * workingDayMinutes(wh), 'working_hours', wh, c.directory.timeZone);
}

export function scheduleAck(c: WorkflowCtx, report: ReportRecord, duty: DutyRecord, now: Date, kinds: TimerKind[]): Date | undefined {
  const a = c.policy.deadlines.acknowledge[report.urgent ? 'urgent' : 'normal'];
  const at = (minutes: number) => deadlineAfter(now, minutes, a.clock, c.directory.workingHours, c.directory.timeZone);
  const due = kinds.map((kind) => {
    const when = at(kind === 'ack_remind' ? a.remindAfterMinutes : a.escalateAfterMinutes);
    scheduleTimer(c, report, duty, kind, when, now);
    return when;
  });
  return due[0];
}

export function scheduleTimer(c: WorkflowCtx, report: ReportRecord, duty: DutyRecord, kind: TimerKind, dueAt: Date, now: Date): void {
  c.store.scheduleTimer({ token: c.newId(), reportId: report.id, dutyId: duty.id, kind, dueAt: dueAt.getTime() }, now);
}

/**
 * The deadline the rules give an open duty, from when it was set: "acknowledge by" (the
 * first, reminder deadline, G3) and "decide by" (G4). A task has none. The open-case
 * list marks a case overdue once one of its open duties is past this.
 */
export function dutyDeadline(c: WorkflowCtx, report: Pick<ReportRecord, 'urgent'>, duty: Pick<DutyRecord, 'type' | 'createdAt' | 'rules'>): Date | undefined {
  const from = new Date(duty.createdAt);
  const wh = c.directory.workingHours;
  if (duty.type === 'acknowledge') {
    const a = c.policy.deadlines.acknowledge[report.urgent ? 'urgent' : 'normal'];
    return deadlineAfter(from, a.remindAfterMinutes, a.clock, wh, c.directory.timeZone);
  }
  if (duty.type === 'decision') return decisionDeadline(c, duty, from);
  return undefined;
}
