import type { Logger } from '../../logger.js';
import type { ChannelStore } from '../../store/channel-store.js';
import type { TeamsActivity } from './teams-activity.js';
import type { TeamsConnector } from './teams-connector.js';

/** Where the Bot Connector for this school's tenant is, and the bot's own id there. */
export interface ServiceInfo {
  serviceUrl: string;
  botId: string;
  tenantId?: string;
}

interface ChatRef extends ServiceInfo {
  conversationId: string;
}

/**
 * Conversation references, kept in SQLite so that proactive messages work after a
 * restart: each person's 1:1 chat with the bot, each channel the bot was added to, and
 * the service address to start new chats. Captured on install (installationUpdate,
 * conversationUpdate) and refreshed by every activity.
 */
export class TeamsConversations {
  constructor(
    private readonly connector: TeamsConnector,
    private readonly refs: ChannelStore,
    private readonly clock: () => Date,
    private readonly log: Logger,
  ) {}

  remember(a: TeamsActivity): void {
    const now = this.clock();
    const tenantId = a.conversation.tenantId ?? a.channelData?.tenant?.id;
    const service: ServiceInfo = { serviceUrl: a.serviceUrl, botId: a.recipient.id, ...(tenantId ? { tenantId } : {}) };
    const removed = a.type === 'installationUpdate' && /^remove/i.test(a.action ?? '');
    const type = a.conversation.conversationType;
    if (type === 'personal') {
      // By the Teams id and, where the school file names people by it, the Entra object id.
      const keys = [`user:${a.from.id}`, ...(a.from.aadObjectId ? [`user:${a.from.aadObjectId}`] : [])];
      for (const key of keys) {
        if (removed) this.refs.deleteRef(key);
        else this.refs.putRef(key, { ...service, conversationId: a.conversation.id } satisfies ChatRef, now);
      }
    } else if (type === 'channel') {
      const channelId = a.channelData?.channel?.id ?? a.channelData?.settings?.selectedChannel?.id ?? a.conversation.id.split(';')[0] ?? a.conversation.id;
      const key = `channel:${channelId}`;
      if (removed) this.refs.deleteRef(key);
      else {
        const known = this.refs.getRef<ServiceInfo>(key);
        this.refs.putRef(key, service, now);
        // The admin needs the channel id for the school file: an id, never names or text.
        if (!known) this.log.info({ teamsChannelId: channelId }, 'Teams: the bot can post in this channel');
      }
    }
    if (!removed) this.refs.putRef('service', service, now);
  }

  /** The service to use for a channel or, failing that, the last one seen. */
  service(key?: string): ServiceInfo | undefined {
    return (key ? this.refs.getRef<ServiceInfo>(key) : undefined) ?? this.refs.getRef<ServiceInfo>('service');
  }

  /** A person's 1:1 chat with the bot, opened by the bot if they have not written to it yet. */
  async personalChat(userId: string): Promise<ChatRef> {
    const known = this.refs.getRef<ChatRef>(`user:${userId}`);
    if (known) return known;
    const service = this.service();
    if (!service) throw new Error('no Teams service address is known yet: install the app in Teams first');
    const conversationId = await this.connector.createPersonal(service.serviceUrl, { ...service, userId });
    const chat: ChatRef = { ...service, conversationId };
    this.refs.putRef(`user:${userId}`, chat, this.clock());
    return chat;
  }
}
