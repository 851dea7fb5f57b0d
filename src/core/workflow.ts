import { randomUUID } from 'node:crypto';
import { contentSha256 } from './audit-chain.js';
import { DomainError, type FieldIssue } from './errors.js';
import { checkEvidence, type CheckedEvidence, type EvidenceLimits } from './evidence.js';
import { toFieldIssues } from './issues.js';
import { closeOutcomes, summarise, type MessageType } from './messages.js';
import { route, type PlannedDuty, type TimerKind } from './policy-engine.js';
import type { Policy } from './policy-schema.js';
import type {
  DeliveryChannel,
  DutyRecord,
  EvidenceFiles,
  EvidenceRecord,
  ReportRecord,
  ReportStatus,
  WorkflowStore,
} from './ports.js';
import {
  acceptsEvidence,
  evidenceMetaSchema,
  kindLabels,
  makeReportSchema,
  nudeImageGuidance,
  type EvidenceMeta,
  type ReportForm,
  type ReportKind,
} from './report-schemas.js';
import type { Directory } from './school.js';
import { subjectCandidates, subjectCheckFor, subjectCheckRecord, type SubjectCandidate } from './subject-check.js';
import { deadlineAfter, localDate, localYear, workingDayMinutes, type Clock } from './working-time.js';

export interface WorkflowDeps {
  store: WorkflowStore;
  evidenceFiles: EvidenceFiles;
  directory: Directory;
  policy: Policy;
  clock: Clock;
  /** The channels that deliver messages now (an outbox row is queued for each that reaches the person). */
  channels: DeliveryChannel[];
  evidenceLimits: EvidenceLimits;
  newId?: () => string;
}

export interface EvidenceUpload {
  bytes: Uint8Array;
  meta?: unknown;
}

export interface SubmitCommand {
  /** The reporter's id from the chat identity (Directory.resolveIdentity), never typed. */
  reporterId: string;
  form: unknown;
  evidence?: EvidenceUpload[];
  /** A key from the channel (view id, activity id): the same key submits once. */
  idempotencyKey?: string;
  /** The reporter's answer to "Is this about one of these people?" (subject-check.ts), if asked. */
  subjectCheck?: unknown;
}

export interface SubmitResult {
  reportId: string;
  reference: string;
  kind: ReportForm['kind'];
  urgent: boolean;
  evidenceCount: number;
  /** G2: what the reporter must be told for the nude-images kind. */
  guidance: string[];
}

export interface ActionResult {
  reportId: string;
  reference: string;
  /** False when it had already been done (a double click, a retried delivery). */
  changed: boolean;
  by: string;
  at: string;
}

export interface ReportView {
  access: 'full' | 'task' | 'receipt';
  reportId: string;
  reference: string;
  kind: ReportForm['kind'];
  kindLabel: string;
  status: ReportStatus;
  urgent: boolean;
  submittedAt: string;
  reporter?: { id: string; name: string };
  form?: ReportForm;
  rules?: string[];
  duties?: {
    id: string;
    type: DutyRecord['type'];
    rules: string[];
    status: DutyRecord['status'];
    waitingOn: string[];
    doneBy?: { id: string; name: string };
    doneAt?: string;
    result?: DutyRecord['result'];
    /** The words the decision's card used for the choice made. */
    choiceLabel?: string;
  }[];
  evidence?: Pick<EvidenceRecord, 'id' | 'sha256' | 'size' | 'mediaType' | 'fileName' | 'takenAt' | 'postedAt' | 'addedAt'>[];
  urls?: string[];
  closed?: { at: string; by: string; outcome: string; reason: string };
}

export interface Receipt {
  reference: string;
  kindLabel: string;
  status: ReportStatus;
  submittedAt: string;
}

export interface TickResult {
  processed: number;
}

type Recipient = { type: 'person'; id: string } | { type: 'dsl_channel' };

function firstDue(planned: PlannedDuty): Date | undefined {
  const t = planned.timers[0];
  return t ? new Date(t.dueAt) : undefined;
}

/** Who may act on a duty now: the levels of its chain reached so far. */
export function eligiblePeople(duty: Pick<DutyRecord, 'levels' | 'reach'>): string[] {
  return duty.levels.slice(0, duty.reach + 1).flatMap((l) => l.people);
}

/**
 * The workflow: submit, acknowledge, decide, record the ICT action, close, and the tick
 * that runs due timers. Each step is one transaction: the report, its duties, timers,
 * audit entries and outgoing messages land together or not at all. Who may do what is
 * decided here, never in the adapters.
 */
export class Workflow {
  readonly directory: Directory;
  readonly policy: Policy;
  private readonly store: WorkflowStore;
  private readonly files: EvidenceFiles;
  private readonly clock: Clock;
  private readonly channels: DeliveryChannel[];
  private readonly limits: EvidenceLimits;
  private readonly newId: () => string;

