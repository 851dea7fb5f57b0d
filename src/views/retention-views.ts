import type { MessageView } from './view-model.js';

/**
 * "retention.notice" (issue 14, item 7): to the DSL and headteacher when a case is
 * disposed of, and to the DSL when a transfer's receipt is overdue. References, kinds,
 * dates and codes only: no report text, no names of the people a case is about.
 */
export function retentionNoticeView(payload: Record<string, unknown>, at: (iso: string | undefined) => string): MessageView {
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  if (payload.event === 'tombstone_failed') return tombstoneFailedView(payload);
  if (payload.event === 'transfer_overdue') {
    const refs = Array.isArray(payload.references) ? payload.references.map(String).join(', ') : '';
    return {
      title: `Transfer not confirmed: ${s(payload.code)}`,
      urgent: false,
      facts: [
        { title: 'Receipt code', value: s(payload.code) },
        { title: 'Cases', value: refs },
        { title: 'Was due', value: at(s(payload.dueAt)) },
      ],
      paragraphs: [
        "The receiving school has not confirmed receipt of this pupil's file within five school days. Please contact them; when they confirm, record it in the case console or with: npm run cli -- transfer confirm " + s(payload.code),
      ],
      inputs: [],
      actions: [],
    };
  }
  return {
    title: `Case disposed of: ${s(payload.reference)}`,
    urgent: false,
    status: `Disposed of by ${s(payload.disposedBy)} at ${at(s(payload.disposedAt))}`,
    facts: [
      { title: 'Reference', value: s(payload.reference) },
      { title: 'Kind', value: s(payload.kindLabel) },
      { title: 'Review date', value: s(payload.reviewDate) },
    ],
    paragraphs: ['Its record, evidence and text are removed under the retention rules. A tombstone and the audit log keep the reference, dates, who and why.'],
    inputs: [],
    actions: [],
  };
}

/** "DD Month YYYY" for a school date "YYYY-MM-DD". */
function longDay(date: string): string {
  const at = new Date(`${date}T12:00:00Z`);
  return Number.isNaN(at.getTime()) ? date : new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(at);
}

/**
 * What a disposed case's delivered cards become (the DSL channel card, DMs, reminders):
 * the reference, the date and who; nothing of the report, no buttons.
 */
export function tombstoneView(payload: Record<string, unknown>): MessageView {
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    title: `${s(payload.reference)} was disposed of under the retention rules on ${longDay(s(payload.disposedOn))} by ${s(payload.disposedBy)}`,
    urgent: false,
    facts: [],
    paragraphs: [],
    inputs: [],
    actions: [],
  };
}

/** To the DSL and headteacher: a disposed case's card could not be replaced by its tombstone, so it may still show the report. */
export function tombstoneFailedView(payload: Record<string, unknown>): MessageView {
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    title: `Not removed from chat: a card of ${s(payload.reference)}`,
    urgent: false,
    facts: [
      { title: 'Reference', value: s(payload.reference) },
      { title: 'Where', value: s(payload.failedWhere) },
      { title: 'Why', value: s(payload.failedCode) },
    ],
    paragraphs: [
      `The case was disposed of, but a card about it in ${s(payload.failedWhere)} could not be replaced by its tombstone and may still show the report's summary. Please delete that message by hand in ${s(payload.failedChannel)}.`,
    ],
    inputs: [],
    actions: [],
  };
}
