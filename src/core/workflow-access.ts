import { DomainError } from './errors.js';
import type { DutyRecord, ReportRecord } from './ports.js';
import { mustGetReport, Refused, type WorkflowCtx } from './workflow-context.js';
import type { ReportView } from './workflow-types.js';

// Who may act on a duty, and who may see a report (G1, G6, G7).

/** Who may act on a duty now: the levels of its chain reached so far. */
export function eligiblePeople(duty: Pick<DutyRecord, 'levels' | 'reach'>): string[] {
  return duty.levels.slice(0, duty.reach + 1).flatMap((l) => l.people);
}

export function mayAct(report: ReportRecord, duty: DutyRecord, actorId: string): boolean {
  return !report.routing.subjects.includes(actorId) && eligiblePeople(duty).includes(actorId);
}

export function accessOf(c: Pick<WorkflowCtx, 'directory'>, report: ReportRecord, duties: DutyRecord[], actorId: string): ReportView['access'] | undefined {
  if (report.routing.subjects.includes(actorId)) return undefined; // G1, whatever role they hold
  const routed = new Set<string>(report.routing.told.map((t) => t.personId));
  for (const d of duties) if (d.type !== 'task') for (const id of eligiblePeople(d)) routed.add(id);
  if (report.routing.dslChannel !== 'none' || duties.some((d) => d.via === 'dsl_channel'))
    for (const id of c.directory.dslChannelMembers()) routed.add(id);
  if (routed.has(actorId)) return 'full';
  if (duties.some((d) => d.type === 'task' && eligiblePeople(d).includes(actorId))) return 'task';
  if (report.reporterId === actorId) return 'receipt';
  return undefined;
}

export function findDuty(c: WorkflowCtx, reportId: string, type: DutyRecord['type'], dutyId: string | undefined, actorId: string, action: string): DutyRecord {
  const report = mustGetReport(c, reportId);
  const duties = c.store.listDuties(report.id).filter((d) => d.type === type && (!dutyId || d.id === dutyId));
  if (duties.length === 0) throw new DomainError('NOT_FOUND', `no ${type} on this report`);
  const mine = duties.filter((d) => mayAct(report, d, actorId));
  const duty = mine.find((d) => d.status === 'open') ?? mine[0];
  if (!duty) throw new Refused(actorId, action, report.id, new DomainError('FORBIDDEN', 'you are not the person asked'));
  return duty;
}
