import { roleWords, type ChainRole } from '../core/policy-engine.js';
import type { OutboxItem } from '../core/ports.js';
import { closeOutcomes } from '../core/messages.js';
import { formatLocal } from '../core/working-time.js';
import type { ReportView, SubmitResult } from '../core/workflow.js';
import { acceptsEvidence, formEvidenceTimes } from '../core/report-schemas.js';
import { formatLocalString } from './answer-labels.js';
import type { Directory } from '../core/school.js';
import { textLimits } from '../core/text-limits.js';
import { digestView } from './digest-view.js';
import { retentionNoticeView, tombstoneView } from './retention-views.js';
import { caseActions, reopenedView } from './case-views.js';
import { formAnswers } from './report-forms.js';
import type { ActionView, MessageView } from './view-model.js';
import { reportedMessageFacts } from './reported-message-facts.js';


/** The outbox payload fields the views read (see Workflow.send and summarise()). */
interface Payload {
  reportId: string;
  reference: string;
  kindLabel: string;
  urgent: boolean;
  submittedAt: string;
  dutyId?: string;
  dueAt?: string;
  status?: string;
  guidance?: string[];
  evidenceCount?: number;
  question?: string;
  choices?: { id: string; label: string }[];
  urls?: string[];
  toRole?: ChainRole;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  choiceLabel?: string;
  decidedBy?: string;
  decidedAt?: string;
  completedBy?: string;
  completedAt?: string;
  closedBy?: string;
  closedAt?: string;
  outcomeLabel?: string;
  possibleSubjectSkipped?: boolean;
}

/** G1: what recipients are told when someone who may be the subject was left out (never who). */
export const possibleSubjectWords =
  'Someone who would normally get this report may be the person it is about, so they were left out and are not told. Keep it from them.';
const toRecipients = new Set(['report.for_acknowledgement', 'report.notice', 'ack.reminder', 'report.escalated', 'decision.requested', 'task.assigned']);

