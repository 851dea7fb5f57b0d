import { contentSha256 } from './audit-chain.js';
import { caseActions, noteKinds } from './case-actions.js';
import { DomainError, type FieldIssue } from './errors.js';
import { assertLength, textLimits } from './text-limits.js';
import { accessOf } from './workflow-access.js';
import { audit, decided, mustGetReport, Refused, type WorkflowCtx } from './workflow-context.js';
import type { ActionResult } from './workflow-types.js';

// Notes and recorded actions on a case (issue 12): by anyone who may see the whole report
// (never a subject, G1), open or closed, dated when recorded; the text sealed at rest and
// its hash in the audit log.

export interface NoteCommand {
  reportId: string;
  actorId: string;
  /** "note", or one of caseActions' ids. */
  what: string;
  /** The note (required for a note; optional details for an action). */
  text: string;
  externalRef?: string | undefined;
}

export function addNote(c: WorkflowCtx, cmd: NoteCommand): ActionResult {
  const now = c.clock();
  return decided(c, () => {
    const report = mustGetReport(c, cmd.reportId);
    if (accessOf(c, report, c.store.listDuties(report.id), cmd.actorId) !== 'full')
      throw new Refused(cmd.actorId, 'note', report.id, new DomainError('FORBIDDEN', 'only the people this report was sent to add to it'));
    const issues: FieldIssue[] = [];
    if (!noteKinds.some((k) => k.id === cmd.what)) issues.push({ path: 'what', message: 'Please choose a note or what was done.' });
    const text = cmd.text.trim();
    const externalRef = cmd.externalRef?.trim() || undefined;
    if (cmd.what === 'note' && text.length === 0) issues.push({ path: 'text', message: 'Please write the note.' });
    if (issues.length > 0) throw new DomainError('REASON_REQUIRED', 'a note needs its kind and, for a note, its text', issues);
    assertLength('text', text, textLimits.note);
    if (externalRef) assertLength('externalRef', externalRef, textLimits.externalRef);
    const isAction = caseActions.some((a) => a.id === cmd.what);
    const entry = c.newId();
    c.store.insertCaseEntry({
      id: entry,
      reportId: report.id,
      kind: isAction ? 'action' : 'note',
      ...(isAction ? { what: cmd.what } : {}),
      actor: cmd.actorId,
      at: now.toISOString(),
      ...(text ? { text } : {}),
      ...(externalRef ? { externalRef } : {}),
    });
    audit(c, cmd.actorId, isAction ? 'case.action_recorded' : 'case.note_added', report.id, now, {
      entry,
      ...(isAction ? { what: cmd.what } : {}),
      ...(text ? { textSha256: contentSha256(text) } : {}),
      ...(externalRef ? { externalRefSha256: contentSha256(externalRef) } : {}),
    });
    return { reportId: report.id, reference: report.reference, changed: true, by: cmd.actorId, at: now.toISOString() };
  });
}