  constructor(deps: WorkflowDeps) {
    this.store = deps.store;
    this.files = deps.evidenceFiles;
    this.directory = deps.directory;
    this.policy = deps.policy;
    this.clock = deps.clock;
    this.channels = deps.channels;
    this.limits = deps.evidenceLimits;
    this.newId = deps.newId ?? randomUUID;
  }

  /** Today's date in the school's time zone. */
  today(now = this.clock()): string {
    return localDate(now, this.directory.timeZone);
  }

  /** Validates a form without storing it: the field issues, in words a teacher understands. */
  validate(form: unknown): { ok: true; form: ReportForm } | { ok: false; issues: FieldIssue[] } {
    const result = makeReportSchema({ today: this.today() }).safeParse(form);
    return result.success ? { ok: true, form: result.data } : { ok: false, issues: toFieldIssues(result.error) };
  }

  /** G1: who the form's typed name could mean, for the channels to ask "Is this about one of these people?". */
  subjectCandidates(form: ReportForm): SubjectCandidate[] {
    return subjectCandidates(form, this.directory);
  }

  async submit(cmd: SubmitCommand): Promise<SubmitResult> {
    const idemKey = cmd.idempotencyKey ? `submit:${cmd.idempotencyKey}` : undefined;
    if (idemKey) {
      const earlier = this.store.getIdempotent(idemKey) as SubmitResult | undefined;
      if (earlier) return earlier;
    }
    const checked = this.validate(cmd.form);
    if (!checked.ok) throw new DomainError('VALIDATION_FAILED', 'the report has problems', checked.issues);
    const form = checked.form;
    const check = subjectCheckFor(form, this.directory, cmd.subjectCheck);

    const uploads = cmd.evidence ?? [];
    if (uploads.length > 0 && !acceptsEvidence(form.kind)) {
      this.refuse(cmd.reporterId, 'submit', 'EVIDENCE_NOT_ALLOWED');
      throw new DomainError('EVIDENCE_NOT_ALLOWED', 'this kind of report takes no files (G2)', [
        { path: 'evidence', message: nudeImageGuidance[0] },
      ]);
    }
    const evidence = this.checkUploads(uploads, []);
    // Files first (named by hash, so a failed transaction leaves only an unreferenced copy), then the record.
    for (const e of evidence) await this.files.put(e.sha256, e.bytes);

    const now = this.clock();
    return this.store.transaction(() => {
      if (idemKey) {
        const earlier = this.store.getIdempotent(idemKey) as SubmitResult | undefined;
        if (earlier) return earlier;
      }
      const routing = route({ form, reporterId: cmd.reporterId, subjectCheck: check.answer }, this.policy, this.directory, now);
      const year = localYear(now, this.directory.timeZone);
      const number = this.store.nextReferenceNumber(year);
      const report: ReportRecord = {
        id: this.newId(),
        reference: `${this.directory.school.referencePrefix}-${year}-${String(number).padStart(4, '0')}`,
        kind: form.kind,
        status: 'open',
        urgent: routing.urgent,
        reporterId: cmd.reporterId,
        submittedAt: now.toISOString(),
        form,
        routing,
      };
      this.store.insertReport(report);
      const planned = routing.duties.map((p) => ({ p, duty: this.createDuty(report, p, now) }));
      const duties = planned.map((x) => x.duty);
      for (const e of evidence) this.addEvidenceRecord(report, e, cmd.reporterId, now);
      this.audit(cmd.reporterId, 'report.submitted', report.id, now, {
        reference: report.reference,
        kind: report.kind,
        rules: routing.rules,
        urgent: routing.urgent,
        duties: duties.map((d) => ({ id: d.id, type: d.type, rules: d.rules, to: eligiblePeople(d) })),
        told: routing.told.map((t) => t.personId),
        dslChannel: routing.dslChannel,
        subjects: routing.subjects.length,
        subjectCheck: subjectCheckRecord(check.candidates, check.answer),
        evidence: evidence.length,
        evidenceSha256: evidence.map((e) => e.sha256),
        formSha256: contentSha256(form),
        notes: routing.notes,
      });

      const summary = summarise(report);
      const event = `submit:${report.id}`;
      for (const { p, duty } of planned) this.announceDuty(report, duty, event, now, firstDue(p));
      if (routing.dslChannel === 'inform') this.send({ type: 'dsl_channel' }, 'report.notice', report, event, now, {});
      for (const t of routing.told) this.send({ type: 'person', id: t.personId }, 'report.notice', report, event, now, { rules: t.rules });
      const result: SubmitResult = {
        reportId: report.id,
        reference: report.reference,
        kind: report.kind,
        urgent: report.urgent,
        evidenceCount: evidence.length,
        guidance: form.kind === 'nude_images' ? [...nudeImageGuidance] : [],
      };
      this.send({ type: 'person', id: cmd.reporterId }, 'receipt.submitted', report, event, now, {
        ...summary,
        evidenceCount: evidence.length,
        guidance: result.guidance,
      });
      if (idemKey) this.store.putIdempotent(idemKey, result, now);
      return result;
    });
  }

