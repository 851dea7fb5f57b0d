import type { Role } from '../core/school.js';
import type { Workflow } from '../core/workflow.js';
import { formatLocal } from '../core/working-time.js';
import { cardFits, expandCard } from './adaptive-cards.js';

/**
 * The open-case list (issue 12, item 5): what the DSL, the deputies, the headteacher and
 * the chair may act on, like Slack's App Home. Theirs first, overdue cases marked, the
 * next deadline, each with View details. Core's queue already leaves out every report
 * whose subject the person is (G1). References, kinds and times only: no names, no
 * report text, so the list may be shown on any screen the person uses.
 */
export type QueueItem = ReturnType<Workflow['openQueue']>[number];

export interface QueueCaseView {
  reportId: string;
  reference: string;
  urgent: boolean;
  yours: boolean;
  overdue: boolean;
  /** "Yours · Overdue · Urgent": the marks, in words. */
  marks: string;
  /** The kind, and what the case is waiting for. */
  line: string;
  /** "Next deadline: Mon 23 Nov 2026, 10:30", or "No deadline set". */
  deadline: string;
}

export interface QueueView {
  title: string;
  summary: string;
  cases: QueueCaseView[];
  /** Cases left off the card to keep it within a message; type the command again once some are done. */
  more: number;
}

/** The roles whose people have an open-case list (and App Home's "Open cases"). */
export const caseRoles: readonly Role[] = ['dsl', 'deputy_dsl', 'headteacher', 'chair_of_governors'];

const waitingWords = { acknowledge: 'acknowledgement', decision: 'a decision', task: 'the block task' } as const;

/** Theirs first, then overdue, then by the next deadline (none last), then the oldest. */
export function sortQueue(items: QueueItem[]): QueueItem[] {
  const deadline = (q: QueueItem) => (q.nextDeadline ? Date.parse(q.nextDeadline) : Infinity);
  return [...items].sort(
    (a, b) =>
      Number(b.yours ?? false) - Number(a.yours ?? false) ||
      Number(b.overdue ?? false) - Number(a.overdue ?? false) ||
      deadline(a) - deadline(b) ||
      Date.parse(a.submittedAt) - Date.parse(b.submittedAt),
  );
}

/** The most cases one list shows; the rest are counted ("and 3 more"). */
export const queueShown = 25;
/** The most open cases read for one list (a page along the index: a list never loads every case). */
export const queueRead = 500;

export function queueView(items: QueueItem[], timeZone: string, shown = queueShown): QueueView {
  const at = (iso: string) => formatLocal(new Date(iso), timeZone);
  const sorted = sortQueue(items);
  const cases = sorted.map((q): QueueCaseView => {
    const waiting = [...new Set(q.waitingFor)].map((w) => waitingWords[w as keyof typeof waitingWords] ?? w);
    return {
      reportId: q.reportId,
      reference: q.reference,
      urgent: q.urgent,
      yours: q.yours ?? false,
      overdue: q.overdue ?? false,
      marks: [q.yours ? 'Yours' : 'For information', ...(q.overdue ? ['Overdue'] : []), ...(q.urgent ? ['Urgent'] : [])].join(' · '),
      line: `${q.kindLabel}. ${waiting.length > 0 ? `Waiting for ${waiting.join(' and ')}` : 'Ready to close'}. Reported ${at(q.submittedAt)}.`,
      deadline: q.nextDeadline ? `Next deadline: ${at(q.nextDeadline)}` : 'No deadline set',
    };
  });
  const yours = cases.filter((c) => c.yours).length;
  const overdue = cases.filter((c) => c.overdue).length;
  const next = sorted.map((q) => q.nextDeadline).filter((d): d is string => !!d).sort()[0];
  return {
    title: cases.length === 0 ? 'No open cases for you' : `Open cases: ${cases.length}`,
    summary:
      cases.length === 0
        ? 'Nothing is waiting for you. Reports about you are never listed here.'
        : `${yours} yours, ${overdue} overdue.${next ? ` Next deadline: ${at(next)}.` : ''}`,
    cases: cases.slice(0, shown),
    more: Math.max(0, cases.length - shown),
  };
}

/** The list as rows of title and text (Slack's App Home). */
export function queueRows(view: QueueView): { title: string; value: string }[] {
  return [
    ...view.cases.map((c) => ({ title: `${c.reference}: ${c.marks}`, value: `${c.line} ${c.deadline}.` })),
    ...(view.more > 0 ? [{ title: `And ${view.more} more`, value: 'Deal with those above, then look again.' }] : []),
  ];
}

function renderQueueCard(view: QueueView): Record<string, unknown> {
  return expandCard('queue', {
    ...view,
    moreText: view.more > 0 ? `And ${view.more} more open case${view.more === 1 ? '' : 's'}, not shown: deal with those above, then type cases again.` : '',
    cases: view.cases.map((c) => ({ ...c, data: { reportId: c.reportId }, submitData: { verb: 'view', reportId: c.reportId } })),
  });
}

/** The list as an Adaptive Card (Teams and the sandbox): a View details button on each case; within one message. */
export function queueCard(view: QueueView): Record<string, unknown> {
  let v = view;
  let card = renderQueueCard(v);
  while (!cardFits(card) && v.cases.length > 1) {
    const keep = Math.floor(v.cases.length / 2);
    v = { ...v, cases: v.cases.slice(0, keep), more: v.more + (v.cases.length - keep) };
    card = renderQueueCard(v);
  }
  return card;
}
