import type { ChronologyEntry } from './chronology.js';
import type { EvidenceLimits } from './evidence.js';
import type { Policy } from './policy-schema.js';
import type { DeliveryChannel, DutyRecord, EvidenceFiles, EvidenceRecord, ReportStatus, WorkflowStore } from './ports.js';
import type { ReportForm } from './report-schemas.js';
import type { Directory } from './school.js';
import type { SubmitLimit } from './submit-limit.js';
import type { CaseOptions } from './workflow-lifecycle.js';
import type { Clock } from './working-time.js';

// The Workflow's commands and answers, as its callers see them.

export interface WorkflowDeps {
  store: WorkflowStore;
  evidenceFiles: EvidenceFiles;
  directory: Directory;
  policy: Policy;
  clock: Clock;
  /** The channels that deliver messages now (an outbox row is queued for each that reaches the person). */
  channels: DeliveryChannel[];
  evidenceLimits: EvidenceLimits;
  /** New reports per person (a flood is absorbed); none when not given (the app passes REPORT_LIMIT_PER_PERSON). */
  submitLimit?: SubmitLimit;
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
  /**
   * Runs inside the report's own transaction, once the report is stored (a channel's own
   * rows that belong with it, such as Slack's pending uploads): if it throws, nothing is
   * stored. Not run for a retried submission that returns the earlier result.
   */
  onStored?: (result: SubmitResult) => void;
  /**
   * The message the report was made from ("Report this message", message-evidence.ts), as
   * the channel read it from the platform: kept as evidence (G2: only its link and time for
   * nude images), and its author, if in the school file, is a subject (G1).
   */
  message?: unknown;
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
  /** Each matched rule's title in the school's policy: why the report went where it did, in words. */
  ruleTitles?: Record<string, string>;
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
  /** The message the report was made from (Report this message), for the full record only. */
  message?: { platform: string; authorName?: string; postedAt: string; link?: string; plainText: string; attachments: number };
  closed?: { at: string; by: string; outcome: string; reason: string };
  /** Everything that happened to the case, oldest first (issue 12). */
  chronology?: ChronologyEntry[];
  /** What this person may do with the case now: Close, Reopen (Add note: anyone with full access). */
  options?: CaseOptions;
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
