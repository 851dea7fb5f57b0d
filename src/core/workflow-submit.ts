import { contentSha256 } from './audit-chain.js';
import { DomainError, type FieldIssue } from './errors.js';
import { toFieldIssues } from './issues.js';
import { summarise } from './messages.js';
import { type PlannedDuty, route } from './policy-engine.js';
import type { DutyRecord, ReportRecord } from './ports.js';
import { acceptsEvidence, nudeImageGuidance, reportSchemaFor, type ReportForm } from './report-schemas.js';
import { subjectCheckFor, subjectCheckRecord } from './subject-check.js';
import { overSubmitLimit } from './submit-limit.js';
import { eligiblePeople } from './workflow-access.js';
import { audit, refuse, type WorkflowCtx } from './workflow-context.js';
import { firstDue, scheduleTimer } from './workflow-deadlines.js';
import { addEvidenceRecord, checkUploads } from './workflow-evidence.js';
import { announceDuty, send } from './workflow-notify.js';
import type { SubmitCommand, SubmitResult } from './workflow-types.js';
import { localDate, localYear } from './working-time.js';
import { keptMessage, messageAuthors, readReportedMessage } from './message-evidence.js';
import { recordReportedMessage } from './workflow-message.js';

// Submitting a report: validated, routed, stored with its duties, timers, evidence and messages in one transaction.

/** Today's date in the school's time zone. */
export function today(c: WorkflowCtx, now = c.clock()): string {
  return localDate(now, c.directory.timeZone);
}

/** Validates a form without storing it: the field issues, in words a teacher understands. */
export function validate(c: WorkflowCtx, form: unknown): { ok: true; form: ReportForm } | { ok: false; issues: FieldIssue[] } {
  const result = reportSchemaFor(today(c)).safeParse(form);
  return result.success ? { ok: true, form: result.data } : { ok: false, issues: toFieldIssues(result.error) };
}

export async function submit(c: WorkflowCtx, cmd: SubmitCommand): Promise<SubmitResult> {
  const idemKey = cmd.idempotencyKey ? `submit:${cmd.idempotencyKey}` : undefined;
  if (idemKey) {
    const earlier = c.store.getIdempotent(idemKey) as SubmitResult | undefined;
    if (earlier) return earlier;
  }
  const checked = validate(c, cmd.form);
  if (!checked.ok) throw new DomainError('VALIDATION_FAILED', 'the report has problems', checked.issues);
  const form = checked.form;
  const check = subjectCheckFor(form, c.directory, cmd.subjectCheck);
  const message = readReportedMessage(cmd.message);
  const kept = message && keptMessage(form.kind, message, c.directory);

  const uploads = cmd.evidence ?? [];
  if (uploads.length > 0 && !acceptsEvidence(form.kind)) {
    refuse(c, cmd.reporterId, 'submit', 'EVIDENCE_NOT_ALLOWED');
    throw new DomainError('EVIDENCE_NOT_ALLOWED', 'this kind of report takes no files (G2)', [
      { path: 'evidence', message: nudeImageGuidance[0] },
    ]);
  }
  const evidence = checkUploads(c, uploads, []);
  // Files first (named by hash, so a failed transaction leaves only an unreferenced copy), then the record.
  for (const e of evidence) await c.files.put(e.sha256, e.bytes);
  if (kept?.file) await c.files.put(kept.file.sha256, kept.file.bytes);
  const evidenceCount = evidence.length + (kept?.file ? 1 : 0);

  const now = c.clock();
  const outcome = c.store.transaction((): SubmitResult | 'limited' => {
    if (idemKey) {
      const earlier = c.store.getIdempotent(idemKey) as SubmitResult | undefined;
      if (earlier) return earlier;
    }
    if (overSubmitLimit((since) => c.store.countReportsSince(cmd.reporterId, since), now, c.submitLimit)) {
      audit(c, cmd.reporterId, 'action.refused', undefined, now, { action: 'submit', code: 'TOO_MANY_REPORTS' });
      return 'limited';
    }
          const routing = route({ form, reporterId: cmd.reporterId, subjectCheck: check.answer, messageAuthor: message && messageAuthors(message, c.directory) }, c.policy, c.directory, now);
    const year = localYear(now, c.directory.timeZone);
    const number = c.store.nextReferenceNumber(year);
    const report: ReportRecord = {
      id: c.newId(),
      reference: `${c.directory.school.referencePrefix}-${year}-${String(number).padStart(4, '0')}`,
      kind: form.kind,
      status: 'open',
      urgent: routing.urgent,
      reporterId: cmd.reporterId,
      submittedAt: now.toISOString(),
      form,
      routing,
    };
    c.store.insertReport(report);
    const planned = routing.duties.map((p) => ({ p, duty: createDuty(c, report, p, now) }));
    const duties = planned.map((x) => x.duty);
    for (const e of evidence) addEvidenceRecord(c, report, e, cmd.reporterId, now);
    audit(c, cmd.reporterId, 'report.submitted', report.id, now, {
      reference: report.reference,
      kind: report.kind,
      rules: routing.rules,
      urgent: routing.urgent,
      duties: duties.map((d) => ({ id: d.id, type: d.type, rules: d.rules, to: eligiblePeople(d) })),
      told: routing.told.map((t) => t.personId),
      dslChannel: routing.dslChannel,
      subjects: routing.subjects.length,
      subjectCheck: subjectCheckRecord(check.candidates, check.answer),
      evidence: evidenceCount,
      evidenceSha256: evidence.map((e) => e.sha256),
      formSha256: contentSha256(form),
      notes: routing.notes,
    });
    if (message && kept) recordReportedMessage(c, report, message, kept, cmd.reporterId, now, evidence.map((e) => e.sha256));

    const summary = summarise(report);
    const event = `submit:${report.id}`;
    for (const { p, duty } of planned) announceDuty(c, report, duty, event, now, firstDue(p));
    if (routing.dslChannel === 'inform') send(c, { type: 'dsl_channel' }, 'report.notice', report, event, now, {});
    for (const t of routing.told) send(c, { type: 'person', id: t.personId }, 'report.notice', report, event, now, { rules: t.rules });
    const result: SubmitResult = {
      reportId: report.id,
      reference: report.reference,
      kind: report.kind,
      urgent: report.urgent,
      evidenceCount,
      guidance: form.kind === 'nude_images' ? [...nudeImageGuidance] : [],
    };
    send(c, { type: 'person', id: cmd.reporterId }, 'receipt.submitted', report, event, now, {
      ...summary,
      evidenceCount,
      guidance: result.guidance,
    });
    cmd.onStored?.(result);
    if (idemKey) c.store.putIdempotent(idemKey, result, now);
    return result;
  });
  if (outcome === 'limited') throw new DomainError('TOO_MANY_REPORTS', 'too many reports from this person just now');
  return outcome;
}

export function createDuty(c: WorkflowCtx, report: ReportRecord, planned: PlannedDuty, now: Date): DutyRecord {
  const duty: DutyRecord = {
    id: c.newId(),
    reportId: report.id,
    type: planned.type,
    rules: planned.rules,
    nominalRole: planned.nominalRole,
    levels: planned.levels,
    reach: planned.reach,
    via: planned.via,
    question: planned.question,
    choices: planned.choices,
    urls: planned.urls,
    status: 'open',
    createdAt: now.toISOString(),
  };
  c.store.insertDuty(duty);
  for (const t of planned.timers) scheduleTimer(c, report, duty, t.kind, new Date(t.dueAt), now);
  return duty;
}
