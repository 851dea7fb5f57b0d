import { type FailedDelivery, handleDeliveryFailure } from './delivery-failures.js';
import { type MessageType, summarise } from './messages.js';
import type { DeliveryChannel, DutyRecord, ReportRecord } from './ports.js';
import { eligiblePeople } from './workflow-access.js';
import { audit, type WorkflowCtx } from './workflow-context.js';

// Outgoing messages: who a duty's messages go to, queued on the outbox per channel; a failed delivery goes another way.

export type Recipient = { type: 'person'; id: string } | { type: 'dsl_channel' };

/**
 * Queues a message for every delivery channel that reaches the recipient. A person
 * named in the report is never a recipient (G1), whatever called this.
 */
export function send(
  c: WorkflowCtx,
  to: Recipient,
  type: MessageType,
  report: ReportRecord,
  event: string,
  now: Date,
  extra: Record<string, unknown>,
): void {
  // The reporter's own receipts still reach them if they typed a name that could be theirs.
  const receipt = type.startsWith('receipt.') && to.type === 'person' && to.id === report.reporterId;
  if (to.type === 'person' && report.routing.subjects.includes(to.id) && !receipt) return;
  const payload = { ...summarise(report), ...extra };
  const channels = channelsFor(c, to);
  if (channels.length === 0) {
    audit(c, 'system', 'notification.unreachable', report.id, now, {
      type,
      to: to.type === 'person' ? to.id : 'dsl_channel',
    });
    return;
  }
  for (const channel of channels) {
    const recipientId = to.type === 'person' ? to.id : 'dsl_channel';
    c.store.enqueue(
      {
        dedupeKey: `${event}:${type}:${channel}:${recipientId}`,
        channel,
        recipientType: to.type,
        recipientId,
        messageType: type,
        reportId: report.id,
        payload,
      },
      now,
    );
  }
}

export function channelsFor(c: WorkflowCtx, to: Recipient): DeliveryChannel[] {
  if (to.type === 'dsl_channel') {
    const dsl = c.directory.channels.dsl;
    return c.channels.filter((c) => c === 'sandbox' || (c === 'slack' && dsl.slack) || (c === 'teams' && dsl.teams));
  }
  const qualified = /^(slack|teams|sandbox):/.exec(to.id);
  if (qualified) return c.channels.filter((c) => c === qualified[1]);
  const person = c.directory.get(to.id);
  if (!person) return [];
  return c.channels.filter((c) => c === 'sandbox' || (c === 'slack' && person.slack) || (c === 'teams' && person.teams));
}

/** Where a duty's messages go: the DSL channel, or each person who may act on it (never a subject). */
export function dutyRecipients(duty: DutyRecord): Recipient[] {
  if (duty.via === 'dsl_channel') return [{ type: 'dsl_channel' }];
  return eligiblePeople(duty).map((id) => ({ type: 'person', id }));
}

export function announceDuty(c: WorkflowCtx, report: ReportRecord, duty: DutyRecord, event: string, now: Date, dueAt: Date | undefined): void {
  for (const r of dutyRecipients(duty)) {
    if (duty.type === 'acknowledge')
      send(c, r, 'report.for_acknowledgement', report, event, now, { dutyId: duty.id, rules: duty.rules, dueAt: dueAt?.toISOString() });
    else if (duty.type === 'decision') send(c, r, 'decision.requested', report, event, now, decisionPayload(duty, dueAt, false));
    else send(c, r, 'task.assigned', report, event, now, { dutyId: duty.id, rules: duty.rules, urls: duty.urls ?? [] });
  }
}

export function decisionPayload(duty: DutyRecord, dueAt: Date | undefined, reminder: boolean): Record<string, unknown> {
  return {
    dutyId: duty.id,
    rules: duty.rules,
    question: duty.question,
    choices: duty.choices ?? [],
    dueAt: dueAt?.toISOString(),
    reminder,
  };
}

/** A message a platform refused for good: on the report's record, and its notice goes another way. */
export function deliveryFailed(c: WorkflowCtx, f: FailedDelivery): void {
  const now = c.clock();
  c.store.transaction(() =>
    handleDeliveryFailure(
      { store: c.store, directory: c.directory, now, audit: (...a) => audit(c, ...a), send: (...a) => send(c, ...a) },
      f,
    ),
  );
}
