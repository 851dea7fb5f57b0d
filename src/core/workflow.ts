import { randomUUID } from 'node:crypto';
import type { FailedDelivery } from './delivery-failures.js';
import type { FieldIssue } from './errors.js';
import type { Policy } from './policy-schema.js';
import type { ReportForm, ReportKind } from './report-schemas.js';
import type { Directory } from './school.js';
import { subjectCandidates, type SubjectCandidate } from './subject-check.js';
import { defaultSubmitLimit } from './submit-limit.js';
import { acknowledge, completeTask, dutyForm, recordDecision } from './workflow-commands.js';
import { caseForm, close, reopen } from './workflow-lifecycle.js';
import { addNote, type NoteCommand } from './workflow-notes.js';
import type { WorkflowCtx } from './workflow-context.js';
import { tick } from './workflow-deadlines.js';
import { attachEvidence, evidenceTarget } from './workflow-evidence.js';
import { deliveryFailed } from './workflow-notify.js';
import { openQueue, receipts, view } from './workflow-queries.js';
import { withReportedMessage } from './workflow-message.js';
import { submit, today, validate } from './workflow-submit.js';
import type { ActionResult, Receipt, ReportView, SubmitCommand, SubmitResult, TickResult, WorkflowDeps } from './workflow-types.js';

export { eligiblePeople } from './workflow-access.js';
export type { NoteCommand } from './workflow-notes.js';
export type { CaseOptions } from './workflow-lifecycle.js';
export type { ChronologyEntry } from './chronology.js';
export type { ActionResult, EvidenceUpload, Receipt, ReportView, SubmitCommand, SubmitResult, TickResult, WorkflowDeps } from './workflow-types.js';

/**
 * The workflow: submit, acknowledge, decide, record the ICT action, close, and the tick
 * that runs due timers. Each step is one transaction: the report, its duties, timers,
 * audit entries and outgoing messages land together or not at all, and every check that
 * decides a write runs inside that write's transaction. Who may do what is decided here,
 * never in the adapters. The steps live in the workflow-*.ts modules, by concern.
 */
export class Workflow {
  readonly directory: Directory;
  readonly policy: Policy;
  private readonly c: WorkflowCtx;

  constructor(deps: WorkflowDeps) {
    this.directory = deps.directory;
    this.policy = deps.policy;
    this.c = {
      store: deps.store,
      files: deps.evidenceFiles,
      directory: deps.directory,
      policy: deps.policy,
      clock: deps.clock,
      channels: deps.channels,
      limits: deps.evidenceLimits,
      submitLimit: deps.submitLimit ?? { ...defaultSubmitLimit, max: 0 },
      newId: deps.newId ?? randomUUID,
    };
  }

  /** Today's date in the school's time zone. */
  today(now = this.c.clock()): string {
    return today(this.c, now);
  }

  /** Validates a form without storing it: the field issues, in words a teacher understands. */
  validate(form: unknown): { ok: true; form: ReportForm } | { ok: false; issues: FieldIssue[] } {
    return validate(this.c, form);
  }

  /** G1: who the form's typed name could mean, for the channels to ask "Is this about one of these people?". */
  subjectCandidates(form: ReportForm): SubjectCandidate[] {
    return subjectCandidates(form, this.directory);
  }

  submit(cmd: SubmitCommand): Promise<SubmitResult> {
    return submit(this.c, cmd);
  }

  /** May this person add evidence to the report now (before any file is fetched)? A refusal is audited. */
  evidenceTarget(cmd: { reportId: string; actorId: string }): { reference: string; kind: ReportKind; evidenceCount: number } {
    return evidenceTarget(this.c, cmd);
  }

  /** Adds evidence to a report after it was made (Teams sends screenshots as attachments). */
  attachEvidence(cmd: { reportId: string; actorId: string; bytes: Uint8Array; meta?: unknown }): Promise<{
    reference: string;
    kind: ReportKind;
    evidenceCount: number;
    added: boolean;
  }> {
    return attachEvidence(this.c, cmd);
  }

  acknowledge(cmd: { reportId: string; actorId: string }): ActionResult {
    return acknowledge(this.c, cmd);
  }

  recordDecision(cmd: { reportId: string; dutyId?: string; actorId: string; choice: string; reason: string }): ActionResult {
    return recordDecision(this.c, cmd);
  }

  /** The decision or block task card asking this person now (to send back with a refused answer); undefined if not theirs now. Reads only. */
  dutyForm(cmd: { reportId: string; dutyId?: string; actorId: string; type: 'decision' | 'task' }): ReturnType<typeof dutyForm> {
    return dutyForm(this.c, cmd);
  }

  /** The ICT technician's section: the action taken; who and when are recorded here. */
  completeTask(cmd: { reportId: string; dutyId?: string; actorId: string; action: string }): ActionResult {
    return completeTask(this.c, cmd);
  }

  /** G5: a report closes only with an outcome and a reason, once everything asked of people is done. */
  close(cmd: { reportId: string; actorId: string; outcome: string; reason: string }): ActionResult {
    return close(this.c, cmd);
  }

  /** Reopens a closed report, with a reason, by the people who may close it (no deadline restarts). */
  reopen(cmd: { reportId: string; actorId: string; reason: string }): ActionResult {
    return reopen(this.c, cmd);
  }

  /** Before a close, reopen or note form is shown: may this person use it on this case now (refusals audited)? */
  caseForm(cmd: { reportId: string; actorId: string; form: 'close' | 'reopen' | 'note' }): { reportId: string; reference: string } {
    return caseForm(this.c, cmd);
  }

  /** A dated note or recorded action on the case, by anyone who may see the whole report (G1: never a subject). */
  addNote(cmd: NoteCommand): ActionResult {
    return addNote(this.c, cmd);
  }

  /** A report as this person may see it (G1, G6, G7); refused (and audited) for anyone else. */
  view(cmd: { reportId: string; actorId: string }): ReportView {
    return view(this.c, cmd);
  }

  /** `view`, with the message the report was made from (read from its evidence file) when the full record is shown. */
  viewDetails(cmd: { reportId: string; actorId: string }): Promise<ReportView> {
    return withReportedMessage(this.c, view(this.c, cmd));
  }

  /** G6: the reporter's own reports: reference, kind, status; not who did what. */
  receipts(reporterId: string, opts: { limit?: number } = {}): Receipt[] {
    return receipts(this.c, reporterId, opts);
  }

  /** Open reports this person may act on (never those they are the subject of), oldest first; paged with `limit` and `after` (a report id). */
  openQueue(actorId: string, opts: { limit?: number; after?: string } = {}): ReturnType<typeof openQueue> {
    return openQueue(this.c, actorId, opts);
  }

  /** Runs the timers that are due (G3, G4). Safe to run from several loops: each timer runs once. */
  tick(limit = 100): TickResult {
    return tick(this.c, limit);
  }

  /** A message a platform refused for good: on the report's record, and its notice goes another way. */
  deliveryFailed(f: FailedDelivery): void {
    deliveryFailed(this.c, f);
  }
}
