import type { ChannelDeliverer } from '../delivery-errors.js';
import { PermanentDeliveryError } from '../delivery-errors.js';
import type { OutboxItem } from '../../core/ports.js';
import type { Directory } from '../../core/school.js';
import type { ChannelStore } from '../../store/channel-store.js';
import { cardsToReplace, confirmedInPlace, rememberSent } from '../card-updates.js';
import { messageCard } from '../../views/adaptive-cards.js';
import { asUpdateOf, messageView } from '../../views/message-views.js';
import type { MessageView } from '../../views/view-model.js';
import { withCallSignal, type Activity, type TeamsConnector } from './teams-connector.js';
import { TeamsConversations } from './teams-conversations.js';
import { classifyTeamsError } from './teams-errors.js';

export const adaptiveCardType = 'application/vnd.microsoft.card.adaptive';

/**
 * A message activity carrying one Adaptive Card, with the `summary` Teams shows in the
 * notification and on lock screens: the card's title (a reference and a kind, never a
 * name or the report's text), so the preview is never a generic "sent a card".
 */
export function cardMessage(card: Record<string, unknown>, summary: string): Partial<Activity> {
  return { type: 'message', summary, attachments: [{ contentType: adaptiveCardType, content: card }] };
}

/** A message view as a card message, with its title as the notification summary. */
export function cardActivity(view: MessageView): Partial<Activity> {
  return cardMessage(messageCard(view), view.title);
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

  async deliver(item: OutboxItem, signal?: AbortSignal): Promise<void> {
    try {
      await withCallSignal(signal, () => this.send(item));
    } catch (err) {
      throw classifyTeamsError(err);
    }
  }

  private async send(item: OutboxItem): Promise<void> {
    if (item.reportId && this.refs.messageForOutbox(item.id)) return; // sent before a crash; not twice
    if (confirmedInPlace(item, this.refs)) return; // the reporter's form already turned into the confirmation
    const view = messageView(item, this.directory.timeZone);
    const activity = cardActivity(view);
    const earlier = cardsToReplace(item, this.refs);
    if (earlier.length > 0) {
      const service = this.conversations.service();
      if (!service) throw new Error('no Teams service address is known yet');
      for (const m of earlier)
        await this.connector.update(service.serviceUrl, m.conversationId, m.messageId, cardActivity(asUpdateOf(view, m.messageType, String(item.payload.reference ?? ''))));
      return;
    }
    const sent = item.recipientType === 'dsl_channel' ? await this.toDslChannel(item.reportId ?? '', activity) : await this.toPerson(item.recipientId, activity);
    rememberSent(this.refs, item, { conversationId: sent.conversationId, messageId: sent.activityId }, this.clock());
  }

  private async toDslChannel(reportId: string, activity: Partial<Activity>) {
    const channelId = this.directory.channels.dsl.teams;
    if (!channelId) throw new PermanentDeliveryError('the school file names no Teams DSL channel', 'no_teams_dsl_channel');
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
    if (!userId) throw new PermanentDeliveryError('this person has no Teams id in the school file', 'no_teams_id');
    const chat = await this.conversations.personalChat(userId);
    return this.connector.send(chat.serviceUrl, chat.conversationId, activity);
  }
}
