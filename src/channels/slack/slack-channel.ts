import { App, ExpressReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../../app/logger.js';
import { PermanentDeliveryError, retryDelayMs, type ChannelDeliverer } from '../../app/outbox-dispatcher.js';
import type { SlackConfig } from '../../config.js';
import { DomainError, type FieldIssue } from '../../core/errors.js';
import type { OutboxItem } from '../../core/ports.js';
import { reportKinds, type ReportKind } from '../../core/report-schemas.js';
import { formatLocal, localDateTime } from '../../core/working-time.js';
import { ChannelStore } from '../../store/channel-store.js';
import type { ChannelDeps } from '../channel-deps.js';
import { SlackFileStore } from '../../store/slack-file-store.js';
import { wordsForError } from '../../views/error-words.js';
import { messageView, reportDetailsView } from '../../views/message-views.js';
import { fieldForIssue, formFields, formFromValues, formView } from '../../views/report-forms.js';
import { cardsToReplace, rememberSent } from '../card-updates.js';
import { downloadLimited } from '../download.js';
import { decisionModal, detailsModal, formModal, homeView, kindModal, messageBlocks, taskModal, type ButtonValue } from './slack-blocks.js';

export interface SlackChannelDeps extends ChannelDeps {
  config: SlackConfig;
}

export interface SlackChannel {
  app: App;
  /** Fetches the uploads that are due (run by the background loop). */
  fetchPendingFiles(): Promise<void>;
  /** Socket Mode: connects to Slack. HTTP mode: nothing to do (the route is mounted). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Errors from the Web API that retrying will not mend. */
const permanentErrors = new Set(['channel_not_found', 'invalid_blocks', 'invalid_arguments', 'user_not_found', 'cannot_dm_bot', 'account_inactive', 'is_archived', 'msg_too_long', 'no_text']);
const maxFileAttempts = 10;

const buttonValueSchema = z.object({
  reportId: z.string().min(1).max(100),
  dutyId: z.string().min(1).max(100).optional(),
  choices: z.array(z.object({ title: z.string(), value: z.string() })).max(20).optional(),
});
const metaSchema = z.object({ reportId: z.string().min(1), dutyId: z.string().optional() });

/** A pino logger in the shape Bolt wants. */
function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  let level = LogLevel.WARN;
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

const stateValuesSchema = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));

/** A view's answers, flat by block id: text, dates, times, the chosen option's value. */
function answers(raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const values = stateValuesSchema.catch({}).parse(raw);
  for (const [blockId, actions] of Object.entries(values)) {
    const v = actions.value;
    if (!v) continue;
    const option = v.selected_option as { value?: string } | null | undefined;
    out[blockId] = v.value ?? v.selected_date ?? v.selected_time ?? v.selected_date_time ?? option?.value ?? v.files ?? null;
  }
  return out;
}

/** Core's issues as modal errors, each on its field's block (the first block when it has none). */
function modalErrors(issues: FieldIssue[], kind: ReportKind | undefined, firstBlock: string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const block = (kind ? fieldForIssue(formFields[kind], issue.path)?.id : undefined) ?? (issue.path && !kind ? issue.path : firstBlock);
    errors[block] = errors[block] ? `${errors[block]} ${issue.message}` : issue.message;
  }
  return errors;
}

/**
 * Slack on the one server: Bolt with an ExpressReceiver at POST /slack/events (signatures
 * checked, 5-minute window), or Socket Mode when SLACK_APP_TOKEN is set. /report opens a
 * modal; the outbox delivers core's messages with chat.postMessage / chat.update.
 */
