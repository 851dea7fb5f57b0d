import type { OutboxItem } from '../core/ports.js';
import type { ChannelStore, MessageRef } from '../store/channel-store.js';
import { tombstoneType } from '../store/disposal-cards.js';

/** Messages that report a step done: they replace the cards that asked for it, rather than adding one. */
const statusTypes = new Set(['report.acknowledged', 'decision.recorded', 'task.completed', 'report.closed', 'report.reopened']);
/** Cards with buttons that a status message makes out of date. */
const actionTypes = new Set(['report.for_acknowledgement', 'ack.reminder', 'report.escalated', 'decision.requested', 'task.assigned', 'report.notice']);

/**
 * The earlier cards a queued message replaces in place, in any channel: a step done
 * (acknowledged, decided, blocked, closed) updates the cards that asked for that step,
 * for everyone. When the step's card is in the DSL channel, the reminders and
 * escalations sent to people's chats about it are updated too. Empty: send it as new.
 */
export function cardsToReplace(item: OutboxItem, refs: ChannelStore): MessageRef[] {
  if (item.messageType === tombstoneType) return tombstoneCard(item);
  if (!statusTypes.has(item.messageType) || !item.reportId) return [];
  const dutyId = typeof item.payload.dutyId === 'string' ? item.payload.dutyId : undefined;
  const ofThisStep = (m: MessageRef) => actionTypes.has(m.messageType) && (dutyId ? m.dutyId === dutyId : m.recipientId === item.recipientId);
  const own = refs.messages(item.reportId, item.recipientId).filter(ofThisStep);
  if (item.recipientType === 'dsl_channel' && own.length > 0) return refs.reportMessages(item.reportId).filter(ofThisStep);
  return own;
}

/**
 * A disposed case's card, to become its tombstone: the address travels in the message
 * (the case's references went with it). Its type is the tombstone's, so no earlier
 * title is kept (asUpdateOf leaves the view as it is).
 */
function tombstoneCard(item: OutboxItem): MessageRef[] {
  const card = item.payload.card as { conversationId?: unknown; messageId?: unknown } | undefined;
  if (typeof card?.conversationId !== 'string' || typeof card.messageId !== 'string') return [];
  return [{ reportId: '', recipientId: item.recipientId, messageType: tombstoneType, conversationId: card.conversationId, messageId: card.messageId, createdAt: item.createdAt }];
}

/** Remembers a message sent for an outbox item, so it can be updated, and is never sent twice. */
export function rememberSent(refs: ChannelStore, item: OutboxItem, sent: { conversationId: string; messageId: string }, at: Date): void {
  if (!item.reportId) return;
  refs.putMessage({
    reportId: item.reportId,
    recipientId: item.recipientId,
    dutyId: typeof item.payload.dutyId === 'string' ? item.payload.dutyId : undefined,
    messageType: item.messageType,
    conversationId: sent.conversationId,
    messageId: sent.messageId,
    outboxId: item.id,
    createdAt: at.toISOString(),
  });
}

/** The message type under which a reporter's form, turned into "Report sent", is remembered. */
export const confirmedType = 'receipt.submitted';

/**
 * One confirmation to the reporter: when the form they sent already turned into the
 * confirmation card (with the reference, in their chat), the queued receipt is that card
 * and is not sent again. Remembered only once that card was shown, so a receipt is never
 * lost when the platform did not take the reply.
 */
export function confirmedInPlace(item: OutboxItem, refs: ChannelStore): boolean {
  return item.messageType === confirmedType && !!item.reportId && refs.messages(item.reportId, item.recipientId).some((m) => m.messageType === confirmedType);
}

/** Where a person's unsent report form is (the kind card, then the form), to put away when they start another. */
export const openFormKey = (userId: string) => `open-form:${userId}`;
export interface OpenForm {
  conversationId: string;
  messageId: string;
}
