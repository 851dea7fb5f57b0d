import { DomainError } from './errors.js';
import type { CaseFacts } from './governors-report.js';
import { closeOutcomes } from './messages.js';
import { kindLabels } from './report-schemas.js';
import type { Directory, Role } from './school.js';

// The reputation log: posts about the school and a parent's abusive posts (R9), what was
// decided and by whom. The platform and where it was posted; not the text of the report.

export const reputationLogRoles: readonly Role[] = ['reputation_lead', 'headteacher', 'dsl', 'deputy_dsl'];

export function mayExportReputationLog(directory: Directory, personId: string): boolean {
  return directory.has(personId) && directory.rolesOf(personId).some((r) => reputationLogRoles.includes(r));
}

export interface ReputationLogRow {
  reference: string;
  reportedAt: string;
  kind: string;
  postedBy: string;
  platform: string;
  where: string;
  postedOn: string;
  rules: string;
  status: string;
  decision: string;
  decidedBy: string;
  decidedAt: string;
  closedWith: string;
}

const authorWords: Record<string, string> = { parent: 'A parent or carer', pupil: 'A pupil', staff: 'A member of staff', other: 'Someone else', unknown: 'Not known' };

/** One row per case about the school's reputation or under R9, oldest first; never one about the exporter (G1). */
export function reputationLog(input: { directory: Directory; actorId: string; cases: CaseFacts[] }): ReputationLogRow[] {
  if (!mayExportReputationLog(input.directory, input.actorId)) throw new DomainError('FORBIDDEN', 'you may not export the reputation log');
  return input.cases
    .filter((c) => c.report.kind === 'reputation' || c.report.routing.rules.includes('R9'))
    .filter((c) => !c.report.routing.subjects.includes(input.actorId))
    .sort((a, b) => a.report.submittedAt.localeCompare(b.report.submittedAt))
    .map((c) => {
      const f = c.report.form as { author?: { type?: string }; responsible?: { type?: string }; platform?: string; where?: string; occurred?: { date?: string } };
      const decision = c.duties.find((d) => d.type === 'decision' && d.status === 'done' && d.result?.choice);
      const choice = decision?.result?.choice;
      const type = f.author?.type ?? f.responsible?.type ?? '';
      return {
        reference: c.report.reference,
        reportedAt: c.report.submittedAt,
        kind: kindLabels[c.report.kind],
        postedBy: authorWords[type] ?? '',
        platform: f.platform ?? '',
        where: f.where ?? '',
        postedOn: f.occurred?.date ?? '',
        rules: c.report.routing.rules.join(' '),
        status: c.report.status,
        decision: choice ? (decision.choices?.find((x) => x.id === choice)?.label ?? choice) : '',
        decidedBy: decision?.doneBy ? input.directory.displayName(decision.doneBy) : '',
        decidedAt: decision?.doneAt ?? '',
        closedWith: c.report.status === 'closed' ? (closeOutcomes.find((o) => o.id === c.report.outcome)?.label ?? c.report.outcome ?? '') : '',
      };
    });
}