  /**
   * Checks that this person may add evidence to the report now, before any file is
   * fetched: only the reporter, never for the nude-images kind (G2), not once closed.
   * A refusal is audited.
   */
  evidenceTarget(cmd: { reportId: string; actorId: string }): { reference: string; kind: ReportKind; evidenceCount: number } {
    const report = this.mustGetReport(cmd.reportId);
    if (report.reporterId !== cmd.actorId) {
      this.refuse(cmd.actorId, 'attach_evidence', 'FORBIDDEN', report.id);
      throw new DomainError('FORBIDDEN', 'only the reporter adds evidence to a report');
    }
    if (!acceptsEvidence(report.kind)) {
      this.refuse(cmd.actorId, 'attach_evidence', 'EVIDENCE_NOT_ALLOWED', report.id);
      throw new DomainError('EVIDENCE_NOT_ALLOWED', 'this kind of report takes no files (G2)');
    }
    if (report.status === 'closed') throw new DomainError('REPORT_CLOSED', 'the report is closed');
    return { reference: report.reference, kind: report.kind, evidenceCount: this.store.listEvidence(report.id).length };
  }

  /** Adds evidence to a report after it was made (Teams sends screenshots as attachments). */
  async attachEvidence(cmd: { reportId: string; actorId: string; bytes: Uint8Array; meta?: unknown }): Promise<{
    reference: string;
    kind: ReportKind;
    evidenceCount: number;
    added: boolean;
  }> {
    this.evidenceTarget(cmd);
    const report = this.mustGetReport(cmd.reportId);
    const existing = this.store.listEvidence(report.id).map((e) => e.sha256);
    const [checked] = this.checkUploads([{ bytes: cmd.bytes, meta: cmd.meta }], existing);
    if (!checked) return { reference: report.reference, kind: report.kind, evidenceCount: existing.length, added: false }; // already attached
    await this.files.put(checked.sha256, checked.bytes);
    const now = this.clock();
    return this.store.transaction(() => {
      const added = this.addEvidenceRecord(report, checked, cmd.actorId, now);
      const count = this.store.listEvidence(report.id).length;
      if (added) {
        this.audit(cmd.actorId, 'evidence.attached', report.id, now, { sha256: checked.sha256, size: checked.size, type: checked.mediaType });
        for (const duty of this.store.listDuties(report.id).filter((d) => d.type === 'acknowledge')) {
          for (const r of this.dutyRecipients(duty))
            this.send(r, 'evidence.added', report, `evidence:${report.id}:${checked.sha256}`, now, { evidenceCount: count });
        }
      }
      return { reference: report.reference, kind: report.kind, evidenceCount: count, added };
    });
  }

  acknowledge(cmd: { reportId: string; actorId: string }): ActionResult {
    const now = this.clock();
    const report = this.mustGetReport(cmd.reportId);
    const duties = this.store.listDuties(report.id).filter((d) => d.type === 'acknowledge');
    const mine = duties.filter((d) => this.mayAct(report, d, cmd.actorId));
    if (mine.length === 0) {
      const doneByMe = duties.find((d) => d.status === 'done' && d.doneBy === cmd.actorId);
      if (doneByMe) return this.unchanged(report, doneByMe);
      this.refuse(cmd.actorId, 'acknowledge', 'FORBIDDEN', report.id);
      throw new DomainError('FORBIDDEN', 'you are not one of the people who acknowledge this report');
    }
    const open = mine.filter((d) => d.status === 'open');
    if (open.length === 0) return this.unchanged(report, mine[0] as DutyRecord);
    if (report.status === 'closed') throw new DomainError('REPORT_CLOSED', 'the report is closed');

    return this.store.transaction(() => {
      for (const d of open) {
        this.store.updateDuty(d.id, { status: 'done', doneBy: cmd.actorId, doneAt: now.toISOString() });
        this.store.cancelTimersForDuty(d.id, now);
      }
      this.audit(cmd.actorId, 'report.acknowledged', report.id, now, {
        duties: open.map((d) => d.id),
        rules: open.flatMap((d) => d.rules),
      });
      for (const d of open) {
        for (const r of this.dutyRecipients(d))
          this.send(r, 'report.acknowledged', report, `ack:${d.id}`, now, {
            dutyId: d.id,
            acknowledgedBy: this.directory.displayName(cmd.actorId),
            acknowledgedAt: now.toISOString(),
          });
      }
      const allDone = this.store.listDuties(report.id).every((d) => d.type !== 'acknowledge' || d.status === 'done');
      if (allDone && report.status === 'open') {
        this.store.updateReport(report.id, { status: 'acknowledged', acknowledgedAt: now.toISOString() });
        this.send({ type: 'person', id: report.reporterId }, 'receipt.status', report, `ack:${report.id}`, now, {
          status: 'acknowledged',
        });
      }
      return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
    });
  }

