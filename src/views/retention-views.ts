import type { MessageView } from './view-model.js';

/**
 * "retention.notice" (issue 14, item 7): to the DSL and headteacher when a case is
 * disposed of, and to the DSL when a transfer's receipt is overdue. References, kinds,
 * dates and codes only: no report text, no names of the people a case is about.
 */
export function retentionNoticeView(payload: Record<string, unknown>, at: (iso: string | undefined) => string): MessageView {
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
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
