import type { ChannelDeliverer } from '../../app/outbox-dispatcher.js';
import { PermanentDeliveryError } from '../../app/outbox-dispatcher.js';
import type { OutboxItem } from '../../core/ports.js';
import type { Directory } from '../../core/school.js';
import type { ChannelStore, MessageRef } from '../../store/channel-store.js';
import { messageCard } from '../../views/adaptive-cards.js';
import { messageView } from '../../views/message-views.js';
import type { MessageView } from '../../views/view-model.js';
import type { Activity, TeamsConnector } from './teams-connector.js';
import { TeamsConversations } from './teams-conversations.js';

/** Messages that report a step done: they replace the cards that asked for it, rather than adding one. */
const statusTypes = new Set(['report.acknowledged', 'decision.recorded', 'task.completed', 'report.closed']);
/** Cards with buttons that a status message makes out of date. */
const actionTypes = new Set(['report.for_acknowledgement', 'ack.reminder', 'report.escalated', 'decision.requested', 'task.assigned', 'report.notice']);

export function cardActivity(view: MessageView): Partial<Activity> {
  return {
    type: 'message',
    summary: view.title,
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: messageCard(view) }],
  };
}

/**
 * Delivers the outbox to Teams. A new report goes to the DSL channel as a new thread;
 * reminders and escalations reply in that thread; a step done (acknowledged, decided,
 * blocked, closed) updates the earlier cards in place for everyone. People get 1:1
 * messages, in a chat the bot opens itself when it has none yet.
 */
export class TeamsDeliverer implements ChannelDeliverer {
  readonly channel = 'teams' as const;

  constructor(
    private readonly connector: TeamsConnector,
    private readonly conversations: TeamsConversations,
    private readonly refs: ChannelStore,
    private readonly directory: Directory,
    private readonly clock: () => Date,
  ) {}

  async deliver(item: OutboxItem): Promise<void> {
    if (item.reportId && this.refs.messageForOutbox(item.id)) return; // sent before a crash; not twice
    const view = messageView(item, this.directory.timeZone);
    const activity = cardActivity(view);
    const reportId = item.reportId ?? '';
    const dutyId = typeof item.payload.dutyId === 'string' ? item.payload.dutyId : undefined;

    if (statusTypes.has(item.messageType) && reportId) {
      const ofThisStep = (m: MessageRef) => actionTypes.has(m.messageType) && (dutyId ? m.dutyId === dutyId : m.recipientId === item.recipientId);
      let earlier = this.refs.messages(reportId, item.recipientId).filter(ofThisStep);
      // When the step's card is in the DSL channel, the reminders and escalations sent to
      // people's chats about it are updated too: the step shows as done everywhere.
      if (item.recipientType === 'dsl_channel' && earlier.length > 0) earlier = this.refs.reportMessages(reportId).filter(ofThisStep);
      if (earlier.length > 0) {
        const service = this.conversations.service();
        if (!service) throw new Error('no Teams service address is known yet');
        for (const m of earlier) await this.connector.update(service.serviceUrl, m.conversationId, m.messageId, activity);
        return;
      }
    }

    const sent = item.recipientType === 'dsl_channel' ? await this.toDslChannel(reportId, activity) : await this.toPerson(item.recipientId, activity);
    if (reportId)
      this.refs.putMessage({
        reportId,
        recipientId: item.recipientId,
        dutyId,
        messageType: item.messageType,
        conversationId: sent.conversationId,
        messageId: sent.activityId,
        outboxId: item.id,
        createdAt: this.clock().toISOString(),
      });
  }

  private async toDslChannel(reportId: string, activity: Partial<Activity>) {
    const channelId = this.directory.channels.dsl.teams;
    if (!channelId) throw new PermanentDeliveryError('the school file names no Teams DSL channel');
    const root = reportId ? this.refs.messages(reportId, 'dsl_channel')[0] : undefined;
    const service = this.conversations.service(`channel:${channelId}`);
    if (!service) throw new Error('the bot has not been added to the DSL channel\'s team yet');
    if (root) return this.connector.send(service.serviceUrl, root.conversationId, activity);
    return this.connector.createChannelThread(service.serviceUrl, {
      botId: service.botId,
      channelId,
      ...(service.tenantId ? { tenantId: service.tenantId } : {}),
      activity,
    });
  }

  private async toPerson(recipientId: string, activity: Partial<Activity>) {
    const userId = recipientId.startsWith('teams:') ? recipientId.slice('teams:'.length) : this.directory.get(recipientId)?.teams;
    if (!userId) throw new PermanentDeliveryError('this person has no Teams id in the school file');
    const chat = await this.conversations.personalChat(userId);
    return this.connector.send(chat.serviceUrl, chat.conversationId, activity);
  }
}