  recordDecision(cmd: { reportId: string; dutyId?: string; actorId: string; choice: string; reason: string }): ActionResult {
    const duty = this.findDuty(cmd.reportId, 'decision', cmd.dutyId, cmd.actorId, 'decide');
    const report = this.mustGetReport(cmd.reportId);
    if (duty.status === 'done') {
      if (duty.doneBy === cmd.actorId && duty.result?.choice === cmd.choice) return this.unchanged(report, duty);
      throw new DomainError('ALREADY_DONE', 'this decision has already been recorded');
    }
    if (report.status === 'closed') throw new DomainError('REPORT_CLOSED', 'the report is closed');
    if (!duty.choices?.some((c) => c.id === cmd.choice))
      throw new DomainError('INVALID_CHOICE', 'that is not one of the choices', [{ path: 'choice', message: 'Please choose one of the options.' }]);
    const reason = cmd.reason.trim();
    if (reason.length === 0)
      throw new DomainError('REASON_REQUIRED', 'a reason is required', [{ path: 'reason', message: 'Please give the reason for your decision.' }]);
    const now = this.clock();
    return this.store.transaction(() => {
      this.store.updateDuty(duty.id, {
        status: 'done',
        doneBy: cmd.actorId,
        doneAt: now.toISOString(),
        result: { choice: cmd.choice, reason },
      });
      this.store.cancelTimersForDuty(duty.id, now);
      this.audit(cmd.actorId, 'decision.recorded', report.id, now, { duty: duty.id, rules: duty.rules, choice: cmd.choice, reasonSha256: contentSha256(reason) });
      const label = duty.choices?.find((c) => c.id === cmd.choice)?.label ?? cmd.choice;
      for (const r of this.dutyRecipients(duty))
        this.send(r, 'decision.recorded', report, `decision:${duty.id}`, now, {
          dutyId: duty.id,
          choice: cmd.choice,
          choiceLabel: label,
          decidedBy: this.directory.displayName(cmd.actorId),
          decidedAt: now.toISOString(),
        });
      return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
    });
  }

  /** The ICT technician's section: the action taken; who and when are recorded here. */
  completeTask(cmd: { reportId: string; dutyId?: string; actorId: string; action: string }): ActionResult {
    const duty = this.findDuty(cmd.reportId, 'task', cmd.dutyId, cmd.actorId, 'complete_task');
    const report = this.mustGetReport(cmd.reportId);
    if (duty.status === 'done') {
      if (duty.doneBy === cmd.actorId) return this.unchanged(report, duty);
      throw new DomainError('ALREADY_DONE', 'this task has already been done');
    }
    const action = cmd.action.trim();
    if (action.length === 0)
      throw new DomainError('REASON_REQUIRED', 'say what was done', [{ path: 'action', message: 'Please say what action you took.' }]);
    const now = this.clock();
    return this.store.transaction(() => {
      this.store.updateDuty(duty.id, { status: 'done', doneBy: cmd.actorId, doneAt: now.toISOString(), result: { action } });
      this.audit(cmd.actorId, 'task.completed', report.id, now, { duty: duty.id, rules: duty.rules, actionSha256: contentSha256(action) });
      const payload = {
        dutyId: duty.id,
        completedBy: this.directory.displayName(cmd.actorId),
        completedAt: now.toISOString(),
      };
      for (const r of this.dutyRecipients(duty)) this.send(r, 'task.completed', report, `task:${duty.id}`, now, payload);
      for (const owner of this.store.listDuties(report.id).filter((d) => d.type === 'acknowledge'))
        for (const r of this.dutyRecipients(owner)) this.send(r, 'task.completed', report, `task:${duty.id}`, now, payload);
      return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
    });
  }

