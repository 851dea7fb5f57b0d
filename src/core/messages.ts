import { kindLabels, type ReportKind } from './report-schemas.js';
import type { ReportRecord } from './ports.js';

/**
 * What core asks the channels to say. Payloads hold the minimum a channel message may
 * show (reference, kind, urgency, times, ids for buttons): never the report's text or
 * the names of the people it is about. Details are fetched with `view`, which checks
 * the person's right to see them.
 */
export const messageTypes = [
  'receipt.submitted', // to the reporter: the reference (G6)
  'receipt.status', // to the reporter: acknowledged / closed (G6)
  'report.for_acknowledgement', // to the DSL channel or the owner's DM, with Acknowledge / View details
  'report.notice', // "also told": for information
  'report.acknowledged', // update of the acknowledgement message, for everyone
  'ack.reminder', // G3 first deadline: the deputies (and owners) are reminded
  'report.escalated', // G3 second deadline: the next person in the chain must acknowledge
  'decision.requested', // a DM with the rule's choices and a required reason
  'decision.recorded', // update of the decision request
  'task.assigned', // the ICT technician's block task, with the URLs
  'task.completed', // update of the task, and a notice to the owners
  'report.closed', // update of the acknowledgement message
  'report.reopened', // update of the acknowledgement message: the case is open again
  'evidence.added', // to the owners: more evidence is attached
  'audit.checkpoint', // to the DSL: the audit log's head, to keep outside the database (no report)
  'delivery.failed', // to the DSL and headteacher: a message could not be delivered, and where it went instead
  'reports.digest', // to the DSL channel during a flood: several reports in one listing, each with its Acknowledge button
  'retention.notice', // to the DSL and headteacher: a case was disposed of; to the DSL: a transfer's receipt is overdue
  'report.tombstone', // replaces a disposed case's delivered card: reference, date and who; no content
] as const;
export type MessageType = (typeof messageTypes)[number];

export interface ReportSummary {
  [key: string]: unknown;
  reportId: string;
  reference: string;
  kind: ReportKind;
  kindLabel: string;
  urgent: boolean;
  submittedAt: string;
  /** G1 left out someone who may be the report's subject: cards say so, never who. */
  possibleSubjectSkipped?: true;
}

export function summarise(
  report: Pick<ReportRecord, 'id' | 'reference' | 'kind' | 'urgent' | 'submittedAt'> & { routing?: Pick<ReportRecord['routing'], 'possibleSubjectSkipped'> },
): ReportSummary {
  return {
    reportId: report.id,
    reference: report.reference,
    kind: report.kind,
    kindLabel: kindLabels[report.kind],
    urgent: report.urgent,
    submittedAt: report.submittedAt,
    ...(report.routing?.possibleSubjectSkipped ? { possibleSubjectSkipped: true as const } : {}),
  };
}

/** Outcomes a report can be closed with (G5: always with a reason too). */
export const closeOutcomes = [
  { id: 'action_taken', label: 'Action taken in school' },
  { id: 'referred', label: 'Referred to another agency' },
  { id: 'no_further_action', label: 'No further action' },
  { id: 'not_a_safeguarding_concern', label: 'Not a safeguarding concern' },
] as const;
export type CloseOutcome = (typeof closeOutcomes)[number]['id'];
