import type { ReportView } from '../core/workflow-types.js';

/** Shown of a reported message's text in a report's details; the whole text is kept as evidence. */
const shownText = 3000;

const platformWords: Record<string, string> = { teams: 'Teams', slack: 'Slack', sandbox: 'sandbox group chat' };

/** The message a report was made from, as facts of its details (Report this message). */
export function reportedMessageFacts(v: ReportView, at: (iso: string) => string): { title: string; value: string }[] {
  const m = v.message;
  if (!m) return [];
  const text = m.plainText.length > shownText ? `${m.plainText.slice(0, shownText)}… (the whole text is kept as evidence)` : m.plainText;
  const files = m.attachments > 0 ? `, with ${m.attachments} attachment${m.attachments === 1 ? '' : 's'}` : '';
  return [
    { title: 'Reported message', value: `${platformWords[m.platform] ?? m.platform} message from ${m.authorName ?? 'an unknown author'}, posted ${at(m.postedAt)}${files}${m.link ? `: ${m.link}` : ''}` },
    { title: 'Message text', value: text || '(no text)' },
  ];
}
