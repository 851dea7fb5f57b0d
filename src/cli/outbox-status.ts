import type { OutboxProblem } from '../store/outbox-store.js';

/**
 * `outbox status`: per channel, how many messages wait, retry or failed; then each one not
 * delivered with its reason. Ids, message types and error codes only: never report text.
 */
export function outboxStatusText(counts: Record<string, { waiting: number; retrying: number; failed: number }>, problems: OutboxProblem[], json: boolean): string {
  if (json) return JSON.stringify({ counts, messages: problems }, null, 2);
  const channels = Object.entries(counts);
  if (channels.length === 0) return 'OK: every message has been delivered (nothing waiting, retrying or failed)';
  const lines = channels.map(([c, n]) => `${c}: ${n.waiting} waiting, ${n.retrying} retrying, ${n.failed} failed`);
  lines.push('', 'state     channel  type                        to                  report                                attempts  reason / next try');
  for (const p of problems) {
    const to = p.recipientType === 'dsl_channel' ? 'DSL channel' : p.recipientId;
    const why = p.state === 'failed' ? `failed: ${p.errorCode ?? 'unknown'}` : p.state === 'retrying' ? `${p.errorCode ?? 'error'}; next try ${p.nextAttemptAt ?? ''}` : `waiting since ${p.createdAt}`;
    lines.push([p.state.padEnd(9), p.channel.padEnd(8), p.messageType.padEnd(27), to.padEnd(19), (p.reportId ?? '-').padEnd(37), String(p.attempts).padEnd(9), why].join(' '));
  }
  return lines.join('\n');
}
