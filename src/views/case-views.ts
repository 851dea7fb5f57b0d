import { noteKinds } from '../core/case-actions.js';
import type { ChronologyEntry } from '../core/chronology.js';
import { closeOutcomes } from '../core/messages.js';
import { textLimits } from '../core/text-limits.js';
import { formatLocal } from '../core/working-time.js';
import type { ReportView } from '../core/workflow.js';
import type { FieldIssue } from '../core/errors.js';
import type { ActionView, InputView, MessageView } from './view-model.js';

/**
 * A case from first report to closing (issue 12): the forms to close, reopen and add a
 * note, the chronology in View details, and the cards that say a case was closed or
 * reopened. Channel-neutral: Teams and the sandbox render them as Adaptive Cards, Slack
 * as modals and blocks.
 */

const plainView = (v: Partial<MessageView> & Pick<MessageView, 'title'>): MessageView => ({ urgent: false, facts: [], paragraphs: [], inputs: [], actions: [], ...v });

export const closeOutcomeChoices = closeOutcomes.map((o) => ({ title: o.label, value: o.id }));
export const noteKindChoices = noteKinds.map((k) => ({ title: k.label, value: k.id }));

/** The inputs of each form, by id: the same ids the cards send back and Slack's blocks use. */
export const closeInputs: InputView[] = [
  { id: 'outcome', kind: 'choice', label: 'Outcome', required: true, errorMessage: 'Please choose the outcome.', choices: closeOutcomeChoices },
  { id: 'reason', kind: 'multiline', label: 'Reason for closing', required: true, errorMessage: 'Please give the reason for closing the report.', maxLength: textLimits.closeReason },
];
export const reopenInputs: InputView[] = [
  { id: 'reason', kind: 'multiline', label: 'Reason for reopening', required: true, errorMessage: 'Please give the reason for reopening the report.', maxLength: textLimits.closeReason },
];
export const noteInputs: InputView[] = [
  { id: 'what', kind: 'choice', label: 'What are you recording?', required: true, errorMessage: 'Please choose a note or what was done.', choices: noteKindChoices },
  { id: 'text', kind: 'multiline', label: 'Note or details (required for a note)', required: false, errorMessage: 'Please write the note.', maxLength: textLimits.note },
  { id: 'externalRef', kind: 'text', label: 'External reference, if any (for example a social care or police reference)', required: false, errorMessage: 'Please shorten the reference.', maxLength: textLimits.externalRef },
];

export const closeWords = {
  title: (reference: string) => `Close ${reference}`,
  intro: 'Choose the outcome and give the reason (G5): both go on the record. The reporter is told the report is closed, never by whom or why. Closing also acknowledges the report for you.',
};
export const reopenWords = {
  title: (reference: string) => `Reopen ${reference}`,
  intro: 'Give the reason for reopening: it goes on the record. The case goes back in the open-case lists; no deadline starts again.',
};
export const noteWords = {
  title: (reference: string) => `Add a note to ${reference}`,
  intro: 'A note, or something done about the case, with an external reference if there is one. It is dated now and shown in View details, in time order, to the people this report was sent to.',
};

const ids = (reportId: string) => ({ reportId });

export function closeFormView(reference: string, reportId: string): MessageView {
  return plainView({ title: closeWords.title(reference), paragraphs: [closeWords.intro], inputs: closeInputs, actions: [{ verb: 'close', title: 'Close the case', style: 'positive', data: ids(reportId) }] });
}

export function reopenFormView(reference: string, reportId: string): MessageView {
  return plainView({ title: reopenWords.title(reference), paragraphs: [reopenWords.intro], inputs: reopenInputs, actions: [{ verb: 'reopen', title: 'Reopen the case', style: 'positive', data: ids(reportId) }] });
}

/** A case form again, with what the person entered and each of core's refusals next to its field. */
export function withAnswers(form: MessageView, values: Record<string, unknown>, issues: FieldIssue[]): MessageView {
  return {
    ...form,
    inputs: form.inputs.map((i) => {
      const value = values[i.id];
      const issue = issues.find((x) => x.path === i.id)?.message;
      return { ...i, ...(typeof value === 'string' ? { value } : {}), ...(issue ? { issue } : {}) };
    }),
  };
}

export function noteFormView(reference: string, reportId: string): MessageView {
  return plainView({ title: noteWords.title(reference), paragraphs: [noteWords.intro], inputs: noteInputs, actions: [{ verb: 'note', title: 'Add to the record', style: 'positive', data: ids(reportId) }] });
}