/** Turns a queued message into the view every channel renders. Times are in the school's time zone. */
export function messageView(item: Pick<OutboxItem, 'messageType' | 'payload'>, timeZone: string): MessageView {
  const p = item.payload as unknown as Payload;
  const at = (iso: string | undefined) => (iso ? formatLocal(new Date(iso), timeZone) : '');
  const ids = { reportId: p.reportId, ...(p.dutyId ? { dutyId: p.dutyId } : {}) };
  const acknowledge: ActionView = { verb: 'acknowledge', title: 'Acknowledge', style: 'positive', data: ids };
  const details: ActionView = { verb: 'view', title: 'View details', style: 'default', data: { reportId: p.reportId } };
  const basics = [
    { title: 'Reference', value: p.reference },
    { title: 'Kind', value: p.kindLabel },
    { title: 'Reported', value: at(p.submittedAt) },
  ];
  const view = (v: Partial<MessageView> & Pick<MessageView, 'title'>): MessageView => ({
    urgent: p.urgent,
    facts: basics,
    inputs: [],
    actions: [],
    ...v,
    paragraphs: [...(v.paragraphs ?? []), ...(p.possibleSubjectSkipped && toRecipients.has(item.messageType) ? [possibleSubjectWords] : [])],
  });
  const urgentWord = p.urgent ? 'Urgent report' : 'New report';

  switch (item.messageType) {
    case 'receipt.submitted':
      return view({
        title: `Report received: ${p.reference}`,
        facts: [
          { title: 'Reference', value: p.reference },
          { title: 'Kind', value: p.kindLabel },
          ...(p.evidenceCount ? [{ title: 'Evidence attached', value: String(p.evidenceCount) }] : []),
        ],
        paragraphs: [
          'Thank you. Your report is stored and has gone to the right person. Keep the reference; you will be told when it is acknowledged and when it is closed.',
          ...(p.guidance ?? []),
        ],
      });
    case 'receipt.status':
      return view({
        title: `Your report ${p.reference} has been ${p.status === 'closed' || p.status === 'reopened' ? p.status : 'acknowledged'}`,
        facts: [
          { title: 'Reference', value: p.reference },
          { title: 'Kind', value: p.kindLabel },
        ],
      });
    case 'report.for_acknowledgement':
      return view({
        title: `${urgentWord}: ${p.reference}`,
        facts: [...basics, ...(p.dueAt ? [{ title: 'Acknowledge by', value: at(p.dueAt) }] : [])],
        actions: [acknowledge, details],
      });
    case 'report.notice':
      return view({ title: `For information: report ${p.reference}`, actions: [details] });
    case 'report.acknowledged':
      return view({
        title: `${urgentWord}: ${p.reference}`,
        status: `Acknowledged by ${p.acknowledgedBy} at ${at(p.acknowledgedAt)}`,
        actions: [...caseActions(p.reportId), details],
      });
    case 'ack.reminder':
      return view({
        title: `Reminder: ${p.reference} is waiting to be acknowledged`,
        actions: [acknowledge, details],
      });
    case 'report.escalated':
      return view({
        title: `Escalated: ${p.reference} has not been acknowledged`,
        paragraphs: [`It now goes to ${p.toRole ? roleWords[p.toRole] : 'the next person in the chain'} as well.`],
        facts: [...basics, ...(p.dueAt ? [{ title: 'Acknowledge by', value: at(p.dueAt) }] : [])],
        actions: [acknowledge, details],
      });
    case 'decision.requested':
      return view({
        title: `Decision needed: ${p.reference}`,
        facts: [...basics, ...(p.dueAt ? [{ title: 'Decide by', value: at(p.dueAt) }] : [])],
        paragraphs: [p.question ?? 'What do you decide?', 'Deciding also acknowledges the report for you, if it is yours to acknowledge.'],
        inputs: [
          {
            id: 'choice',
            kind: 'choice',
            label: 'Decision',
            required: true,
            errorMessage: 'Please choose one of the options.',
            choices: (p.choices ?? []).map((c) => ({ title: c.label, value: c.id })),
          },
          { id: 'reason', kind: 'multiline', label: 'Reason', required: true, errorMessage: 'Please give the reason for your decision.', maxLength: textLimits.decisionReason },
        ],
        actions: [{ verb: 'decide', title: 'Record decision', style: 'positive', data: ids }, details],
      });
    case 'decision.recorded':
      return view({
        title: `Decision recorded: ${p.reference}`,
        status: `${p.choiceLabel}: decided by ${p.decidedBy} at ${at(p.decidedAt)}`,
        actions: [details],
      });
    case 'task.assigned':
      return view({
        title: `Please block: ${p.reference}`,
        facts: [
          { title: 'Reference', value: p.reference },
          { title: 'Reported', value: at(p.submittedAt) },
        ],
        paragraphs: ['Block these web addresses on the school filter, then say what you did.', ...(p.urls ?? [])],
        inputs: [{ id: 'action', kind: 'multiline', label: 'Action taken', required: true, errorMessage: 'Please say what action you took.', maxLength: textLimits.ictAction }],
        actions: [{ verb: 'complete_task', title: 'Mark blocked', style: 'positive', data: ids }],
      });
    case 'task.completed':
      return view({
        title: `Block task: ${p.reference}`,
        status: `Blocked by ${p.completedBy} at ${at(p.completedAt)}`,
      });
    case 'report.closed':
      return view({
        title: `Closed: ${p.reference}`,
        status: `Closed by ${p.closedBy}${p.outcomeLabel ? ` (${p.outcomeLabel})` : ''} at ${at(p.closedAt)}`,
        actions: [details],
      });
    case 'report.reopened':
      return reopenedView(item.payload as unknown as Parameters<typeof reopenedView>[0], basics, timeZone);
    case 'evidence.added':
      return view({
        title: `More evidence: ${p.reference}`,
        facts: [...basics, { title: 'Evidence attached', value: String(p.evidenceCount ?? 0) }],
        actions: [details],
      });
    case 'audit.checkpoint':
      return auditCheckpointView(item.payload, at);
    case 'delivery.failed':
      return deliveryFailedView(item.payload, view, details);
    case 'reports.digest':
      return digestView(item.payload, at, possibleSubjectWords);
    case 'retention.notice':
      return retentionNoticeView(item.payload, at);
    case 'report.tombstone':
      return tombstoneView(item.payload);
    default:
      return view({ title: `Report ${p.reference}`, actions: [details] });
  }
}

