import { closeOutcomes } from './messages.js';
import type { AuditEntry, DutyRecord, ReportRecord } from './ports.js';
import { kindLabels, reportKinds } from './report-schemas.js';
import { localDate } from './working-time.js';

// The governors' report for a term or a year: counts and times, no names, small counts
// suppressed so that nobody can be identified. A pure function of the records it is given.

/** Counts from 1 to this minus one are shown as "fewer than N"; so are times over fewer cases. */
export const suppressBelow = 5;

export interface CountCell {
  /** The number, or null when suppressed (1 to suppressBelow - 1, or hidden so a suppressed one cannot be worked out). */
  count: number | null;
  /** What the report prints: "12", "0", or "fewer than 5" / "hidden". */
  shown: string;
}

export interface CountRow extends CountCell {
  key: string;
  label: string;
}

export interface TimeStat {
  /** How many cases the times are over; the times are left out when fewer than suppressBelow. */
  cases: CountCell;
  medianMinutes: number | null;
  slowestMinutes: number | null;
}

export interface GovernorsReport {
  from: string;
  to: string;
  schoolName: string;
  threshold: number;
  total: CountCell;
  byKind: CountRow[];
  byRule: CountRow[];
  closedByOutcome: CountRow[];
  urgent: CountCell;
  /** Cases on which a deadline passed with the step still open (escalated, or a decision overdue). */
  overdue: CountCell;
  escalated: CountCell;
  stillOpen: CountCell;
  toAcknowledge: TimeStat;
  toDecide: TimeStat;
}

export interface CaseFacts {
  report: ReportRecord;
  duties: DutyRecord[];
  audit: AuditEntry[];
}

function cell(n: number): CountCell {
  if (n > 0 && n < suppressBelow) return { count: null, shown: `fewer than ${suppressBelow}` };
  return { count: n, shown: String(n) };
}

/**
 * A breakdown whose total is shown: suppresses small counts, and when only one count is
 * suppressed, also the next smallest, so that no suppressed count can be worked out by
 * subtraction from the total.
 */
function rows(entries: { key: string; label: string; n: number }[]): CountRow[] {
  const out = entries.map((e) => ({ key: e.key, label: e.label, ...cell(e.n) }));
  const suppressed = out.filter((r) => r.count === null);
  if (suppressed.length === 1) {
    const next = out.filter((r) => r.count !== null && r.count > 0).sort((a, b) => (a.count ?? 0) - (b.count ?? 0))[0];
    if (next) Object.assign(next, { count: null, shown: 'hidden' });
  }
  return out;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : Math.round(((s[mid - 1] as number) + (s[mid] as number)) / 2);
}

function timeStat(minutes: number[]): TimeStat {
  const cases = cell(minutes.length);
  if (cases.count === null || minutes.length === 0) return { cases, medianMinutes: null, slowestMinutes: null };
  return { cases, medianMinutes: median(minutes), slowestMinutes: Math.max(...minutes) };
}

const minutesBetween = (a: string, b: string) => Math.max(0, Math.round((Date.parse(b) - Date.parse(a)) / 60_000));

/** The report over the cases submitted from `from` to `to` (school dates, both included). */
export function governorsReport(input: { from: string; to: string; schoolName: string; timeZone: string; rules: { id: string; title: string }[]; cases: CaseFacts[] }): GovernorsReport {
  const inPeriod = input.cases.filter((c) => {
    const day = localDate(new Date(c.report.submittedAt), input.timeZone);
    return day >= input.from && day <= input.to;
  });
  const count = (pred: (c: CaseFacts) => boolean) => inPeriod.filter(pred).length;
  const escalatedActions = new Set(['ack.escalated', 'decision.escalated']);
  const overdueActions = new Set(['ack.escalated', 'ack.escalation_exhausted', 'decision.escalated', 'decision.overdue']);
  const ackMinutes = inPeriod.flatMap((c) => (c.report.acknowledgedAt ? [minutesBetween(c.report.submittedAt, c.report.acknowledgedAt)] : []));
  const decideMinutes = inPeriod.flatMap((c) =>
    c.duties.filter((d) => d.type === 'decision' && d.doneAt && d.result?.choice).map((d) => minutesBetween(c.report.submittedAt, d.doneAt as string)),
  );
  return {
    from: input.from,
    to: input.to,
    schoolName: input.schoolName,
    threshold: suppressBelow,
    total: cell(inPeriod.length),
    byKind: rows(reportKinds.map((k) => ({ key: k, label: kindLabels[k], n: count((c) => c.report.kind === k) }))),
    byRule: rows([...input.rules, { id: 'triage', title: 'No rule matched (triage)' }].map((r) => ({ key: r.id, label: r.id === 'triage' ? r.title : `${r.id} ${r.title}`, n: count((c) => c.report.routing.rules.includes(r.id)) }))),
    closedByOutcome: rows(closeOutcomes.map((o) => ({ key: o.id, label: o.label, n: count((c) => c.report.status === 'closed' && c.report.outcome === o.id) }))),
    urgent: cell(count((c) => c.report.urgent)),
    overdue: cell(count((c) => c.audit.some((a) => overdueActions.has(a.action)))),
    escalated: cell(count((c) => c.audit.some((a) => escalatedActions.has(a.action)))),
    stillOpen: cell(count((c) => c.report.status !== 'closed')),
    toAcknowledge: timeStat(ackMinutes),
    toDecide: timeStat(decideMinutes),
  };
}

/** "2 h 05 min", "3 days 4 h" (wall-clock time). */
export function durationWords(minutes: number | null): string {
  if (minutes === null) return 'not shown';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} day${days === 1 ? '' : 's'} ${hours} h`;
  if (hours > 0) return `${hours} h ${String(mins).padStart(2, '0')} min`;
  return `${mins} min`;
}