  /** G5: a report closes only with an outcome and a reason, once everything asked of people is done. */
  close(cmd: { reportId: string; actorId: string; outcome: string; reason: string }): ActionResult {
    const report = this.mustGetReport(cmd.reportId);
    const duties = this.store.listDuties(report.id);
    const owned = duties.filter((d) => d.type === 'acknowledge' && this.mayAct(report, d, cmd.actorId));
    if (owned.length === 0) {
      this.refuse(cmd.actorId, 'close', 'FORBIDDEN', report.id);
      throw new DomainError('FORBIDDEN', 'only the people who own this report close it');
    }
    if (report.status === 'closed') {
      if (report.closedBy === cmd.actorId) return { reportId: report.id, reference: report.reference, changed: false, by: cmd.actorId, at: report.closedAt ?? '' };
      throw new DomainError('REPORT_CLOSED', 'the report is already closed');
    }
    const issues: FieldIssue[] = [];
    if (!closeOutcomes.some((o) => o.id === cmd.outcome)) issues.push({ path: 'outcome', message: 'Please choose the outcome.' });
    const reason = cmd.reason.trim();
    if (reason.length === 0) issues.push({ path: 'reason', message: 'Please give the reason for closing the report.' });
    if (issues.length > 0) throw new DomainError('REASON_REQUIRED', 'an outcome and a reason are required (G5)', issues);
    const pending = duties.filter((d) => d.status === 'open' && !(d.type === 'acknowledge' && owned.includes(d)));
    if (pending.length > 0)
      throw new DomainError('DUTIES_PENDING', `still waiting for: ${pending.map((d) => `${d.type} (${d.rules.join(', ')})`).join('; ')}`);
    const now = this.clock();
    return this.store.transaction(() => {
      for (const d of duties.filter((x) => x.status === 'open')) {
        this.store.updateDuty(d.id, { status: 'done', doneBy: cmd.actorId, doneAt: now.toISOString() });
      }
      for (const d of duties) this.store.cancelTimersForDuty(d.id, now);
      this.store.updateReport(report.id, {
        status: 'closed',
        closedAt: now.toISOString(),
        closedBy: cmd.actorId,
        outcome: cmd.outcome,
        closeReason: reason,
        ...(report.acknowledgedAt ? {} : { acknowledgedAt: now.toISOString() }),
      });
      this.audit(cmd.actorId, 'report.closed', report.id, now, { outcome: cmd.outcome, reasonSha256: contentSha256(reason) });
      for (const d of owned)
        for (const r of this.dutyRecipients(d))
          this.send(r, 'report.closed', report, `close:${report.id}`, now, {
            dutyId: d.id,
            closedBy: this.directory.displayName(cmd.actorId),
            closedAt: now.toISOString(),
          });
      this.send({ type: 'person', id: report.reporterId }, 'receipt.status', report, `close:${report.id}`, now, { status: 'closed' });
      return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
    });
  }

  /**
   * A report as this person may see it (G1, G6, G7): the full record for those it was
   * routed to, the task for the ICT technician, the receipt for the reporter; refused
   * (and audited) for anyone else, and always for its subjects.
   */
  view(cmd: { reportId: string; actorId: string }): ReportView {
    const now = this.clock();
    const report = this.mustGetReport(cmd.reportId);
    const duties = this.store.listDuties(report.id);
    const access = this.accessOf(report, duties, cmd.actorId);
    if (!access) {
      this.refuse(cmd.actorId, 'view', 'FORBIDDEN', report.id);
      throw new DomainError('FORBIDDEN', 'you are not entitled to see this report');
    }
    this.store.transaction(() => this.audit(cmd.actorId, 'report.viewed', report.id, now, { access }));
    const base: ReportView = {
      access,
      reportId: report.id,
      reference: report.reference,
      kind: report.kind,
      kindLabel: kindLabels[report.kind],
      status: report.status,
      urgent: report.urgent,
      submittedAt: report.submittedAt,
    };
    if (access === 'receipt') return base;
    if (access === 'task') return { ...base, urls: duties.filter((d) => d.type === 'task').flatMap((d) => d.urls ?? []) };
    const name = (id: string) => ({ id, name: this.directory.displayName(id) });
    return {
      ...base,
      reporter: name(report.reporterId),
      form: report.form,
      rules: report.routing.rules,
      duties: duties.map((d) => ({
        id: d.id,
        type: d.type,
        rules: d.rules,
        status: d.status,
        waitingOn: d.status === 'open' ? eligiblePeople(d).map((id) => this.directory.displayName(id)) : [],
        ...(d.doneBy ? { doneBy: name(d.doneBy) } : {}),
        ...(d.doneAt ? { doneAt: d.doneAt } : {}),
        ...(d.result ? { result: d.result } : {}),
        ...(d.result?.choice ? { choiceLabel: d.choices?.find((c) => c.id === d.result?.choice)?.label ?? d.result.choice } : {}),
      })),
      evidence: this.store.listEvidence(report.id).map((e) => ({
        id: e.id,
        sha256: e.sha256,
        size: e.size,
        mediaType: e.mediaType,
        fileName: e.fileName,
        takenAt: e.takenAt,
        postedAt: e.postedAt,
        addedAt: e.addedAt,
      })),
      urls: duties.filter((d) => d.type === 'task').flatMap((d) => d.urls ?? []),
      ...(report.status === 'closed'
        ? {
            closed: {
              at: report.closedAt ?? '',
              by: this.directory.displayName(report.closedBy ?? ''),
              outcome: report.outcome ?? '',
              reason: report.closeReason ?? '',
            },
          }
        : {}),
    };
  }