/**
 * A status message (acknowledged, decided, blocked, closed) as it replaces an earlier
 * card: the card keeps saying what it was ("Reminder: …", "Escalated: …", "For
 * information: …"), with the new status, so a channel never shows copies of the first
 * card and the reminder stays on the record.
 */
export function asUpdateOf(view: MessageView, earlierType: string, reference: string): MessageView {
  const titles: Record<string, string> = {
    'ack.reminder': `Reminder: ${reference} was waiting to be acknowledged`,
    'report.escalated': `Escalated: ${reference} was not acknowledged in time`,
    'report.notice': `For information: report ${reference}`,
  };
  const title = titles[earlierType];
  return title ? { ...view, title } : view;
}

/** The audit log's head, sent to the DSL to keep: no report, no buttons. */
function auditCheckpointView(payload: Record<string, unknown>, at: (iso: string | undefined) => string): MessageView {
  const anchor = `${String(payload.seq)}:${String(payload.hash)}`;
  return {
    title: 'Audit log checkpoint',
    urgent: false,
    facts: [
      { title: 'Entry', value: String(payload.seq) },
      { title: 'At', value: at(typeof payload.at === 'string' ? payload.at : undefined) },
    ],
    paragraphs: [
      'Keep this message. It records the audit log as it stood, outside the bot\'s database, so that a log cut short or rewritten later is found.',
      `To check: npm run cli -- audit verify --head ${anchor}`,
    ],
    inputs: [],
    actions: [],
  };
}

/** To the DSL and headteacher: a message about a report could not be delivered, and where it went instead. */
function deliveryFailedView(payload: Record<string, unknown>, view: (v: Partial<MessageView> & Pick<MessageView, 'title'>) => MessageView, details: ActionView): MessageView {
  const f = payload as { reference?: string; failedTo?: string; failedChannel?: string; failedCode?: string; reroutedTo?: string[] };
  const instead = f.reroutedTo && f.reroutedTo.length > 0 ? `It was sent to ${f.reroutedTo.join(', ')} instead.` : 'Nobody else was due to receive it; please make sure the right person knows.';
  return view({
    title: `Not delivered: a message about ${f.reference ?? 'a report'}`,
    paragraphs: [`A message to ${f.failedTo ?? 'someone'} (${f.failedChannel ?? 'chat'}) could not be delivered: ${f.failedCode ?? 'refused'}. ${instead}`],
    actions: [details],
  });
}

const statusWords = { open: 'Waiting to be acknowledged', acknowledged: 'Acknowledged', closed: 'Closed' } as const;
const dutyWords = { acknowledge: 'Acknowledgement', decision: 'Decision', task: 'Block task' } as const;

/**
 * A report as the person asking may see it (core decided the access): everything for
 * those it was routed to, the addresses to block for the ICT technician, the receipt
 * for the reporter. Only ever sent to that person privately.
 */
