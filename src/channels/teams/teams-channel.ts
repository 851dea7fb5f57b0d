import express from 'express';
import { z } from 'zod';
import type { TeamsConfig } from '../../config.js';
import { ChannelStore } from '../../store/channel-store.js';
import type { ChannelDeps } from '../channel-deps.js';
import { TeamsBot } from './teams-bot.js';
import { TeamsConnector, type AuthOverrides } from './teams-connector.js';
import { TeamsConversations } from './teams-conversations.js';
import { TeamsDeliverer } from './teams-deliverer.js';

export interface TeamsChannelDeps extends ChannelDeps {
  config: TeamsConfig;
  /** Tests only: Bot Framework endpoints on loopback (OpenID metadata, token issuer). */
  authOverrides?: AuthOverrides;
}

/** The least an activity must have before the adapter sees it; anything else is a 400. */
const envelope = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  serviceUrl: z.url(),
  channelId: z.string().min(1),
  from: z.looseObject({ id: z.string().min(1) }),
  recipient: z.looseObject({ id: z.string().min(1) }),
  conversation: z.looseObject({ id: z.string().min(1) }),
});

/**
 * Microsoft Teams on the one server: POST /api/messages through botbuilder's
 * CloudAdapter (which checks the Bot Framework JWT), and the outbox deliverer.
 */
export function mountTeams(d: TeamsChannelDeps): void {
  const refs = new ChannelStore(d.db, 'teams');
  const connector = new TeamsConnector(d.config, d.authOverrides);
  if (d.deliveryTimeoutMs) connector.callTimeoutMs = Math.max(100, d.deliveryTimeoutMs - Math.min(1_000, d.deliveryTimeoutMs / 5));
  const conversations = new TeamsConversations(connector, refs, d.clock, d.log);
  const bot = new TeamsBot({
    workflow: d.workflow,
    directory: d.directory,
    connector,
    conversations,
    refs,
    clock: d.clock,
    log: d.log,
    maxEvidenceBytes: d.maxEvidenceBytes,
    kick: () => d.dispatcher.kick(),
  });
  d.dispatcher.register(new TeamsDeliverer(connector, conversations, refs, d.directory, d.clock));

  d.http.post('/api/messages', express.json({ limit: '1mb' }), async (req, res) => {
    const check = envelope.safeParse(req.body);
    if (!check.success) {
      res.status(400).json({ ok: false, error: 'not a Bot Framework activity', problems: check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    if (!(await connector.authenticates(req.body as object, authorization))) {
      d.log.warn({ activityId: check.data.id, type: check.data.type }, 'Teams: request refused: no valid Bot Framework token');
      res.status(401).json({ ok: false, error: 'unauthorized' });
      return;
    }
    await connector.process(req, res, async (context) => {
      try {
        await bot.onTurn(context);
      } catch (err) {
        d.log.error({ err, activityId: context.activity.id, type: context.activity.type }, 'Teams: the activity could not be handled');
        throw new Error('the activity could not be handled');
      }
    });
  });
}