  /** G6: the reporter's own reports: reference, kind, status; not who did what. */
  receipts(reporterId: string): Receipt[] {
    return this.store.listReportsByReporter(reporterId).map((r) => ({
      reference: r.reference,
      kindLabel: kindLabels[r.kind],
      status: r.status,
      submittedAt: r.submittedAt,
    }));
  }

  /** Open reports this person may act on (never those they are the subject of). */
  openQueue(actorId: string): {
    reportId: string;
    reference: string;
    kindLabel: string;
    urgent: boolean;
    submittedAt: string;
    waitingFor: string[];
    /** The next deadline (reminder, escalation or decision), if one is set. */
    nextDeadline?: string;
  }[] {
    return this.store
      .listReportsNotClosed()
      .filter((r) => !r.routing.subjects.includes(actorId))
      .map((r) => ({ r, duties: this.store.listDuties(r.id) }))
      .filter(({ duties }) => duties.some((d) => eligiblePeople(d).includes(actorId)))
      .map(({ r, duties }) => ({
        reportId: r.id,
        reference: r.reference,
        kindLabel: kindLabels[r.kind],
        urgent: r.urgent,
        submittedAt: r.submittedAt,
        waitingFor: duties.filter((d) => d.status === 'open').map((d) => d.type),
        ...((t) => (t ? { nextDeadline: new Date(t.dueAt).toISOString() } : {}))(this.store.nextTimer(r.id)),
      }));
  }

  /** Runs the timers that are due (G3, G4). Safe to run from several loops: each timer runs once. */
  tick(limit = 100): TickResult {
    const now = this.clock();
    let processed = 0;
    for (const timer of this.store.dueTimers(now, limit)) {
      this.store.transaction(() => {
        if (!this.store.finishTimer(timer.token, 'done', now)) return;
        processed += 1;
        const duty = this.store.getDuty(timer.dutyId);
        const report = this.store.getReport(timer.reportId);
        if (!duty || !report || duty.status === 'done' || report.status === 'closed') return;
        if (timer.kind === 'ack_remind') this.remind(report, duty, timer.token, now);
        else if (timer.kind === 'ack_escalate') this.escalate(report, duty, timer.token, now);
        else this.decisionOverdue(report, duty, timer.token, now);
      });
    }
    return { processed };
  }

  // ---- timers ----

  private remind(report: ReportRecord, duty: DutyRecord, token: string, now: Date): void {
    const people = eligiblePeople(duty);
    this.audit('system', 'ack.reminded', report.id, now, { duty: duty.id, to: people });
    if (duty.via === 'dsl_channel') this.send({ type: 'dsl_channel' }, 'ack.reminder', report, `timer:${token}`, now, { dutyId: duty.id });
    for (const id of people) this.send({ type: 'person', id }, 'ack.reminder', report, `timer:${token}`, now, { dutyId: duty.id });
  }

  private escalate(report: ReportRecord, duty: DutyRecord, token: string, now: Date): void {
    const next = duty.levels[duty.reach + 1];
    if (!next) {
      // Nobody further up the chain: keep reminding everyone who can act.
      this.audit('system', 'ack.escalation_exhausted', report.id, now, { duty: duty.id });
      this.remind(report, duty, token, now);
      this.scheduleAck(report, duty, now, ['ack_escalate']);
      return;
    }
    this.store.updateDuty(duty.id, { reach: duty.reach + 1 });
    this.audit('system', 'ack.escalated', report.id, now, { duty: duty.id, toRole: next.role, to: next.people });
    const dueAt = this.scheduleAck(report, duty, now, ['ack_remind', 'ack_escalate'])?.toISOString();
    const payload = { dutyId: duty.id, toRole: next.role, dueAt };
    if (duty.via === 'dsl_channel') this.send({ type: 'dsl_channel' }, 'report.escalated', report, `timer:${token}`, now, payload);
    for (const id of next.people) this.send({ type: 'person', id }, 'report.escalated', report, `timer:${token}`, now, payload);
  }

  private decisionOverdue(report: ReportRecord, duty: DutyRecord, token: string, now: Date): void {
    const next = duty.levels[duty.reach + 1];
    const dueAt = this.decisionDeadline(duty, now);
    if (!next) {
      this.audit('system', 'decision.overdue', report.id, now, { duty: duty.id });
      for (const id of eligiblePeople(duty))
        this.send({ type: 'person', id }, 'decision.requested', report, `timer:${token}`, now, this.decisionPayload(duty, dueAt, true));
    } else {
      this.store.updateDuty(duty.id, { reach: duty.reach + 1 });
      this.audit('system', 'decision.escalated', report.id, now, { duty: duty.id, toRole: next.role, to: next.people });
      for (const id of next.people)
        this.send({ type: 'person', id }, 'decision.requested', report, `timer:${token}`, now, this.decisionPayload(duty, dueAt, true));
    }
    if (dueAt) this.scheduleTimer(report, duty, 'decision_due', dueAt, now);
  }

  // ---- helpers ----

