import { DomainError } from './errors.js';
import type { DecisionChoice } from './policy-schema.js';
import type { DutyRecord, EvidenceFiles, ReportRecord, ReportStatus, WorkflowStore } from './ports.js';
import { kindLabels, type ReportKind } from './report-schemas.js';
import type { Directory, Role } from './school.js';
import { accessOf, eligiblePeople, mayAct } from './workflow-access.js';
import type { CaseFacts } from './governors-report.js';
import type { Clock } from './working-time.js';
import { PupilIdentities, pupilMentions } from './pupil-identities.js';

// The case console's reads: who may enter, the queue with its filters, what this person
// may do on a case, and an evidence file shown on request (audited). Channel-free: the
// console in src/console/ renders these; every check is here, as for the chat commands.

/** What the console's queries read: the workflow's store, evidence files, directory and clock. */
export interface CaseConsoleDeps {
  store: WorkflowStore;
  files: EvidenceFiles;
  directory: Directory;
  clock: Clock;
}

/** The roles whose holders may enter the console (each then sees only what core lets them see). */
export const consoleRoles: readonly Role[] = ['dsl', 'deputy_dsl', 'headteacher', 'chair_of_governors', 'ict_technician', 'reputation_lead'];

/** May this person (a directory id) enter the console at all? */
export function mayEnterConsole(directory: Directory, personId: string): boolean {
  return directory.has(personId) && directory.rolesOf(personId).some((r) => consoleRoles.includes(r));
}

export interface QueueFilters {
  kind?: ReportKind | undefined;
  status?: Exclude<ReportStatus, 'closed'> | undefined;
  rule?: string | undefined;
}

export interface QueueEntry {
  reportId: string;
  reference: string;
  kind: ReportKind;
  kindLabel: string;
  status: ReportStatus;
  urgent: boolean;
  submittedAt: string;
  rules: string[];
  /** Who holds the case now: those who may act on its first open duty, else whoever acknowledged it. */
  owners: string[];
  /** The open duties (acknowledge, decision, task). */
  waitingFor: DutyRecord['type'][];
  /** A deadline passed on something still open (reminded past escalation, escalated, or a decision overdue). */
  overdue: boolean;
  nextDeadline?: string;
  /** 'task': the ICT technician's own block task only. */
  access: 'full' | 'task';
}

// TODO(after merge): main's openQueue now marks `overdue` by each open duty's deadline
// (workflow-deadlines dutyDeadline); use that one definition here too.
const overdueActions = new Set(['ack.escalated', 'ack.escalation_exhausted', 'decision.escalated', 'decision.overdue']);

/**
 * Open cases this person may see (never those they are the subject of, G1), overdue
 * first, then by next deadline, then oldest first. Listing is not viewing: the queue
 * shows the reference, kind, rules, owner and deadlines; opening a case is audited.
 */
export function caseQueue(d: CaseConsoleDeps, actorId: string, filters: QueueFilters = {}): QueueEntry[] {
  const now = d.clock().getTime();
  const entries: QueueEntry[] = [];
  for (const r of d.store.listReportsNotClosed()) {
    if (filters.kind && r.kind !== filters.kind) continue;
    if (filters.status && r.status !== filters.status) continue;
    if (filters.rule && !r.routing.rules.includes(filters.rule)) continue;
    const duties = d.store.listDuties(r.id);
    const access = accessOf(d, r, duties, actorId);
    if (access !== 'full' && access !== 'task') continue;
    const open = duties.filter((x) => x.status === 'open');
    const timer = d.store.nextTimer(r.id);
    const openIds = new Set(open.map((x) => x.id));
    const escalated = d.store.listAudit(r.id).some((a) => overdueActions.has(a.action) && openIds.has(String(a.details.duty)));
    entries.push({
      reportId: r.id,
      reference: r.reference,
      kind: r.kind,
      kindLabel: kindLabels[r.kind],
      status: r.status,
      urgent: r.urgent,
      submittedAt: r.submittedAt,
      rules: r.routing.rules,
      owners: ownersOf(d.directory, duties),
      waitingFor: open.map((x) => x.type),
      overdue: escalated || (timer !== undefined && timer.dueAt <= now),
      ...(timer ? { nextDeadline: new Date(timer.dueAt).toISOString() } : {}),
      access,
    });
  }
  const deadline = (e: QueueEntry) => (e.nextDeadline ? Date.parse(e.nextDeadline) : Number.POSITIVE_INFINITY);
  return entries.sort(
    (a, b) => Number(b.overdue) - Number(a.overdue) || deadline(a) - deadline(b) || a.submittedAt.localeCompare(b.submittedAt),
  );
}

function ownersOf(directory: Directory, duties: DutyRecord[]): string[] {
  const first = duties.find((x) => x.status === 'open' && x.type === 'acknowledge') ?? duties.find((x) => x.status === 'open');
  if (first) return eligiblePeople(first).map((id) => directory.displayName(id));
  const ack = duties.find((x) => x.type === 'acknowledge' && x.doneBy);
  return ack?.doneBy ? [directory.displayName(ack.doneBy)] : [];
}

export interface CaseActions {
  /** Open decisions this person is asked to make now, with the rule's choices. */
  decisions: { dutyId: string; rules: string[]; question?: string | undefined; choices: DecisionChoice[] }[];
  /** Open block tasks this person is asked to do now. */
  tasks: { dutyId: string; rules: string[]; urls: string[] }[];
  /** Does this person own the case (an acknowledge duty they may act on), so may close it (G5)? */
  mayClose: boolean;
}

