import { App, ExpressReceiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { ChannelStore } from '../../store/channel-store.js';
import { groupCommitFor, type GroupCommit } from '../../store/group-commit.js';
import { SlackFileStore } from '../../store/slack-file-store.js';
import { registerButtons } from './slack-buttons.js';
import type { SlackChannelDeps, SlackContext } from './slack-context.js';
import { slackDeliverer } from './slack-deliverer.js';
import { slackEvidenceFetcher } from './slack-evidence.js';
import { registerHome } from './slack-home.js';
import { boltLogger } from './slack-logger.js';
import { slackHealth } from './slack-health.js';
import { registerMessageAction } from './slack-message-action.js';
import { registerReportModals } from './slack-report-modals.js';
import { slackRequestCheck, socketModeCheck } from './slack-request-check.js';
import { registerSubjectCheck } from './slack-subject-check.js';

export type { SlackChannelDeps } from './slack-context.js';

/**
 * Bolt's ExpressReceiver, answering at once whatever no listener acknowledged (an
 * unknown action id, callback, command or event type, or a handler that failed before
 * its ack) with an empty 200, instead of Bolt's 404 after 3 seconds.
 */
class PromptReceiver extends ExpressReceiver {
  constructor(
    options: ConstructorParameters<typeof ExpressReceiver>[0],
    private readonly commits: GroupCommit,
  ) {
    super(options);
  }

  /**
   * Slack's answer goes once Bolt is done with the request (processBeforeResponse): the
   * workflow steps it made share one fsync (on the thread pool, see group-commit.ts) and
   * the answer waits for it, so persist-then-reply holds while other requests carry on.
   * Should the fsync fail, Slack is answered 500, never told the report is safe.
   */
  override init(bolt: App): void {
    const commits = this.commits;
    const answering: App = Object.create(bolt, {
      processEvent: { value: (event: Parameters<App['processEvent']>[0]) => commits.whileAnswering(() => bolt.processEvent(event)) },
    });
    super.init(answering);
  }

  override async requestHandler(req: Parameters<ExpressReceiver['requestHandler']>[0], res: Parameters<ExpressReceiver['requestHandler']>[1]): Promise<void> {
    await super.requestHandler(req, res);
    if (!res.headersSent) res.status(200).end();
  }
}

export interface SlackChannel {
  app: App;
  /** Fetches the uploads that are due (run by the background loop). */
  fetchPendingFiles(): Promise<void>;
  /** Socket Mode: connects to Slack. HTTP mode: nothing to do (the route is mounted). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Slack on the one server: Bolt with an ExpressReceiver at POST /slack/events (signatures
 * checked, 5-minute window), or Socket Mode when SLACK_APP_TOKEN is set. /report opens a
 * modal; the outbox delivers core's messages with chat.postMessage / chat.update.
 */
export function mountSlack(d: SlackChannelDeps): SlackChannel {
  const refs = new ChannelStore(d.db, 'slack');
  const files = new SlackFileStore(d.db);
  const logger = boltLogger(d.log);
  // Every call has a timeout, and a 429 comes back at once with its Retry-After (the
  // outbox waits, not the call): interactive calls (views.open) must answer within
  // Slack's 3 s; the outbox's calls get the delivery deadline.
  const clientOptions = (timeout: number): WebClientOptions => ({
    ...(d.config.apiUrl ? { slackApiUrl: d.config.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout,
    logger,
  });
  const client = new WebClient(d.config.botToken, clientOptions(2_500));
  const deadline = d.deliveryTimeoutMs ?? 15_000;
  // Just inside the outbox's deadline, so a call is given up before the row is retried.
  const outboxClient = new WebClient(d.config.botToken, clientOptions(Math.max(100, deadline - Math.min(1_000, deadline / 5))));
  // Bolt's eager auth.test would end the process when Slack is down at start; the bot
  // checks the token itself (health.check below) and Bolt is given what it learnt.
  let botIds: { botId?: string; botUserId?: string } = {};
  const socketMode = d.config.appToken !== undefined;
  // processBeforeResponse: Slack gets its HTTP answer once the handler is done, so a
  // report is stored before the modal closes (the handlers are quick; files are fetched later).
  // Signatures use the wall clock, never d.clock (which tests and the sandbox move): a
  // timestamp more than 5 minutes either way is refused before Bolt sees the request.
  if (!socketMode) d.http.post('/slack/events', ...slackRequestCheck({ signingSecret: d.config.signingSecret, wallClockMs: () => Date.now(), log: d.log }));
  const receiver = socketMode
    ? undefined
    : new PromptReceiver({
        signingSecret: d.config.signingSecret,
        signatureVerification: false, // checked above, both directions of time
        app: d.http,
        endpoints: '/slack/events',
        logger,
        processBeforeResponse: true,
        // A handler still busy after 3 s: Slack is told it failed (never a silent success).
        unhandledRequestHandler: ({ response }) => {
          if (response.headersSent) return;
          d.log.error('Slack: a request was not answered within 3 seconds');
          response.writeHead(404).end();
        },
      }, groupCommitFor(d.db));
  const app = new App({
    authorize: async () => ({ botToken: d.config.botToken, ...botIds }),
    logger,
    clientOptions: clientOptions(2_500),
    ...(receiver ? { receiver } : { appToken: d.config.appToken, socketMode: true }),
  });
  if (socketMode) app.use(socketModeCheck(d.log));
  const dir = d.directory;
  const actor = (userId: string) => dir.resolveIdentity({ channel: 'slack', userId });

  // A reply made inside a request (an "Acknowledged …" note, a refusal) says what was
  // stored: it waits until the request's steps are on disk (group commit's shared fsync).
  const commits = groupCommitFor(d.db);
  const ephemeral = async (channel: string | undefined, user: string, text: string) => {
    await commits.onDisk();
    if (channel) await client.chat.postEphemeral({ channel, user, text });
    else await client.chat.postMessage({ channel: await dmChannel(user), text });
  };

  // A person's DM channel never changes: remembered in the database (across restarts) and
  // here (a read and a JSON parse less for every message to a person).
  const dms = new Map<string, string>();
  const dmChannel = async (slackUserId: string): Promise<string> => {
    const cached = dms.get(slackUserId);
    if (cached) return cached;
    const known = refs.getRef<{ channel: string }>(`dm:${slackUserId}`);
    if (known) {
      dms.set(slackUserId, known.channel);
      return known.channel;
    }
    const res = await client.conversations.open({ users: slackUserId });
    const channel = res.channel?.id;
    if (!channel) throw new Error('conversations.open gave no channel');
    refs.putRef(`dm:${slackUserId}`, { channel }, d.clock());
    dms.set(slackUserId, channel);
    return channel;
  };

  // ---- the DSL channel must be private ----
  let privacy: { channel: string; private: boolean; at: number } | undefined;
  const dslChannelIsPrivate = async (): Promise<boolean> => {
    const channel = dir.channels.dsl.slack;
    if (!channel) return false;
    if (privacy && privacy.channel === channel && Date.now() - privacy.at < 5 * 60_000) return privacy.private;
    const res = await client.conversations.info({ channel });
    privacy = { channel, private: res.channel?.is_private === true, at: Date.now() };
    return privacy.private;
  };
  let warnedAt = 0;
  const warnPublic = async () => {
    // Once an hour, not for every message.
    if (Date.now() - warnedAt < 60 * 60_000) return;
    warnedAt = Date.now();
    d.log.error({ slackChannelId: dir.channels.dsl.slack }, 'Slack: the DSL channel is public; reports are not posted there');
    const text =
      ':warning: The DSL channel in the school file is a *public* Slack channel, so I will not post reports there. Make it private (or name a private channel in the school file). Until then, reports come to you here.';
    for (const id of dir.dslChannelMembers()) {
      const slackId = dir.get(id)?.slack;
      if (slackId) await client.chat.postMessage({ channel: await dmChannel(slackId), text });
    }
  };

  const fetchPendingFiles = slackEvidenceFetcher({ d, files });
  const s: SlackContext = { d, app, client, refs, files, actor, ephemeral, dmChannel, dslChannelIsPrivate, warnPublic, fetchPendingFiles };
  registerReportModals(s);
  registerMessageAction(s);
  registerSubjectCheck(s);
  registerButtons(s);
  const home = registerHome(s);
  app.error(async (err) => {
    d.log.error({ err }, 'Slack: a request could not be handled');
  });
  const health = slackHealth({
    d,
    check: async () => {
      const res = await client.auth.test();
      botIds = { ...(res.bot_id ? { botId: res.bot_id } : {}), ...(res.user_id ? { botUserId: res.user_id } : {}) };
      if (socketMode && !socketStarted) {
        await app.start();
        socketStarted = true;
      }
      // Once Slack answers: say at once if the DSL channel is public.
      dslChannelIsPrivate()
        .then((ok) => (ok ? undefined : warnPublic()))
        .catch((err: unknown) => d.log.warn({ err }, 'Slack: could not check the DSL channel'));
    },
  });
  let socketStarted = false;
  d.dispatcher.register({ ...slackDeliverer({ ...s, client: outboxClient }, (code) => health.lost(code)) }, 'degraded');

  return {
    app,
    fetchPendingFiles,
    start: () => health.start(),
    async stop() {
      health.stop();
      await home.settled(); // App Homes being drawn read the database: done before it closes
      if (socketStarted) await app.stop();
    },
  };
}