/** What a submitted close, reopen or note form turns into. */
export function caseDoneView(title: string, status: string): MessageView {
  return plainView({ title, status });
}

const closeAction = (reportId: string): ActionView => ({ verb: 'close_form', title: 'Close', style: 'default', data: ids(reportId) });
const noteAction = (reportId: string): ActionView => ({ verb: 'note_form', title: 'Add note', style: 'default', data: ids(reportId) });
const reopenAction = (reportId: string): ActionView => ({ verb: 'reopen_form', title: 'Reopen', style: 'default', data: ids(reportId) });

/** The buttons a card about a case offers its owners: Close and Add note (core checks who may, and when). */
export const caseActions = (reportId: string): ActionView[] => [closeAction(reportId), noteAction(reportId)];

/** One chronology entry in words. */
export function chronologyWords(e: ChronologyEntry): string {
  const people = (e.people ?? []).join(', ') || 'nobody reachable';
  const reason = e.text ? `: ${e.text}` : '';
  const ref = e.externalRef ? ` (reference ${e.externalRef})` : '';
  switch (e.event) {
    case 'submitted':
      return `Reported by ${e.by}`;
    case 'asked':
      return `Asked to ${e.what}: ${people}`;
    case 'told':
      return `Told for information: ${people}`;
    case 'acknowledged':
      return `Acknowledged by ${e.by}${e.via === 'decision' ? ' (by deciding)' : e.via === 'close' ? ' (by closing)' : ''}`;
    case 'reminded':
      return `Reminder sent to ${people}`;
    case 'escalated':
      return `Escalated (not ${e.what === 'decide' ? 'decided' : 'acknowledged'} in time) to ${people}`;
    case 'decision_overdue':
      return 'Decision overdue: asked again';
    case 'decided':
      return `Decided by ${e.by}: ${e.what}${reason}`;
    case 'task_done':
      return `Blocked by ${e.by}${reason}`;
    case 'evidence':
      return `Evidence added by ${e.by}: ${e.what}`;
    case 'note':
      return `Note by ${e.by}${reason}${ref}`;
    case 'action':
      return `${e.what}, recorded by ${e.by}${reason}${ref}`;
    case 'closed':
      return `Closed by ${e.by} (${e.what})${reason}`;
    case 'reopened':
      return `Reopened by ${e.by}${reason}`;
    case 'record':
      return `${e.what}${e.by ? `, by ${e.by}` : ''}`;
  }
}

/**
 * View details with the case's record: the report as reportDetailsView shows it (`base`), then its
 * chronology (oldest first, in the school's time zone), and the case's buttons for this
 * person: Close when they own it and nothing is waiting, Reopen when it is closed, Add note.
 */
export function caseDetailsView(v: ReportView, base: MessageView, timeZone: string): MessageView {
  if (v.access !== 'full') return base;
  const chronology = (v.chronology ?? []).map((e) => ({ title: formatLocal(new Date(e.at), timeZone), value: chronologyWords(e) }));
  const o = v.options;
  const waiting = o && !o.close && o.waitingFor.length > 0 ? [`Close is offered once nothing is waiting: ${o.waitingFor.map((t) => waitingWords[t]).join(', ')}.`] : [];
  return {
    ...base,
    facts: [...base.facts, ...(chronology.length > 0 ? [{ title: 'Chronology', value: `${chronology.length} entries, oldest first` }, ...chronology] : [])],
    paragraphs: [...base.paragraphs, ...waiting],
    actions: [...(o?.close ? [closeAction(v.reportId)] : []), ...(o?.reopen ? [reopenAction(v.reportId)] : []), noteAction(v.reportId)],
  };
}

const waitingWords = { acknowledge: 'another owner to acknowledge', decision: 'a decision', task: 'the block task' } as const;

/** The owners' cards once a case is reopened. */
export function reopenedView(p: { reference: string; kindLabel: string; urgent: boolean; reportId: string; reopenedBy?: string; reopenedAt?: string }, facts: MessageView['facts'], timeZone: string): MessageView {
  return {
    ...plainView({ title: `Reopened: ${p.reference}` }),
    urgent: p.urgent,
    status: `Reopened by ${p.reopenedBy ?? 'an owner'}${p.reopenedAt ? ` at ${formatLocal(new Date(p.reopenedAt), timeZone)}` : ''}`,
    facts,
    actions: [...caseActions(p.reportId), { verb: 'view', title: 'View details', style: 'default', data: { reportId: p.reportId } }],
  };
}