/** What this person may do on a case now; core checks again when they do it. Nothing for a subject (G1). */
export function caseActions(d: CaseConsoleDeps, reportId: string, actorId: string): CaseActions {
  const report = d.store.getReport(reportId);
  if (!report) return { decisions: [], tasks: [], mayClose: false };
  const duties = d.store.listDuties(report.id);
  const mine = duties.filter((x) => mayAct(report, x, actorId));
  return {
    decisions: mine
      .filter((x) => x.type === 'decision' && x.status === 'open')
      .map((x) => ({ dutyId: x.id, rules: x.rules, question: x.question, choices: x.choices ?? [] })),
    tasks: mine.filter((x) => x.type === 'task' && x.status === 'open').map((x) => ({ dutyId: x.id, rules: x.rules, urls: x.urls ?? [] })),
    mayClose: report.status !== 'closed' && mine.some((x) => x.type === 'acknowledge'),
  };
}

/**
 * One evidence file, shown only on request to someone who may see the whole case (never
 * its subject, G1; not the ICT technician's task view); the viewing is audited, and so
 * is a refusal.
 */
export async function viewEvidence(
  d: CaseConsoleDeps,
  cmd: { reportId: string; evidenceId: string; actorId: string },
): Promise<{ bytes: Buffer; mediaType: string; sha256: string }> {
  const now = d.clock();
  const found = d.store.transaction(() => {
    const report = d.store.getReport(cmd.reportId);
    if (!report) return { error: new DomainError('NOT_FOUND', 'no such report') };
    const access = accessOf(d, report, d.store.listDuties(report.id), cmd.actorId);
    if (access !== 'full') return { refused: report };
    const evidence = d.store.listEvidence(report.id).find((e) => e.id === cmd.evidenceId);
    if (!evidence) return { error: new DomainError('NOT_FOUND', 'no such evidence') };
    d.store.appendAudit({
      at: now.toISOString(),
      actor: cmd.actorId,
      action: 'evidence.viewed',
      reportId: report.id,
      details: { evidence: evidence.id, sha256: evidence.sha256, via: 'console' },
    });
    return { evidence };
  });
  if ('refused' in found && found.refused) {
    refused(d, cmd.actorId, 'view_evidence', found.refused, now);
    throw new DomainError('FORBIDDEN', 'you are not entitled to see this evidence');
  }
  if ('error' in found && found.error) throw found.error;
  const evidence = 'evidence' in found ? found.evidence : undefined;
  if (!evidence) throw new DomainError('NOT_FOUND', 'no such evidence');
  return { bytes: await d.files.read(evidence.sha256), mediaType: evidence.mediaType, sha256: evidence.sha256 };
}

function refused(d: CaseConsoleDeps, actorId: string, action: string, report: ReportRecord, now: Date): void {
  d.store.transaction(() =>
    d.store.appendAudit({ at: now.toISOString(), actor: actorId, action: 'action.refused', reportId: report.id, details: { action, code: 'FORBIDDEN' } }),
  );
}

/** Signing in to and out of the console, and a refused entry, are on the record too (ids only). */
export function recordConsoleEvent(
  d: CaseConsoleDeps,
  actorId: string,
  action: 'console.signed_in' | 'console.signed_out' | 'console.refused' | 'console.exported',
  details: Record<string, unknown>,
  reportId?: string,
): void {
  const at = d.clock().toISOString();
  d.store.transaction(() => d.store.appendAudit({ at, actor: actorId, action, reportId, details }));
}

export interface RelatedCase {
  reportId: string;
  reference: string;
  kindLabel: string;
  status: ReportStatus;
  submittedAt: string;
  /** Why it is linked: "the same member of staff: <name>" or "the same pupil (as reported)". */
  why: string;
  /** What links it: the same member of staff, or the same pupil (by identity). */
  via: 'staff' | 'pupil';
}

/**
 * Other cases about the same member of staff (a person of the school file the case is
 * about) or the same pupil (by identity: name and year group as reported, unless the DSL
 * merged or split them), that this person may see whole; never one they are the subject of (G1). Newest first.
 */
export function relatedCases(
  d: Pick<CaseConsoleDeps, 'directory'>,
  cases: CaseFacts[],
  reportId: string,
  actorId: string,
  identities: PupilIdentities = new PupilIdentities(),
): RelatedCase[] {
  const self = cases.find((c) => c.report.id === reportId);
  if (!self) return [];
  const staff = self.report.routing.subjects.filter((id) => d.directory.has(id));
  const mine = pupilMentions(self.report).map((m) => ({ id: identities.of(m), key: m.key }));
  return cases
    .filter((c) => c.report.id !== reportId)
    .flatMap((c) => {
      const sameStaff = staff.find((id) => c.report.routing.subjects.includes(id));
      const pupilMatches = pupilMentions(c.report).flatMap((m) => mine.filter((x) => x.id === identities.of(m)).map((x) => x.key === m.key));
      const samePupil = pupilMatches.length > 0;
      if (!sameStaff && !samePupil) return [];
      if (accessOf(d, c.report, c.duties, actorId) !== 'full') return [];
      return [
        {
          reportId: c.report.id,
          reference: c.report.reference,
          kindLabel: kindLabels[c.report.kind],
          status: c.report.status,
          submittedAt: c.report.submittedAt,
          via: sameStaff ? ('staff' as const) : ('pupil' as const),
          why: sameStaff
            ? `the same member of staff: ${d.directory.displayName(sameStaff)}`
            : pupilMatches.includes(true)
              ? 'the same pupil (name and year group as reported)'
              : 'the same pupil (another spelling, merged by the DSL)',
        },
      ];
    })
    .sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
}