  private createDuty(report: ReportRecord, planned: PlannedDuty, now: Date): DutyRecord {
    const duty: DutyRecord = {
      id: this.newId(),
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
    this.store.insertDuty(duty);
    for (const t of planned.timers) this.scheduleTimer(report, duty, t.kind, new Date(t.dueAt), now);
    return duty;
  }

  private announceDuty(report: ReportRecord, duty: DutyRecord, event: string, now: Date, dueAt: Date | undefined): void {
    for (const r of this.dutyRecipients(duty)) {
      if (duty.type === 'acknowledge')
        this.send(r, 'report.for_acknowledgement', report, event, now, { dutyId: duty.id, rules: duty.rules, dueAt: dueAt?.toISOString() });
      else if (duty.type === 'decision') this.send(r, 'decision.requested', report, event, now, this.decisionPayload(duty, dueAt, false));
      else this.send(r, 'task.assigned', report, event, now, { dutyId: duty.id, rules: duty.rules, urls: duty.urls ?? [] });
    }
  }

  private decisionPayload(duty: DutyRecord, dueAt: Date | undefined, reminder: boolean): Record<string, unknown> {
    return {
      dutyId: duty.id,
      rules: duty.rules,
      question: duty.question,
      choices: duty.choices ?? [],
      dueAt: dueAt?.toISOString(),
      reminder,
    };
  }

  private decisionDeadline(duty: DutyRecord, now: Date): Date | undefined {
    const rule = this.policy.rules.find((r) => duty.rules.includes(r.id) && r.decision?.dueWorkingDays);
    const days = rule?.decision?.dueWorkingDays;
    if (!days) return undefined;
    const wh = this.directory.workingHours;
    return deadlineAfter(now, days * workingDayMinutes(wh), 'working_hours', wh, this.directory.timeZone);
  }

  private scheduleAck(report: ReportRecord, duty: DutyRecord, now: Date, kinds: TimerKind[]): Date | undefined {
    const a = this.policy.deadlines.acknowledge[report.urgent ? 'urgent' : 'normal'];
    const at = (minutes: number) => deadlineAfter(now, minutes, a.clock, this.directory.workingHours, this.directory.timeZone);
    const due = kinds.map((kind) => {
      const when = at(kind === 'ack_remind' ? a.remindAfterMinutes : a.escalateAfterMinutes);
      this.scheduleTimer(report, duty, kind, when, now);
      return when;
    });
    return due[0];
  }

  private scheduleTimer(report: ReportRecord, duty: DutyRecord, kind: TimerKind, dueAt: Date, now: Date): void {
    this.store.scheduleTimer({ token: this.newId(), reportId: report.id, dutyId: duty.id, kind, dueAt: dueAt.getTime() }, now);
  }

  /** Where a duty's messages go: the DSL channel, or each person who may act on it (never a subject). */
  private dutyRecipients(duty: DutyRecord): Recipient[] {
    if (duty.via === 'dsl_channel') return [{ type: 'dsl_channel' }];
    return eligiblePeople(duty).map((id) => ({ type: 'person', id }));
  }

  private mayAct(report: ReportRecord, duty: DutyRecord, actorId: string): boolean {
    return !report.routing.subjects.includes(actorId) && eligiblePeople(duty).includes(actorId);
  }

  private accessOf(report: ReportRecord, duties: DutyRecord[], actorId: string): ReportView['access'] | undefined {
    if (report.routing.subjects.includes(actorId)) return undefined; // G1, whatever role they hold
    const routed = new Set<string>(report.routing.told.map((t) => t.personId));
    for (const d of duties) if (d.type !== 'task') for (const id of eligiblePeople(d)) routed.add(id);
    if (report.routing.dslChannel !== 'none' || duties.some((d) => d.via === 'dsl_channel'))
      for (const id of this.directory.dslChannelMembers()) routed.add(id);
    if (routed.has(actorId)) return 'full';
    if (duties.some((d) => d.type === 'task' && eligiblePeople(d).includes(actorId))) return 'task';
    if (report.reporterId === actorId) return 'receipt';
    return undefined;
  }

  private findDuty(reportId: string, type: DutyRecord['type'], dutyId: string | undefined, actorId: string, action: string): DutyRecord {
    const report = this.mustGetReport(reportId);
    const duties = this.store.listDuties(report.id).filter((d) => d.type === type && (!dutyId || d.id === dutyId));
    if (duties.length === 0) throw new DomainError('NOT_FOUND', `no ${type} on this report`);
    const mine = duties.filter((d) => this.mayAct(report, d, actorId));
    const duty = mine.find((d) => d.status === 'open') ?? mine[0];
    if (!duty) {
      this.refuse(actorId, action, 'FORBIDDEN', report.id);
      throw new DomainError('FORBIDDEN', 'you are not the person asked');
    }
    return duty;
  }

  private unchanged(report: ReportRecord, duty: DutyRecord): ActionResult {
    return { reportId: report.id, reference: report.reference, changed: false, by: duty.doneBy ?? '', at: duty.doneAt ?? '' };
  }

  private mustGetReport(reportId: string): ReportRecord {
    const report = this.store.getReport(reportId) ?? this.store.findReportByReference(reportId);
    if (!report) throw new DomainError('NOT_FOUND', 'no such report');
    return report;
  }

  /** Checks uploads by content and size; the same file twice counts once (it is kept once). */
  private checkUploads(uploads: EvidenceUpload[], existing: string[]): (CheckedEvidence & { bytes: Uint8Array; meta: EvidenceMeta })[] {
    const tooMany = () =>
      new DomainError('EVIDENCE_TOO_MANY', `at most ${this.limits.maxFilesPerReport} files per report`, [
        { path: 'evidence', message: `Please attach at most ${this.limits.maxFilesPerReport} files.` },
      ]);
    if (uploads.length > this.limits.maxFilesPerReport * 2) throw tooMany();
    const checked = uploads.map((u, i) => {
      const meta = evidenceMetaSchema.safeParse(u.meta ?? {});
      if (!meta.success)
        throw new DomainError(
          'VALIDATION_FAILED',
          'the evidence details have problems',
          toFieldIssues(meta.error).map((x) => ({ path: `evidence[${i}].${x.path}`, message: x.message })),
        );
      try {
        return { ...checkEvidence(u.bytes, this.limits), bytes: u.bytes, meta: meta.data };
      } catch (err) {
        if (err instanceof DomainError) throw new DomainError(err.code, err.message, [{ path: `evidence[${i}]`, message: err.message }]);
        throw err;
      }
    });
    const seen = new Set(existing);
    const fresh = checked.filter((c) => !seen.has(c.sha256) && seen.add(c.sha256));
    if (existing.length + fresh.length > this.limits.maxFilesPerReport) throw tooMany();
    return fresh;
  }

  private addEvidenceRecord(report: ReportRecord, e: CheckedEvidence & { meta: EvidenceMeta }, by: string, now: Date): boolean {
    return this.store.insertEvidence({
      id: this.newId(),
      reportId: report.id,
      sha256: e.sha256,
      size: e.size,
      mediaType: e.mediaType,
      fileName: e.meta.fileName,
      takenAt: e.meta.takenAt,
      postedAt: e.meta.postedAt,
      addedBy: by,
      addedAt: now.toISOString(),
    });
  }

  private audit(actor: string, action: string, reportId: string | undefined, at: Date, details: Record<string, unknown>): void {
    this.store.appendAudit({ at: at.toISOString(), actor, action, reportId, details });
  }

  /** Unauthorised or refused attempts are on the record too (G7). */
  private refuse(actorId: string, action: string, code: string, reportId?: string): void {
    const now = this.clock();
    this.store.transaction(() => this.audit(actorId, 'action.refused', reportId, now, { action, code }));
  }

  /**
   * Queues a message for every delivery channel that reaches the recipient. A person
   * named in the report is never a recipient (G1), whatever called this.
   */
  private send(
    to: Recipient,
    type: MessageType,
    report: ReportRecord,
    event: string,
    now: Date,
    extra: Record<string, unknown>,
  ): void {
    // The reporter's own receipts still reach them if they typed a name that could be theirs.
    const receipt = type.startsWith('receipt.') && to.type === 'person' && to.id === report.reporterId;
    if (to.type === 'person' && report.routing.subjects.includes(to.id) && !receipt) return;
    const payload = { ...summarise(report), ...extra };
    const channels = this.channelsFor(to);
    if (channels.length === 0) {
      this.audit('system', 'notification.unreachable', report.id, now, {
        type,
        to: to.type === 'person' ? to.id : 'dsl_channel',
      });
      return;
    }
    for (const channel of channels) {
      const recipientId = to.type === 'person' ? to.id : 'dsl_channel';
      this.store.enqueue(
        {
          dedupeKey: `${event}:${type}:${channel}:${recipientId}`,
          channel,
          recipientType: to.type,
          recipientId,
          messageType: type,
          reportId: report.id,
          payload,
        },
        now,
      );
    }
  }

  private channelsFor(to: Recipient): DeliveryChannel[] {
    if (to.type === 'dsl_channel') {
      const dsl = this.directory.channels.dsl;
      return this.channels.filter((c) => c === 'sandbox' || (c === 'slack' && dsl.slack) || (c === 'teams' && dsl.teams));
    }
    const qualified = /^(slack|teams|sandbox):/.exec(to.id);
    if (qualified) return this.channels.filter((c) => c === qualified[1]);
    const person = this.directory.get(to.id);
    if (!person) return [];
    return this.channels.filter((c) => c === 'sandbox' || (c === 'slack' && person.slack) || (c === 'teams' && person.teams));
  }
}
