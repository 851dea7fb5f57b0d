import { caseActionLabel } from './case-actions.js';
import { closeOutcomes } from './messages.js';
import { roleWords, type ChainRole } from './policy-engine.js';
import type { AuditEntry, CaseEntryRecord, DutyRecord, EvidenceRecord, ReportRecord } from './ports.js';
import type { Directory } from './school.js';

/**
 * A case's chronology (issue 12): everything that happened to it, oldest first, from the
 * audit log (acknowledgements, reminders, escalations), its duties (decisions with their
 * reasons, the ICT action), its evidence and its own entries (notes, actions, closings
 * and reopenings with their reasons). Only ever shown to those who may see the whole report.
 */
export interface ChronologyEntry {
  at: string;
  event:
    | 'submitted'
    | 'asked'
    | 'told'
    | 'acknowledged'
    | 'reminded'
    | 'escalated'
    | 'decision_overdue'
    | 'decided'
    | 'task_done'
    | 'evidence'
    | 'note'
    | 'action'
    | 'closed'
    | 'reopened'
    | 'record';
  /** Who did it (a name), if a person did. */
  by?: string;
  /** Who was told, asked, reminded or escalated to: "Name (the DSL)". */
  people?: string[];
  /** What: the duty asked, the decision's choice, the action, the outcome (in the words the cards used). */
  what?: string;
  /** A reason, a note, the action taken. */
  text?: string;
  externalRef?: string;
  /** An acknowledgement that came with a decision or a closing. */
  via?: 'decision' | 'close';
}

export interface ChronologySources {
  report: ReportRecord;
  duties: DutyRecord[];
  audit: AuditEntry[];
  evidence: EvidenceRecord[];
  entries: CaseEntryRecord[];
  directory: Directory;
}

const dutyAsked = { acknowledge: 'acknowledge', decision: 'decide', task: 'block the web addresses' } as const;

export function chronology(s: ChronologySources): ChronologyEntry[] {
  const name = (id: string) => s.directory.displayName(id);
  const withRole = (id: string, role?: ChainRole) => {
    const r = role ?? (s.directory.rolesOf(id).find((x) => x in roleWords) as ChainRole | undefined);
    return r ? `${name(id)} (${roleWords[r]})` : name(id);
  };
  const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const out: ChronologyEntry[] = [{ at: s.report.submittedAt, event: 'submitted', by: name(s.report.reporterId) }];
  for (const d of s.duties) {
    const first = d.levels[0];
    if (first) out.push({ at: d.createdAt, event: 'asked', what: dutyAsked[d.type], people: first.people.map((id) => withRole(id, first.role)) });
  }
  if (s.report.routing.told.length > 0)
    out.push({ at: s.report.submittedAt, event: 'told', people: s.report.routing.told.map((t) => withRole(t.personId)) });
  for (const a of s.audit) {
    const role = typeof a.details.toRole === 'string' ? (a.details.toRole as ChainRole) : undefined;
    if (a.action === 'report.acknowledged') {
      const via = a.details.via === 'decision' || a.details.via === 'close' ? a.details.via : undefined;
      out.push({ at: a.at, event: 'acknowledged', by: name(a.actor), ...(via ? { via } : {}) });
    } else if (a.action === 'ack.reminded') out.push({ at: a.at, event: 'reminded', people: ids(a.details.to).map((id) => withRole(id)) });
    else if (a.action === 'ack.escalated' || a.action === 'decision.escalated')
      out.push({ at: a.at, event: 'escalated', what: a.action === 'ack.escalated' ? 'acknowledge' : 'decide', people: ids(a.details.to).map((id) => withRole(id, role)) });
    else if (a.action === 'decision.overdue') out.push({ at: a.at, event: 'decision_overdue' });
    else {
      const what = recordWords(a);
      if (what) out.push({ at: a.at, event: 'record', what, ...(s.directory.has(a.actor) ? { by: name(a.actor) } : {}) });
    }
  }
  for (const d of s.duties) {
    if (d.status !== 'done' || !d.doneAt || !d.doneBy) continue;
    if (d.type === 'decision' && d.result?.choice)
      out.push({
        at: d.doneAt,
        event: 'decided',
        by: name(d.doneBy),
        what: d.choices?.find((c) => c.id === d.result?.choice)?.label ?? d.result.choice,
        ...(d.result.reason ? { text: d.result.reason } : {}),
      });
    if (d.type === 'task') out.push({ at: d.doneAt, event: 'task_done', by: name(d.doneBy), ...(d.result?.action ? { text: d.result.action } : {}) });
  }
  for (const e of s.evidence) out.push({ at: e.addedAt, event: 'evidence', by: name(e.addedBy), what: e.fileName ?? e.mediaType });
  const outcome = (id: string | undefined) => closeOutcomes.find((o) => o.id === id)?.label ?? id;
  for (const e of s.entries) {
    const base = { at: e.at, by: name(e.actor), ...(e.text ? { text: e.text } : {}), ...(e.externalRef ? { externalRef: e.externalRef } : {}) };
    if (e.kind === 'note') out.push({ ...base, event: 'note' });
    else if (e.kind === 'action') out.push({ ...base, event: 'action', what: caseActionLabel(e.what) ?? e.what ?? '' });
    else if (e.kind === 'closed') out.push({ ...base, event: 'closed', what: outcome(e.what) ?? '' });
    else out.push({ ...base, event: 'reopened' });
  }
  // A report closed before case entries existed: its closing from the report itself.
  if (s.report.status === 'closed' && !s.entries.some((e) => e.kind === 'closed') && s.report.closedAt)
    out.push({
      at: s.report.closedAt,
      event: 'closed',
      by: name(s.report.closedBy ?? ''),
      what: outcome(s.report.outcome) ?? '',
      ...(s.report.closeReason ? { text: s.report.closeReason } : {}),
    });
  // Oldest first; the same moment keeps the order above (submitted, asked, told, …).
  return out.map((e, i) => ({ e, i })).sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || a.i - b.i).map(({ e }) => e);
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * The record's own steps (issue 14), from the audit log: a transfer to the next school and
 * its receipt, a legal hold, a date of birth recorded, a pupil's identity merged or split.
 * Ids, codes and dates only: the receiving school, reasons and the date of birth are sealed
 * elsewhere and shown on the retention page.
 */
function recordWords(a: AuditEntry): string | undefined {
  const d = a.details;
  switch (a.action) {
    case 'transfer.sent': {
      const n = typeof d.cases === 'number' && d.cases > 1 ? ` with ${d.cases - 1} other case${d.cases > 2 ? 's' : ''} about the pupil` : '';
      return `Sent to the pupil's next school${n} (receipt code ${str(d.code) ?? '?'})`;
    }
    case 'transfer.confirmed':
      return `The next school confirmed receipt (${str(d.code) ?? '?'})`;
    case 'transfer.overdue':
      return `The next school's receipt is overdue (${str(d.code) ?? '?'}): the DSL was reminded`;
    case 'retention.hold_set':
      return 'Legal hold placed';
    case 'retention.hold_lifted':
      return 'Legal hold lifted';
    case 'retention.date_of_birth_set':
      return `Date of birth ${d.corrected === true ? 'corrected' : 'recorded'}${str(d.reviewDate) ? `; review date now ${str(d.reviewDate)}` : ''}`;
    case 'pupil.merged':
      return 'The pupil was linked with another spelling of their name (merged)';
    case 'pupil.split':
      return 'The pupil was told apart from another of the same name (split)';
    default:
      return undefined;
  }
}
