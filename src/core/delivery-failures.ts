import type { MessageType } from './messages.js';
import type { DeliveryChannel, DutyRecord, OutboxItem, ReportRecord, WorkflowStore } from './ports.js';
import type { Directory } from './school.js';

/** A message a platform refused for good (an unknown channel or user, a departed account, a revoked token …). */
export type FailedDelivery = Pick<OutboxItem, 'id' | 'channel' | 'recipientType' | 'recipientId' | 'messageType' | 'reportId' | 'payload'> & {
  code: string;
};

type Recipient = { type: 'person'; id: string } | { type: 'dsl_channel' };

export interface DeliveryFailureDeps {
  store: WorkflowStore;
  directory: Directory;
  now: Date;
  audit(actor: string, action: string, reportId: string | undefined, at: Date, details: Record<string, unknown>): void;
  send(to: Recipient, type: MessageType, report: ReportRecord, event: string, now: Date, extra: Record<string, unknown>): void;
}

/** Messages that carry a duty: if the person asked cannot be reached, the next person in the chain is. */
const dutyMessages = new Set<string>(['report.for_acknowledgement', 'ack.reminder', 'report.escalated', 'decision.requested', 'task.assigned']);

/**
 * Someone always owns it: a permanent delivery failure is put on the report's record
 * (audited), the duty's notice goes another way (a DSL-channel message to the DSL and
 * deputies by DM; a person's duty to the next person in the chain, who may then act),
 * and the DSL and headteacher are told in chat, once per report, recipient and code.
 * Runs inside the workflow's transaction.
 */
export function handleDeliveryFailure(d: DeliveryFailureDeps, f: FailedDelivery): void {
  const report = f.reportId ? d.store.getReport(f.reportId) : undefined;
  const to = f.recipientType === 'dsl_channel' ? 'dsl_channel' : f.recipientId;
  const base = { outbox: f.id, channel: f.channel, type: f.messageType, to, code: f.code };
  if (!report) {
    d.audit('system', 'delivery.failed', undefined, d.now, base);
    return;
  }
  const rerouted = f.messageType === 'delivery.failed' ? [] : reroute(d, report, f);
  d.audit('system', 'delivery.failed', report.id, d.now, { ...base, reroutedTo: rerouted });
  if (f.messageType === 'delivery.failed') return; // a notice about a failure is not chased further

  const failedTo = f.recipientType === 'dsl_channel' ? 'the DSL channel' : d.directory.displayName(f.recipientId.replace(/^(slack|teams|sandbox):/, ''));
  const tell = new Set([...d.directory.withRole('dsl'), ...d.directory.withRole('headteacher')].map((p) => p.id));
  for (const id of tell) {
    if (id === f.recipientId || report.routing.subjects.includes(id)) continue;
    d.send({ type: 'person', id }, 'delivery.failed', report, `delivery-failed:${f.channel}:${to}:${f.code}`, d.now, {
      failedTo,
      failedChannel: channelWords[f.channel],
      failedCode: f.code,
      failedType: f.messageType,
      reroutedTo: rerouted.map((id) => d.directory.displayName(id)),
    });
  }
}

const channelWords: Record<DeliveryChannel, string> = { slack: 'Slack', teams: 'Microsoft Teams', sandbox: 'the sandbox' };

/** Sends the failed message's notice by another route; the people it went to. */
function reroute(d: DeliveryFailureDeps, report: ReportRecord, f: FailedDelivery): string[] {
  const event = `fallback:${f.id}`;
  const extra = { ...f.payload, rerouted: true };
  if (f.recipientType === 'dsl_channel') {
    // A DM instead of the channel, to each DSL-channel member who may see it.
    const people = d.directory.dslChannelMembers().filter((id) => !report.routing.subjects.includes(id));
    for (const id of people) d.send({ type: 'person', id }, f.messageType as MessageType, report, event, d.now, extra);
    return people;
  }
  if (!dutyMessages.has(f.messageType)) return [];
  const dutyId = typeof f.payload.dutyId === 'string' ? f.payload.dutyId : undefined;
  const duty = dutyId ? d.store.getDuty(dutyId) : undefined;
  if (!duty || duty.status === 'done') return [];
  const next = nextLevel(duty, f.recipientId, report.routing.subjects);
  if (!next) return [];
  if (next.index > duty.reach) {
    d.store.updateDuty(duty.id, { reach: next.index });
    d.audit('system', 'duty.reassigned', report.id, d.now, { duty: duty.id, reach: next.index, because: f.code });
  }
  for (const id of next.people) d.send({ type: 'person', id }, f.messageType as MessageType, report, event, d.now, extra);
  return next.people;
}

/** The first level after the unreachable person's with someone else in it (never a subject). */
function nextLevel(duty: DutyRecord, personId: string, subjects: string[]): { index: number; people: string[] } | undefined {
  const from = duty.levels.findIndex((l) => l.people.includes(personId));
  for (let i = from + 1; i < duty.levels.length; i++) {
    const people = (duty.levels[i]?.people ?? []).filter((id) => id !== personId && !subjects.includes(id));
    if (people.length > 0) return { index: i, people };
  }
  return undefined;
}
