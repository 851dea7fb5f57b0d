import { z } from 'zod';
import type { FieldIssue } from '../core/errors.js';
import type { Directory } from '../core/school.js';
import type { ReportView, Workflow } from '../core/workflow.js';
import { caseDetailsView, caseDoneView, closeFormView, noteFormView, reopenFormView, withAnswers } from '../views/case-views.js';
import { messageView, reportDetailsView } from '../views/message-views.js';
import type { MessageView } from '../views/view-model.js';

// A case's own verbs (issue 12), written once for every chat channel: the forms to close,
// reopen and add a note, and what they send. Core decides who may.

const id = z.string().trim().min(1).max(100);

export const caseActionSchemas = [
  z.looseObject({ verb: z.literal('close_form'), reportId: id }),
  z.looseObject({ verb: z.literal('reopen_form'), reportId: id }),
  z.looseObject({ verb: z.literal('note_form'), reportId: id }),
  z.looseObject({ verb: z.literal('close'), reportId: id, outcome: z.string().default(''), reason: z.string().default('') }),
  z.looseObject({ verb: z.literal('reopen'), reportId: id, reason: z.string().default('') }),
  z.looseObject({ verb: z.literal('note'), reportId: id, what: z.string().default(''), text: z.string().default(''), externalRef: z.string().default('') }),
] as const;

type CaseAction = z.infer<(typeof caseActionSchemas)[number]>;
export const caseVerbs = new Set<string>(caseActionSchemas.map((s) => s.shape.verb.value));

/** View details: the report, its chronology and this person's case buttons. */
export function detailsView(v: ReportView, dir: Directory): MessageView {
  return caseDetailsView(v, reportDetailsView(v, dir, dir.timeZone), dir.timeZone);
}

/**
 * A form sent back with core's refusals next to their fields, what was entered kept (Teams
 * and the sandbox: the card that was clicked is replaced): a case form (close, reopen, a
 * note), or the card that asked for a decision or a block task. Undefined when the person
 * may not have the form now (then the refusal is said in words).
 */
export function caseFormAgain(workflow: Workflow, actorId: string, raw: Record<string, unknown>, issues: FieldIssue[]): MessageView | undefined {
  const verb = raw.verb;
  if (typeof raw.reportId !== 'string' || issues.length === 0) return undefined;
  if (verb === 'decide' || verb === 'complete_task') {
    const card = workflow.dutyForm({
      reportId: raw.reportId,
      actorId,
      type: verb === 'decide' ? 'decision' : 'task',
      ...(typeof raw.dutyId === 'string' && raw.dutyId ? { dutyId: raw.dutyId } : {}),
    });
    return card ? withAnswers(messageView(card, workflow.directory.timeZone), raw, issues) : undefined;
  }
  if (verb !== 'close' && verb !== 'reopen' && verb !== 'note') return undefined;
  try {
    const c = workflow.caseForm({ reportId: raw.reportId, actorId, form: verb });
    const form = verb === 'close' ? closeFormView(c.reference, c.reportId) : verb === 'reopen' ? reopenFormView(c.reference, c.reportId) : noteFormView(c.reference, c.reportId);
    return withAnswers(form, raw, issues);
  } catch {
    return undefined;
  }
}

/**
 * What a case verb does: a form to show (privately, in the person's own chat), or the
 * step done and what to say. Throws core's DomainError when it is refused.
 */
export function performCaseAction(workflow: Workflow, actorId: string, action: CaseAction): { form: MessageView } | { done: MessageView; text: string } {
  switch (action.verb) {
    case 'close_form':
    case 'reopen_form':
    case 'note_form': {
      const kind = action.verb === 'close_form' ? 'close' : action.verb === 'reopen_form' ? 'reopen' : 'note';
      const c = workflow.caseForm({ reportId: action.reportId, actorId, form: kind });
      return { form: kind === 'close' ? closeFormView(c.reference, c.reportId) : kind === 'reopen' ? reopenFormView(c.reference, c.reportId) : noteFormView(c.reference, c.reportId) };
    }
    case 'close': {
      const r = workflow.close({ reportId: action.reportId, actorId, outcome: action.outcome, reason: action.reason });
      const text = r.changed ? `Closed ${r.reference}. The cards show it, and the reporter is told it is closed.` : `${r.reference} was already closed.`;
      return { done: caseDoneView(`Closed: ${r.reference}`, 'Closed, with the outcome and reason on the record'), text };
    }
    case 'reopen': {
      const r = workflow.reopen({ reportId: action.reportId, actorId, reason: action.reason });
      return { done: caseDoneView(`Reopened: ${r.reference}`, 'Reopened, with the reason on the record'), text: `Reopened ${r.reference}. It is back in the open cases.` };
    }
    case 'note': {
      const r = workflow.addNote({ reportId: action.reportId, actorId, what: action.what, text: action.text, externalRef: action.externalRef });
      return { done: caseDoneView(`Added to ${r.reference}`, 'On the record: see View details'), text: `Added to the record of ${r.reference}.` };
    }
  }
}
