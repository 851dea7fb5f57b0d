import { z } from 'zod';
import type { TeamsConfig } from '../../config.js';
import { ChannelStore } from '../../store/channel-store.js';
import { groupCommitFor } from '../../store/group-commit.js';
import type { ChannelDeps } from '../channel-deps.js';
import { jsonBody } from '../wire-body.js';
import { TeamsBot } from './teams-bot.js';
import { TeamsConnector, type AuthOverrides } from './teams-connector.js';
import { TeamsConversations } from './teams-conversations.js';
import { TeamsDeliverer } from './teams-deliverer.js';

export interface TeamsChannelDeps extends ChannelDeps {
  config: TeamsConfig;
  /** Tests only: Bot Framework endpoints on loopback (OpenID metadata, token issuer). */
  authOverrides?: AuthOverrides;
}

/** Bot Framework ids (29:…, a:…, 19:…@thread.tacv2;messageid=…) are printable ASCII; they go into REST paths. */
const bfId = z
  .string()
  .regex(/^[\x21-\x7e]{1,512}$/, { error: 'must be printable ASCII, at most 512 characters' })
  .refine((id) => !/^\.+$/.test(id), { error: 'must not be only dots (a path segment in the REST URL)' });
const optionalText = z.string().max(10_000).optional();

/** The least an activity must have before the adapter sees it; anything else is a 400. */
const envelope = z.looseObject({
  type: z.string().min(1).max(100),
  id: bfId.optional(),
  name: optionalText,
  serviceUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  channelId: bfId,
  from: z.looseObject({ id: bfId, name: optionalText, aadObjectId: optionalText }),
  recipient: z.looseObject({ id: bfId, name: optionalText }),
  conversation: z.looseObject({ id: bfId, conversationType: optionalText, tenantId: optionalText }),
  locale: optionalText,
  text: z.string().max(100_000).optional(), // Teams' message size limit
  replyToId: bfId.optional(),
  timestamp: optionalText,
  localTimestamp: optionalText,
  channelData: z.looseObject({}).optional(),
  entities: z.array(z.looseObject({})).max(50).optional(),
  attachments: z.array(z.looseObject({ contentType: z.string().max(255) })).max(20).optional(),
});

/**
 * Microsoft Teams on the one server: POST /api/messages through botbuilder's
 * CloudAdapter (which checks the Bot Framework JWT), and the outbox deliverer.
 */
export function mountTeams(d: TeamsChannelDeps): void {
  const refs = new ChannelStore(d.db, 'teams');
  const connector = new TeamsConnector(d.config, d.authOverrides);
  if (d.deliveryTimeoutMs) connector.callTimeoutMs = Math.max(100, d.deliveryTimeoutMs - Math.min(1_000, d.deliveryTimeoutMs / 5));
  // Group commit (as for Slack): a turn's workflow steps share one fsync of the WAL on the
  // thread pool instead of one each on the main thread. Whatever the turn says (a reply, a
  // card updated, the invoke's answer, a message to the person's own chat) waits until
  // what it stored is on disk, and the HTTP answer is written only after it too (the
  // adapter writes it once the logic is done): persist, then reply, power cut included.
  const commits = groupCommitFor(d.db);
  const durable = () => commits.onDisk();
  connector.beforeSend = durable;
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

  d.http.post('/api/messages', ...jsonBody('1mb'), async (req, res) => {
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
      context.onSendActivities(async (_c, _activities, next) => {
        await durable();
        return next();
      });
      context.onUpdateActivity(async (_c, _activity, next) => {
        await durable();
        return next();
      });
      try {
        // A failed shared fsync fails the turn: the Bot Connector gets a 500, never a 200.
        await commits.whileAnswering(() => bot.onTurn(context));
      } catch (err) {
        d.log.error({ err, activityId: context.activity.id, type: context.activity.type }, 'Teams: the activity could not be handled');
        throw new Error('the activity could not be handled');
      }
    });
  });
}
