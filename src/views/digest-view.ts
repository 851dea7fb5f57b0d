import type { DigestLine } from '../core/dsl-digest.js';
import { roleWords, type ChainRole } from '../core/policy-engine.js';
import type { ActionView, MessageView } from './view-model.js';

const what: Record<DigestLine['message'], string> = {
  'report.for_acknowledgement': 'new',
  'ack.reminder': 'reminder: still waiting to be acknowledged',
  'report.escalated': 'escalated: not acknowledged in time',
};

/**
 * Several reports in one DSL-channel post, sent when many arrive at once (a flood): a
 * line each (reference, kind, what the post is, its deadline) and an Acknowledge button
 * each. No names or report text, like every channel card.
 */
export function digestView(payload: Record<string, unknown>, at: (iso: string | undefined) => string, possibleSubjectWords: string): MessageView {
  const lines = (Array.isArray(payload.lines) ? payload.lines : []) as DigestLine[];
  const facts = lines.map((l) => {
    const parts = [
      l.kindLabel,
      what[l.message] ?? 'new',
      ...(l.toRole && l.toRole in roleWords ? [`now also to ${roleWords[l.toRole as ChainRole]}`] : []),
      `reported ${at(l.submittedAt)}`,
      ...(l.dueAt ? [`acknowledge by ${at(l.dueAt)}`] : []),
    ];
    return { title: l.reference, value: parts.join(' · ') };
  });
  const actions: ActionView[] = lines.map((l) => ({
    verb: 'acknowledge',
    title: `Acknowledge ${l.reference}`,
    style: 'positive',
    data: { reportId: l.reportId, dutyId: l.dutyId },
  }));
  return {
    title: `${lines.length} reports need acknowledging: ${lines.map((l) => l.reference).join(', ')}`,
    urgent: false,
    facts,
    paragraphs: [
      'Many reports arrived at once, so they are listed together here rather than a card each. Acknowledge each one below: its card, with View details, follows in this channel. Urgent reports always get their own card at once.',
      ...(lines.some((l) => l.possibleSubjectSkipped) ? [possibleSubjectWords] : []),
    ],
    inputs: [],
    actions,
  };
}
