import { DomainError } from './errors.js';
import { type CheckedEvidence, checkEvidence } from './evidence.js';
import { toFieldIssues } from './issues.js';
import type { ReportRecord } from './ports.js';
import { acceptsEvidence, type EvidenceMeta, evidenceMetaSchema, formEvidenceTimes, type ReportKind } from './report-schemas.js';
import { audit, decided, mustGetReport, Refused, type WorkflowCtx } from './workflow-context.js';
import { dutyRecipients, send } from './workflow-notify.js';
import type { EvidenceUpload } from './workflow-types.js';

// Evidence intake: files checked by content, then recorded with every check inside the insert's transaction.

/**
 * Checks that this person may add evidence to the report now, before any file is
 * fetched: only the reporter, never for the nude-images kind (G2), not once closed.
 * A refusal is audited.
 */
export function evidenceTarget(c: WorkflowCtx, cmd: { reportId: string; actorId: string }): { reference: string; kind: ReportKind; evidenceCount: number } {
  return decided(c, () => {
    const report = evidenceReport(c, cmd);
    return { reference: report.reference, kind: report.kind, evidenceCount: c.store.listEvidence(report.id).length };
  });
}

/** The checks of `evidenceTarget`, for use inside a transaction (a refusal is thrown as `Refused`). */
export function evidenceReport(c: WorkflowCtx, cmd: { reportId: string; actorId: string }): ReportRecord {
  const report = mustGetReport(c, cmd.reportId);
  if (report.reporterId !== cmd.actorId)
    throw new Refused(cmd.actorId, 'attach_evidence', report.id, new DomainError('FORBIDDEN', 'only the reporter adds evidence to a report'));
  if (!acceptsEvidence(report.kind))
    throw new Refused(cmd.actorId, 'attach_evidence', report.id, new DomainError('EVIDENCE_NOT_ALLOWED', 'this kind of report takes no files (G2)'));
  if (report.status === 'closed') throw new DomainError('REPORT_CLOSED', 'the report is closed');
  return report;
}

/** Adds evidence to a report after it was made (Teams sends screenshots as attachments). */
export async function attachEvidence(c: WorkflowCtx, cmd: { reportId: string; actorId: string; bytes: Uint8Array; meta?: unknown }): Promise<{
  reference: string;
  kind: ReportKind;
  evidenceCount: number;
  added: boolean;
}> {
  // A first look (nothing is written to disk for a refused upload) ...
  const first = decided(c, () => {
    const report = evidenceReport(c, cmd);
    const existing = c.store.listEvidence(report.id).map((e) => e.sha256);
    return { report, existing, checked: checkUploads(c, [{ bytes: cmd.bytes, meta: cmd.meta }], existing)[0] };
  });
  const checked = first.checked;
  if (!checked) return { reference: first.report.reference, kind: first.report.kind, evidenceCount: first.existing.length, added: false }; // already attached
  await c.files.put(checked.sha256, checked.bytes);
  const now = c.clock();
  // ... and every check again inside the insert's transaction: another upload or a close
  // may have landed during the await (or in another process).
  return decided(c, () => {
    const report = evidenceReport(c, cmd);
    const existing = c.store.listEvidence(report.id).map((e) => e.sha256);
    if (existing.includes(checked.sha256)) return { reference: report.reference, kind: report.kind, evidenceCount: existing.length, added: false };
    if (existing.length + 1 > c.limits.maxFilesPerReport) throw tooManyFiles(c);
    const added = addEvidenceRecord(c, report, checked, cmd.actorId, now);
    const count = c.store.listEvidence(report.id).length;
    if (added) {
      audit(c, cmd.actorId, 'evidence.attached', report.id, now, { sha256: checked.sha256, size: checked.size, type: checked.mediaType });
      for (const duty of c.store.listDuties(report.id).filter((d) => d.type === 'acknowledge')) {
        for (const r of dutyRecipients(duty))
          send(c, r, 'evidence.added', report, `evidence:${report.id}:${checked.sha256}`, now, { evidenceCount: count });
      }
    }
    return { reference: report.reference, kind: report.kind, evidenceCount: count, added };
  });
}

/** Checks uploads by content and size; the same file twice counts once (it is kept once). */
export function tooManyFiles(c: WorkflowCtx): DomainError {
  return new DomainError('EVIDENCE_TOO_MANY', `at most ${c.limits.maxFilesPerReport} files per report`, [
    { path: 'evidence', message: `Please attach at most ${c.limits.maxFilesPerReport} files.` },
  ]);
}

export function checkUploads(c: WorkflowCtx, uploads: EvidenceUpload[], existing: string[]): (CheckedEvidence & { bytes: Uint8Array; meta: EvidenceMeta })[] {
  const tooMany = () => tooManyFiles(c);
  if (uploads.length > c.limits.maxFilesPerReport * 2) throw tooMany();
  const checked = uploads.map((u, i) => {
    const meta = evidenceMetaSchema.safeParse(u.meta ?? {});
    if (!meta.success)
      throw new DomainError(
        'VALIDATION_FAILED',
        'the evidence details have problems',
        toFieldIssues(meta.error).map((x) => ({ path: `evidence[${i}].${x.path}`, message: x.message })),
      );
    try {
      return { ...checkEvidence(u.bytes, c.limits), bytes: u.bytes, meta: meta.data };
    } catch (err) {
      if (err instanceof DomainError) throw new DomainError(err.code, err.message, [{ path: `evidence[${i}]`, message: err.message }]);
      throw err;
    }
  });
  const seen = new Set(existing);
  const fresh = checked.filter((c) => !seen.has(c.sha256) && seen.add(c.sha256));
  if (existing.length + fresh.length > c.limits.maxFilesPerReport) throw tooMany();
  return fresh;
}

export function addEvidenceRecord(c: WorkflowCtx, report: ReportRecord, e: CheckedEvidence & { meta: EvidenceMeta }, by: string, now: Date): boolean {
  const formTimes = formEvidenceTimes(report.form);
  return c.store.insertEvidence({
    id: c.newId(),
    reportId: report.id,
    sha256: e.sha256,
    size: e.size,
    mediaType: e.mediaType,
    fileName: e.meta.fileName,
    // Times given with the file (Slack's pickers) win; else those of the report's form.
    takenAt: e.meta.takenAt ?? formTimes.takenAt,
    postedAt: e.meta.postedAt ?? formTimes.postedAt,
    addedBy: by,
    addedAt: now.toISOString(),
  });
}