export function mountSlack(d: SlackChannelDeps): SlackChannel {
  const refs = new ChannelStore(d.db, 'slack');
  const files = new SlackFileStore(d.db);
  const clientOptions = { ...(d.config.apiUrl ? { slackApiUrl: d.config.apiUrl } : {}), retryConfig: { retries: 0 } };
  const logger = boltLogger(d.log);
  const socketMode = d.config.appToken !== undefined;
  // processBeforeResponse: Slack gets its HTTP answer once the handler is done, so a
  // report is stored before the modal closes (the handlers are quick; files are fetched later).
  const receiver = socketMode
    ? undefined
    : new ExpressReceiver({ signingSecret: d.config.signingSecret, app: d.http, endpoints: '/slack/events', logger, processBeforeResponse: true });
  const app = new App({
    token: d.config.botToken,
    logger,
    clientOptions,
    ...(receiver ? { receiver } : { appToken: d.config.appToken, socketMode: true }),
  });
  const client: WebClient = app.client;
  const dir = d.directory;
  const actor = (userId: string) => dir.resolveIdentity({ channel: 'slack', userId });

  const ephemeral = async (channel: string | undefined, user: string, text: string) => {
    if (channel) await client.chat.postEphemeral({ channel, user, text });
    else await client.chat.postMessage({ channel: await dmChannel(user), text });
  };

  const dmChannel = async (slackUserId: string): Promise<string> => {
    const known = refs.getRef<{ channel: string }>(`dm:${slackUserId}`);
    if (known) return known.channel;
    const res = await client.conversations.open({ users: slackUserId });
    const channel = res.channel?.id;
    if (!channel) throw new Error('conversations.open gave no channel');
    refs.putRef(`dm:${slackUserId}`, { channel }, d.clock());
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
  const warnPublic = async () => {
    d.log.error({ slackChannelId: dir.channels.dsl.slack }, 'Slack: the DSL channel is public; reports are not posted there');
    const text =
      ':warning: The DSL channel in the school file is a *public* Slack channel, so I will not post reports there. Make it private (or name a private channel in the school file). Until then, reports come to you here.';
    for (const id of dir.dslChannelMembers()) {
      const slackId = dir.get(id)?.slack;
      if (slackId) await client.chat.postMessage({ channel: await dmChannel(slackId), text });
    }
  };

  // ---- /report and the report modals ----
  app.command('/report', async ({ ack, body }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: kindModal() as never });
  });

  app.view('report_kind', async ({ ack, view }) => {
    const kind = z.enum(reportKinds).safeParse(answers(view.state.values).kind);
    if (!kind.success) return void (await ack({ response_action: 'errors', errors: { kind: 'Please choose what kind of concern this is.' } }));
    await ack({ response_action: 'update', view: formModal(formView(kind.data, dir), kind.data === 'cyberbullying') as never });
  });

  app.view('report_form', async ({ ack, body, view }) => {
    const meta = z.object({ kind: z.enum(reportKinds) }).safeParse(JSON.parse(view.private_metadata || '{}'));
    if (!meta.success) return void (await ack({ response_action: 'errors', errors: {} }));
    const kind = meta.data.kind;
    const flat = answers(view.state.values);
    const reporterId = actor(body.user.id);
    const uploads = z
      .array(z.looseObject({ id: z.string(), name: z.string().optional(), url_private_download: z.string().optional(), url_private: z.string().optional() }))
      .catch([])
      .parse(flat['evidence.files'] ?? []);
    // Slack's datetimepicker gives unix seconds; core keeps school-time "YYYY-MM-DDTHH:MM".
    const stamp = (seconds: unknown) => (typeof seconds === 'number' ? localDateTime(new Date(seconds * 1000), dir.timeZone) : undefined);
    const takenAt = stamp(flat['evidence.takenAt']);
    const postedAt = stamp(flat['evidence.postedAt']);
    try {
      const result = await d.workflow.submit({ reporterId, form: formFromValues(kind, flat), idempotencyKey: `slack:${view.id}` });
      // Stored; now the files (fetched after the modal closes, retried if Slack is slow).
      for (const f of uploads) {
        const url = f.url_private_download ?? f.url_private;
        if (!url) continue;
        const meta = { fileName: f.name ?? f.id, ...(takenAt ? { takenAt } : {}), ...(postedAt ? { postedAt } : {}) };
        files.add({ reportId: result.reportId, reporterId, fileId: f.id, name: f.name ?? f.id, url, meta }, d.clock());
      }
      await ack();
      d.dispatcher.kick();
      if (uploads.length > 0) fetchPendingFiles().catch((err: unknown) => d.log.error({ err }, 'Slack: fetching evidence failed'));
    } catch (err) {
      if (err instanceof DomainError && err.issues.length > 0) {
        await ack({ response_action: 'errors', errors: modalErrors(err.issues, kind, formFields[kind][0]?.id ?? 'kind') });
        return;
      }
      d.log.error({ err }, 'Slack: a report could not be stored');
      await ack({ response_action: 'errors', errors: { [formFields[kind][0]?.id ?? 'kind']: wordsForError(err) } });
    }
  });

  // ---- buttons on report messages ----
  const buttonValue = (raw: unknown): ButtonValue | undefined => {
    try {
      const parsed = buttonValueSchema.safeParse(JSON.parse(String(raw)));
      return parsed.success ? (parsed.data as ButtonValue) : undefined;
    } catch {
      return undefined;
    }
  };
  type ActionBody = { user: { id: string }; channel?: { id: string }; trigger_id: string; actions: { value?: string }[] };
  const onButton = (verb: string, run: (b: ActionBody, value: ButtonValue) => Promise<void>) =>
    app.action(verb, async ({ ack, body }) => {
      await ack();
      const b = body as unknown as ActionBody;
      const value = buttonValue(b.actions[0]?.value);
      if (!value) return void (await ephemeral(b.channel?.id, b.user.id, 'That button is out of date or not one of mine.'));
      try {
        await run(b, value);
      } catch (err) {
        if (!(err instanceof DomainError)) d.log.error({ err, verb, reportId: value.reportId }, 'Slack: button failed');
        await ephemeral(b.channel?.id, b.user.id, wordsForError(err));
      }
    });

  onButton('acknowledge', async (b, value) => {
    const r = d.workflow.acknowledge({ reportId: value.reportId, actorId: actor(b.user.id) });
    d.dispatcher.kick();
    if (!r.changed) await ephemeral(b.channel?.id, b.user.id, `${r.reference} was already acknowledged.`);
  });
  onButton('view', async (b, value) => {
    const v = d.workflow.view({ reportId: value.reportId, actorId: actor(b.user.id) });
    await client.views.open({ trigger_id: b.trigger_id, view: detailsModal(reportDetailsView(v, dir, dir.timeZone)) as never });
  });
  onButton('decide', async (b, value) => {
    await client.views.open({ trigger_id: b.trigger_id, view: decisionModal(value) as never });
  });
  onButton('complete_task', async (b, value) => {
    await client.views.open({ trigger_id: b.trigger_id, view: taskModal(value) as never });
  });

  const stepModal = (callback: 'decide' | 'complete_task') =>
    app.view(callback, async ({ ack, body, view }) => {
      const meta = metaSchema.safeParse(JSON.parse(view.private_metadata || '{}'));
      const flat = answers(view.state.values);
      const firstBlock = callback === 'decide' ? 'choice' : 'action';
      if (!meta.success) return void (await ack({ response_action: 'errors', errors: { [firstBlock]: 'This form is out of date.' } }));
      const actorId = actor(body.user.id);
      const ids = { reportId: meta.data.reportId, actorId, ...(meta.data.dutyId ? { dutyId: meta.data.dutyId } : {}) };
      try {
        if (callback === 'decide') d.workflow.recordDecision({ ...ids, choice: String(flat.choice ?? ''), reason: String(flat.reason ?? '') });
        else d.workflow.completeTask({ ...ids, action: String(flat.action ?? '') });
        await ack();
        d.dispatcher.kick();
      } catch (err) {
        if (!(err instanceof DomainError)) d.log.error({ err, reportId: meta.data.reportId }, 'Slack: step failed');
        const errors = err instanceof DomainError && err.issues.length > 0 ? modalErrors(err.issues, undefined, firstBlock) : { [firstBlock]: wordsForError(err) };
        await ack({ response_action: 'errors', errors });
      }
    });
  stepModal('decide');
  stepModal('complete_task');

  // ---- App Home ----
  app.event('app_home_opened', async ({ event, body }) => {
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId && !refs.markHandled(`event:${eventId}`, d.clock())) return; // a retried delivery
    const me = actor(event.user);
    const roles = dir.rolesOf(me);
    const at = (iso: string) => formatLocal(new Date(iso), dir.timeZone);
    const sections = [
      {
        title: 'Your reports',
        empty: 'You have not made any reports. Type /report to make one.',
        rows: d.workflow.receipts(me).map((r) => ({ title: r.reference, value: `${r.kindLabel}: ${r.status} (reported ${at(r.submittedAt)})` })),
      },
    ];
    if (roles.some((r) => r === 'dsl' || r === 'deputy_dsl' || r === 'headteacher'))
      sections.push({
        title: 'Open reports',
        empty: 'Nothing is waiting.',
        rows: d.workflow.openQueue(me).map((q) => ({
          title: `${q.urgent ? 'URGENT ' : ''}${q.reference}`,
          value: `${q.kindLabel}: waiting for ${q.waitingFor.join(', ') || 'closing'}${q.nextDeadline ? `; next deadline ${at(q.nextDeadline)}` : ''}`,
        })),
      });
    await client.views.publish({ user_id: event.user, view: homeView(sections) as never });
  });

  app.error(async (err) => {
    d.log.error({ err }, 'Slack: a request could not be handled');
  });

  // ---- the outbox ----
  const deliverer: ChannelDeliverer = {
    channel: 'slack',
    async deliver(item: OutboxItem) {
      if (item.reportId && refs.messageForOutbox(item.id)) return;
      const view = messageView(item, dir.timeZone);
      const pending = item.reportId ? files.pendingCount(item.reportId) : 0;
      if (pending > 0 && item.recipientType === 'dsl_channel') view.facts.push({ title: 'Evidence', value: `${pending} screenshot(s) still being fetched` });
      const { text, blocks } = messageBlocks(view);
      try {
        const earlier = cardsToReplace(item, refs);
        if (earlier.length > 0) {
          for (const m of earlier) await client.chat.update({ channel: m.conversationId, ts: m.messageId, text, blocks: blocks as never });
          return;
        }
        if (item.recipientType === 'dsl_channel') {
          const channel = dir.channels.dsl.slack;
          if (!channel) throw new PermanentDeliveryError('the school file names no Slack DSL channel');
          if (!(await dslChannelIsPrivate())) {
            await warnPublic();
            // The report is kept, and the DSL and deputies get it in their own DMs instead.
            for (const id of dir.dslChannelMembers()) {
              const slackId = dir.get(id)?.slack;
              if (!slackId) continue;
              const dm = await dmChannel(slackId);
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
        if (!slackId) throw new PermanentDeliveryError('this person has no Slack id in the school file');
        const channel = await dmChannel(slackId);
        const res = await client.chat.postMessage({ channel, text, blocks: blocks as never });
        rememberSent(refs, item, { conversationId: channel, messageId: String(res.ts) }, d.clock());
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        if (code && permanentErrors.has(code)) throw new PermanentDeliveryError(`Slack refused: ${code}`);
        throw err;
      }
    },
  };
  d.dispatcher.register(deliverer);

  // ---- evidence uploads, fetched after the report is stored ----
  const apiOrigin = d.config.apiUrl ? new URL(d.config.apiUrl).origin : undefined;
  const trusted = (url: URL) => url.protocol === 'https:' && (url.hostname === 'files.slack.com' || url.hostname.endsWith('.slack.com'));
  let fetching: Promise<void> | undefined;
  const fetchDue = async (): Promise<void> => {
    for (const f of files.due(d.clock())) {
      try {
        const url = new URL(f.url);
        if (!trusted(url) && url.origin !== apiOrigin) throw new DomainError('EVIDENCE_TYPE', 'not a Slack file address');
        // The bot token goes only to Slack (or the configured Web API host).
        const bytes = await downloadLimited(url, { token: d.config.botToken, maxBytes: d.maxEvidenceBytes });
        await d.workflow.attachEvidence({ reportId: f.reportId, actorId: f.reporterId, bytes, meta: f.meta });
        files.markDone(f.id);
      } catch (err) {
        const permanent = err instanceof DomainError || f.attempts + 1 >= maxFileAttempts;
        files.markFailed(f.id, err instanceof Error ? err.message : String(err), permanent ? undefined : new Date(d.clock().getTime() + retryDelayMs(f.attempts + 1)));
        d.log.warn({ reportId: f.reportId, attempts: f.attempts + 1, permanent }, 'Slack: an evidence file could not be fetched');
      }
    }
    d.dispatcher.kick();
  };
  /** One run at a time; a call during a run waits for it. */
  const fetchPendingFiles = (): Promise<void> => {
    fetching ??= fetchDue().finally(() => {
      fetching = undefined;
    });
    return fetching;
  };

  return {
    app,
    fetchPendingFiles,
    async start() {
      if (socketMode) await app.start();
      // At start: say at once if the DSL channel is public.
      dslChannelIsPrivate()
        .then((ok) => (ok ? undefined : warnPublic()))
        .catch((err: unknown) => d.log.warn({ err }, 'Slack: could not check the DSL channel'));
    },
    async stop() {
      if (socketMode) await app.stop();
    },
  };
}
