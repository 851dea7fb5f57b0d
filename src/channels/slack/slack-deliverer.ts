import { PermanentDeliveryError, type ChannelDeliverer } from '../delivery-errors.js';
import { classifySlackError, tokenErrors } from './slack-errors.js';
import type { OutboxItem } from '../../core/ports.js';
import { asUpdateOf, messageView } from '../../views/message-views.js';
import { cardsToReplace, rememberSent } from '../card-updates.js';
import { messageBlocks } from './slack-blocks.js';
import type { SlackContext } from './slack-context.js';

/**
 * The Slack half of the outbox: chat.postMessage for a new message, chat.update for a
 * step done. Errors are classified (slack-errors.ts); a token error also has the channel
 * checked again (`onTokenError`), so its rows wait while Slack refuses the bot.
 */
export function slackDeliverer(s: SlackContext, onTokenError: (code: string) => void = () => {}): ChannelDeliverer {
  const { client, d, refs, files, dmChannel, dslChannelIsPrivate, warnPublic } = s;
  const dir = d.directory;
  return {
    channel: 'slack',
    async deliver(item: OutboxItem) {
      if (item.reportId && refs.messageForOutbox(item.id)) return;
      const view = messageView(item, dir.timeZone);
      // Only the DSL channel's card says how many screenshots are still being fetched.
      const pending = item.reportId && item.recipientType === 'dsl_channel' ? files.pendingCount(item.reportId) : 0;
      if (pending > 0) view.facts.push({ title: 'Evidence', value: `${pending} screenshot(s) still being fetched` });
      const { text, blocks } = messageBlocks(view);
      try {
        const earlier = cardsToReplace(item, refs);
        if (earlier.length > 0) {
          for (const m of earlier) {
            // Each earlier card keeps saying what it was (a reminder, an escalation), with the new status.
            const kept = messageBlocks(asUpdateOf(view, m.messageType, String(item.payload.reference ?? '')));
            await client.chat.update({ channel: m.conversationId, ts: m.messageId, text: kept.text, blocks: kept.blocks as never });
          }
          return;
        }
        if (item.recipientType === 'dsl_channel') {
          const channel = dir.channels.dsl.slack;
          if (!channel) throw new PermanentDeliveryError('the school file names no Slack DSL channel', 'no_slack_dsl_channel');
          if (!(await dslChannelIsPrivate())) {
            await warnPublic();
            // The report is kept, and the DSL and deputies get it in their own DMs instead.
            for (const id of dir.dslChannelMembers()) {
              const slackId = dir.get(id)?.slack;
              if (!slackId) continue;
              const dm = await dmChannel(slackId);
              // Sent before a retry: not twice.
              if (item.reportId && refs.messages(item.reportId, 'dsl_channel').some((m) => m.conversationId === dm && m.messageType === item.messageType)) continue;
              const res = await client.chat.postMessage({ channel: dm, text, blocks: blocks as never });
              if (item.reportId && res.ts)
                refs.putMessage({ reportId: item.reportId, recipientId: 'dsl_channel', messageType: item.messageType, conversationId: dm, messageId: res.ts, createdAt: d.clock().toISOString(), dutyId: typeof item.payload.dutyId === 'string' ? item.payload.dutyId : undefined });
            }
            return;
          }
          const root = item.reportId ? refs.messages(item.reportId, 'dsl_channel').find((m) => m.conversationId === channel) : undefined;
          const res = await client.chat.postMessage({ channel, text, blocks: blocks as never, ...(root ? { thread_ts: root.messageId } : {}) });
          rememberSent(refs, item, { conversationId: channel, messageId: String(res.ts) }, d.clock());
          return;
        }
        const slackId = item.recipientId.startsWith('slack:') ? item.recipientId.slice('slack:'.length) : dir.get(item.recipientId)?.slack;
        if (!slackId) throw new PermanentDeliveryError('this person has no Slack id in the school file', 'no_slack_id');
        const channel = await dmChannel(slackId);
        const res = await client.chat.postMessage({ channel, text, blocks: blocks as never });
        rememberSent(refs, item, { conversationId: channel, messageId: String(res.ts) }, d.clock());
      } catch (err) {
        const e = classifySlackError(err);
        if (tokenErrors.has(e.code)) onTokenError(e.code);
        throw e;
      }
    },
  };
}
