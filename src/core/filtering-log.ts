import { DomainError } from './errors.js';
import type { CaseFacts } from './governors-report.js';
import type { Policy } from './policy-schema.js';
import { contentCategoryLabels, kindLabels } from './report-schemas.js';
import type { Directory, Role } from './school.js';

// The filtering and blocking log (DfE filtering and monitoring standards): what was
// reported, what was blocked, by whom, when and why. No report text: the web addresses,
// the content category, the rule, and the ICT technician's note of what was done.

/** Who may export the log: the DSL, the deputies, the headteacher and the ICT technician. */
export const filteringLogRoles: readonly Role[] = ['dsl', 'deputy_dsl', 'headteacher', 'ict_technician'];

export interface FilteringLogRow {
  reference: string;
  reportedAt: string;
  kind: string;
  category: string;
  webAddresses: string;
  rules: string;
  why: string;
  status: 'blocked' | 'waiting';
  blockedBy: string;
  blockedAt: string;
  actionTaken: string;
}

export function mayExportFilteringLog(directory: Directory, personId: string): boolean {
  return directory.has(personId) && directory.rolesOf(personId).some((r) => filteringLogRoles.includes(r));
}

/** One row per block task, oldest first; never a case this person is the subject of (G1). */
export function filteringLog(input: { directory: Directory; policy: Policy; actorId: string; cases: CaseFacts[] }): FilteringLogRow[] {
  if (!mayExportFilteringLog(input.directory, input.actorId)) throw new DomainError('FORBIDDEN', 'you may not export the filtering log');
  const title = (id: string) => input.policy.rules.find((r) => r.id === id)?.title ?? id;
  return input.cases
    .filter((c) => !c.report.routing.subjects.includes(input.actorId))
    .sort((a, b) => a.report.submittedAt.localeCompare(b.report.submittedAt))
    .flatMap((c) =>
      c.duties
        .filter((d) => d.type === 'task')
        .map((d) => {
          const form = c.report.form as { category?: keyof typeof contentCategoryLabels };
          return {
            reference: c.report.reference,
            reportedAt: c.report.submittedAt,
            kind: kindLabels[c.report.kind],
            category: form.category ? contentCategoryLabels[form.category] : '',
            webAddresses: (d.urls ?? []).join(' '),
            rules: d.rules.join(' '),
            why: d.rules.map((r) => `${r}: ${title(r)}`).join('; '),
            status: d.status === 'done' ? ('blocked' as const) : ('waiting' as const),
            blockedBy: d.doneBy ? input.directory.displayName(d.doneBy) : '',
            blockedAt: d.doneAt ?? '',
            actionTaken: d.result?.action ?? '',
          };
        }),
    );
}

/** Who may export the audit log: the DSL and the deputies (the keepers of the record). */
export const auditExportRoles: readonly Role[] = ['dsl', 'deputy_dsl'];

export function mayExportAuditLog(directory: Directory, personId: string): boolean {
  return directory.has(personId) && directory.rolesOf(personId).some((r) => auditExportRoles.includes(r));
}

/** The audit log's entries this person may export: never those of a case they are the subject of (G1). */
export function auditLogForExport<E extends { reportId?: string | undefined }>(input: {
  directory: Directory;
  actorId: string;
  entries: E[];
  subjectsOf: (reportId: string) => string[];
}): E[] {
  if (!mayExportAuditLog(input.directory, input.actorId)) throw new DomainError('FORBIDDEN', 'you may not export the audit log');
  const hidden = new Map<string, boolean>();
  return input.entries.filter((e) => {
    if (!e.reportId) return true;
    if (!hidden.has(e.reportId)) hidden.set(e.reportId, input.subjectsOf(e.reportId).includes(input.actorId));
    return !hidden.get(e.reportId);
  });
}
