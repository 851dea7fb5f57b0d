import { type DeliveryFailureDeps, type FailedDelivery, handleDeliveryFailure } from './delivery-failures.js';
import { type DigestLine, dueDigests, holdForDigest } from './dsl-digest.js';
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
  // A flood: this DSL-channel post waits a few seconds to go out in one listing with others.
  if (to.type === 'dsl_channel' && holdForDigest(c, report, type, now, extra)) {
    audit(c, 'system', 'notification.held', report.id, now, { type });
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

/**
 * Sends the DSL-channel posts held during a flood whose time has come, as listings. A
 * listing belongs to no one report (so it is a new post, never a reply in one report's
 * thread); its lines carry each report's ids.
 */
export function flushDigests(c: WorkflowCtx): number {
  const now = c.clock();
  return c.store.transaction(() => {
    let sent = 0;
    for (const lines of dueDigests(c, now)) {
      const key = `digest:${lines[0]!.reportId}:${now.getTime()}`;
      for (const channel of channelsFor(c, { type: 'dsl_channel' }))
        c.store.enqueue(
          { dedupeKey: `${key}:${channel}`, channel, recipientType: 'dsl_channel', recipientId: 'dsl_channel', messageType: 'reports.digest', payload: { lines } },
          now,
        );
      for (const l of lines) audit(c, 'system', 'notification.listed', l.reportId, now, { type: l.message, with: lines.length });
      sent += 1;
    }
    return sent;
  });
}

/** A message a platform refused for good: on the report's record, and its notice goes another way. */
export function deliveryFailed(c: WorkflowCtx, f: FailedDelivery): void {
  const now = c.clock();
  const deps: DeliveryFailureDeps = { store: c.store, directory: c.directory, now, audit: (...a) => audit(c, ...a), send: (...a) => send(c, ...a) };
  c.store.transaction(() => {
    if (f.messageType !== 'reports.digest') return handleDeliveryFailure(deps, f);
    // A listing of several reports: each report's post is failed (and rerouted) on its own record.
    const lines = (Array.isArray(f.payload.lines) ? f.payload.lines : []) as DigestLine[];
    for (const l of lines) {
      const report = c.store.getReport(l.reportId);
      if (!report) continue;
      const { message, ...rest } = l;
      handleDeliveryFailure(deps, { ...f, id: `${f.id}:${l.reportId}`, messageType: message, reportId: l.reportId, payload: { ...summarise(report), ...rest } });
    }
  });
}