export function reportDetailsView(v: ReportView, dir: Directory, timeZone: string): MessageView {
  const at = (iso: string) => formatLocal(new Date(iso), timeZone);
  const base = [
    { title: 'Reference', value: v.reference },
    { title: 'Kind', value: v.kindLabel },
    { title: 'Status', value: statusWords[v.status] },
    { title: 'Reported', value: at(v.submittedAt) },
  ];
  const view = (rest: Partial<MessageView>): MessageView => ({
    title: `Report ${v.reference}`,
    urgent: v.urgent,
    facts: base,
    paragraphs: [],
    inputs: [],
    actions: [],
    ...rest,
  });
  if (v.access === 'receipt') return view({});
  if (v.access === 'task') return view({ title: `Block task: ${v.reference}`, paragraphs: ['Web addresses to block:', ...(v.urls ?? [])] });
  // The rules in the school policy's words, never their ids ("Because: a pupil's online behaviour …").
  const why = (rules: string[]) => rules.map((r) => v.ruleTitles?.[r] ?? r).join('; ');
  const duties = (v.duties ?? []).map((d) => ({
    title: dutyWords[d.type],
    value: `${
      d.status === 'open'
        ? `Waiting for ${d.waitingOn.join(', ') || 'nobody reachable'}`
        : `Done by ${d.doneBy?.name ?? 'the bot'}${d.doneAt ? ` at ${at(d.doneAt)}` : ''}${d.result?.choice ? `: ${d.choiceLabel ?? d.result.choice}` : ''}${d.result?.reason ? ` (${d.result.reason})` : ''}${d.result?.action ? `: ${d.result.action}` : ''}`
    }. Asked because: ${why(d.rules)}.`,
  }));
  // Each screenshot's times (form 2) beside its hash: as given with the file, else as the form gave them.
  const times = (e: { takenAt?: string | undefined; postedAt?: string | undefined }) =>
    e.takenAt || e.postedAt
      ? `taken ${e.takenAt ? formatLocalString(e.takenAt) : 'at a time not given'}, post made ${e.postedAt ? formatLocalString(e.postedAt) : 'at a time not given'}`
      : 'times not given';
  const evidence = (v.evidence ?? []).map((e, i) => ({
    title: `Screenshot ${i + 1}`,
    value: `${e.fileName ?? e.mediaType}, ${Math.ceil(e.size / 1024)} KB, ${times(e)}, added ${at(e.addedAt)}, SHA-256 ${e.sha256.slice(0, 12)}…`,
  }));
  const expected = formEvidenceTimes(v.form);
  return view({
    facts: [
      ...base,
      ...(v.reporter ? [{ title: 'Reported by', value: v.reporter.name }] : []),
      ...(v.form ? formAnswers(v.kind, v.form as unknown as Record<string, unknown>, dir) : []),
      { title: 'Sent to these people because', value: why(v.rules ?? []) },
      ...duties,
      ...(evidence.length === 0 && (expected.takenAt || expected.postedAt) ? [{ title: 'Screenshots (none yet)', value: `Times given in the form: ${times(expected)}` }] : []),
      ...evidence,
      ...reportedMessageFacts(v, at),
      ...(v.closed ? [{ title: 'Closed', value: `${closeOutcomes.find((o) => o.id === v.closed?.outcome)?.label ?? v.closed.outcome} by ${v.closed.by} at ${at(v.closed.at)}: ${v.closed.reason}` }] : []),
    ],
  });
}

/** What the reporter's form turns into once the report is stored: the reference, and what to do next. */
export function submittedView(result: Pick<SubmitResult, 'reference' | 'kind' | 'guidance'>, kindLabel: string, evidenceCount: number): MessageView {
  const next =
    result.kind === 'cyberbullying'
      ? ['Now send the screenshots here, in this chat, as attachments (or paste them). Each one is stored with the report.']
      : acceptsEvidence(result.kind)
        ? ['If you have screenshots, send them here, in this chat, as attachments.']
        : [];
  return {
    title: `Report sent: ${result.reference}`,
    urgent: false,
    status: 'Stored and sent to the right person',
    facts: [
      { title: 'Reference', value: result.reference },
      { title: 'Kind', value: kindLabel },
      ...(acceptsEvidence(result.kind) ? [{ title: 'Screenshots attached', value: String(evidenceCount) }] : []),
    ],
    paragraphs: ['Keep the reference: you will be told here when it is acknowledged and when it is closed.', ...next, ...result.guidance],
    inputs: [],
    actions: [],
  };
}

/** A short message with no report in it (help, a refusal, a confirmation). */
export function noticeView(title: string, paragraphs: string[] = []): MessageView {
  return { title, urgent: false, facts: [], paragraphs, inputs: [], actions: [] };
}
