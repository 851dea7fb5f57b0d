import type { Logger } from '../../app/logger.js';
import { DomainError } from '../../core/errors.js';
import { kindLabels } from '../../core/report-schemas.js';
import type { Directory } from '../../core/school.js';
import type { Workflow } from '../../core/workflow.js';
import type { ChannelStore } from '../../store/channel-store.js';
import { escapeTeamsMarkdown, messageCard, reportFormCard, reportKindCard } from '../../views/adaptive-cards.js';
import { wordsForError } from '../../views/error-words.js';
import { noticeView, reportDetailsView, submittedView } from '../../views/message-views.js';
import { formFromValues, formView } from '../../views/report-forms.js';
import { activitySchema, cardActionSchema, executeValueSchema, fileDownloadInfoSchema, type CardAction, type TeamsActivity } from './teams-activity.js';
import type { Activity, TeamsConnector, TurnContext } from './teams-connector.js';
import type { TeamsConversations } from './teams-conversations.js';

const adaptiveCardType = 'application/vnd.microsoft.card.adaptive';
const fileInfoType = 'application/vnd.microsoft.teams.file.download.info';
/** How long after a report its reporter can still send screenshots for it by attachment. */
const uploadWindowMs = 24 * 60 * 60_000;

export interface TeamsBotDeps {
  workflow: Workflow;
  directory: Directory;
  connector: TeamsConnector;
  conversations: TeamsConversations;
  refs: ChannelStore;
  clock: () => Date;
  log: Logger;
  maxEvidenceBytes: number;
  /** Delivers the outbox now, so cards update at once after an action. */
  kick: () => void;
}

/** How to answer the person: in the invoke response (Action.Execute) or with messages (Action.Submit, text). */
interface Responder {
  card(card: Record<string, unknown>, replace: boolean): Promise<void>;
  text(text: string): Promise<void>;
  /** A private message to this person only: their 1:1 chat with the bot. */
  privately(activity: Partial<Activity>): Promise<void>;
}

const helpText = [
  'I take reports of online-safety concerns and send each one to the right person.',
  '- **report**: make a report (in this chat; nobody else sees the form)',
  '- **my reports**: the reports you have made, and where they are',
  '- **whoami**: your Teams id, for the school IT administrator',
].join('\n\n');

function cardMessage(card: Record<string, unknown>): Partial<Activity> {
  return { type: 'message', attachments: [{ contentType: adaptiveCardType, content: card }] };
}

/**
 * The Teams turn logic: commands, card buttons (Action.Execute invokes and Action.Submit
 * messages), screenshots sent as attachments, and installs. It parses with zod, calls
 * core and renders the result; who may do what is core's decision.
 */
export class TeamsBot {
  private readonly inFlight = new Set<string>();

  constructor(private readonly d: TeamsBotDeps) {}

  async onTurn(context: TurnContext): Promise<void> {
    const parsed = activitySchema.safeParse(context.activity);
    if (!parsed.success) {
      if (context.activity.type === 'invoke') await this.invokeError(context, 400, 'BadRequest', 'The activity is not valid.');
      return;
    }
    const a = parsed.data;
    this.d.conversations.remember(a);
    // Teams may deliver the same activity twice: the second has no effect.
    const key = a.id ? `${a.type}:${a.id}` : undefined;
    if (key && (this.inFlight.has(key) || this.d.refs.isHandled(key))) {
      this.d.log.info({ activityId: a.id }, 'Teams: duplicate activity ignored');
      if (a.type === 'invoke') await this.invokeMessage(context, 'Already done.');
      return;
    }
    if (key) this.inFlight.add(key);
    try {
      await this.dispatch(context, a);
      if (key) this.d.refs.markHandled(key, this.d.clock());
    } finally {
      if (key) this.inFlight.delete(key);
    }
  }

  private async dispatch(context: TurnContext, a: TeamsActivity): Promise<void> {
    if (a.type === 'invoke') {
      if (a.name !== 'adaptiveCard/action') return this.invokeError(context, 400, 'NotSupported', `The invoke '${a.name ?? ''}' is not supported.`);
      const value = executeValueSchema.safeParse(a.value);
      if (!value.success) return this.invokeError(context, 400, 'BadRequest', 'The card action is not valid.');
      const { verb, data } = value.data.action;
      return this.cardAction(a, { ...data, verb }, this.executeResponder(context, a));
    }
    if (a.type === 'installationUpdate') {
      if (/^add/i.test(a.action ?? '') && a.conversation.conversationType === 'personal')
        await context.sendActivity(cardMessage(messageCard(noticeView('Hello', [helpText]))));
      return;
    }
    if (a.type !== 'message') return; // conversationUpdate and others: the references are stored; nothing else to do
    // Action.Submit: a message with a value object and no text.
    if (a.value && typeof a.value === 'object' && !Array.isArray(a.value) && !a.text?.trim())
      return this.cardAction(a, a.value as Record<string, unknown>, this.submitResponder(context, a));
    const files = (a.attachments ?? []).filter((x) => x.contentType === fileInfoType || x.contentType.startsWith('image/'));
    if (files.length > 0) return this.uploads(context, a, files);
    return this.command(context, a);
  }

  // ---- text commands ----

  private async command(context: TurnContext, a: TeamsActivity): Promise<void> {
    const text = (a.text ?? '')
      .replace(/<at>[^<]*<\/at>/gi, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase();
    const personal = a.conversation.conversationType === 'personal';
    if (/^report\b/.test(text)) {
      const kindCard = cardMessage(reportKindCard());
      if (personal) {
        await context.sendActivity(kindCard);
        return;
      }
      // Never in a channel: the form goes to the person's 1:1 chat, and nothing about it is posted here.
      try {
        await this.sendPrivately(a, kindCard);
      } catch (err) {
        this.d.log.warn({ err }, 'Teams: could not open a 1:1 chat for a report started in a channel');
        await context.sendActivity({ type: 'message', text: 'Please open your chat with me and type **report** there.' });
      }
      return;
    }
    if (text === 'whoami' || text === 'who am i') {
      const lines = [`Your Teams id: ${a.from.id}`];
      if (!personal) lines.push(`This channel's id: ${a.channelData?.channel?.id ?? a.conversation.id.split(';')[0]}`);
      await context.sendActivity({ type: 'message', textFormat: 'plain', text: lines.join('\n') });
      return;
    }
    if (personal && /^my reports?$/.test(text)) {
      const receipts = this.d.workflow.receipts(this.actor(a));
      const facts = receipts.map((r) => ({ title: r.reference, value: `${r.kindLabel}: ${r.status}` }));
      const view = noticeView(receipts.length ? 'Your reports' : 'You have not made any reports.');
      await context.sendActivity(cardMessage(messageCard({ ...view, facts })));
      return;
    }
    if (personal) await context.sendActivity({ type: 'message', text: helpText });
  }

  // ---- card buttons ----

  private async cardAction(a: TeamsActivity, raw: Record<string, unknown>, reply: Responder): Promise<void> {
    const parsed = cardActionSchema.safeParse(raw);
    if (!parsed.success) {
      await reply.text('That card is out of date or not one of mine. Type **report** to start again.');
      return;
    }
    const action = parsed.data;
    const actorId = this.actor(a);
    try {
      await this.perform(a, action, raw, actorId, reply);
    } catch (err) {
      if (!(err instanceof DomainError)) this.d.log.error({ err, verb: action.verb, reportId: 'reportId' in action ? action.reportId : undefined }, 'Teams: card action failed');
      await reply.text(wordsForError(err));
    }
  }

  private async perform(a: TeamsActivity, action: CardAction, raw: Record<string, unknown>, actorId: string, reply: Responder): Promise<void> {
    const personal = a.conversation.conversationType === 'personal';
    const { workflow, directory } = this.d;
    switch (action.verb) {
      case 'choose_kind':
      case 'submit_report': {
        if (!personal) {
          await reply.text('Reports are made in your chat with me, never in a channel. Type **report** there.');
          return;
        }
        if (action.verb === 'choose_kind') {
          await reply.card(reportFormCard(formView(action.kind, directory)), true);
          return;
        }
        const values = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'));
        try {
          const result = await workflow.submit({
            reporterId: actorId,
            form: formFromValues(action.kind, values),
            // The same card sent twice (a double click) is one report.
            idempotencyKey: `teams:${a.conversation.id}:${a.replyToId ?? a.id ?? ''}`,
          });
          this.d.refs.putUploadTarget(a.from.id, {
            reportId: result.reportId,
            conversationId: a.conversation.id,
            messageId: a.replyToId,
            createdAt: this.d.clock().toISOString(),
          });
          this.d.kick();
          await reply.card(messageCard(submittedView(result, kindLabels[result.kind], result.evidenceCount)), true);
        } catch (err) {
          if (!(err instanceof DomainError) || err.code !== 'VALIDATION_FAILED') throw err;
          // The same form again, with the answers kept and each message next to its field.
          await reply.card(reportFormCard(formView(action.kind, directory, values, err.issues)), true);
        }
        return;
      }
      case 'acknowledge': {
        const r = workflow.acknowledge({ reportId: action.reportId, actorId });
        this.d.kick();
        await reply.text(r.changed ? `Acknowledged ${r.reference}. The card now shows it for everyone, and the reporter is told.` : `${r.reference} was already acknowledged.`);
        return;
      }
      case 'view': {
        const v = workflow.view({ reportId: action.reportId, actorId });
        await reply.privately(cardMessage(messageCard(reportDetailsView(v, directory, directory.timeZone))));
        if (!personal) await reply.text('The details are in your chat with me.');
        else await reply.text(`Details of ${v.reference} are below.`);
        return;
      }
      case 'decide': {
        const r = workflow.recordDecision({ reportId: action.reportId, actorId, choice: action.choice, reason: action.reason, ...(action.dutyId ? { dutyId: action.dutyId } : {}) });
        this.d.kick();
        await reply.text(r.changed ? `Decision recorded for ${r.reference}.` : `Your decision on ${r.reference} was already recorded.`);
        return;
      }
      case 'complete_task': {
        const r = workflow.completeTask({ reportId: action.reportId, actorId, action: action.action, ...(action.dutyId ? { dutyId: action.dutyId } : {}) });
        this.d.kick();
        await reply.text(r.changed ? `Marked as blocked: ${r.reference}. The DSL is told.` : `${r.reference} was already marked as blocked.`);
        return;
      }
    }
  }

  // ---- screenshots sent as attachments ----

  private async uploads(context: TurnContext, a: TeamsActivity, files: NonNullable<TeamsActivity['attachments']>): Promise<void> {
    if (a.conversation.conversationType !== 'personal') {
      await this.sendPrivately(a, { type: 'message', text: 'Please send screenshots for a report here, in our chat, not in a channel.' });
      return;
    }
    const target = this.d.refs.uploadTarget(a.from.id);
    if (!target || this.d.clock().getTime() - Date.parse(target.createdAt) > uploadWindowMs) {
      await context.sendActivity({ type: 'message', text: 'To send screenshots, first make a report: type **report**. Then send them here.' });
      return;
    }
    const actorId = this.actor(a);
    const problems: string[] = [];
    let added = 0;
    let outcome: { reference: string; kind: Parameters<typeof submittedView>[0]['kind']; evidenceCount: number } | undefined;
    try {
      // Checked before anything is fetched: a nude-images report never takes files (G2).
      outcome = this.d.workflow.evidenceTarget({ reportId: target.reportId, actorId });
      for (const [i, file] of files.entries()) {
        try {
          const { bytes, fileName } = await this.download(a, file, i);
          const r = await this.d.workflow.attachEvidence({ reportId: target.reportId, actorId, bytes, meta: { fileName } });
          outcome = r;
          if (r.added) added += 1;
        } catch (err) {
          if (!(err instanceof DomainError)) this.d.log.warn({ err, reportId: target.reportId }, 'Teams: an attachment could not be stored');
          problems.push(`${escapeTeamsMarkdown(file.name ?? `Attachment ${i + 1}`)}: ${wordsForError(err)}`);
        }
      }
    } catch (err) {
      await context.sendActivity({ type: 'message', text: wordsForError(err) });
      return;
    }
    this.d.kick();
    const summary = `Added ${added} screenshot${added === 1 ? '' : 's'} to ${outcome.reference}: ${outcome.evidenceCount} attached in all.`;
    await context.sendActivity({ type: 'message', text: [summary, ...problems].join('\n\n') });
    if (target.messageId) {
      const card = messageCard(submittedView({ ...outcome, guidance: [] }, kindLabels[outcome.kind], outcome.evidenceCount));
      await context.updateActivity({ ...cardMessage(card), id: target.messageId });
    }
  }

  /** Fetches an attachment: a OneDrive file by its short-lived link, a pasted image with the bot's token. */
  private async download(a: TeamsActivity, file: NonNullable<TeamsActivity['attachments']>[number], index: number): Promise<{ bytes: Uint8Array; fileName: string }> {
    let url: URL;
    const headers: Record<string, string> = {};
    if (file.contentType === fileInfoType) {
      const info = fileDownloadInfoSchema.safeParse(file.content);
      if (!info.success) throw new DomainError('EVIDENCE_TYPE', 'the file attachment has no download link');
      url = new URL(info.data.downloadUrl);
    } else {
      if (!file.contentUrl || !URL.canParse(file.contentUrl)) throw new DomainError('EVIDENCE_TYPE', 'the image has no address');
      url = new URL(file.contentUrl);
      // The bot's token goes only to the Bot Connector that sent the activity.
      if (url.origin === new URL(a.serviceUrl).origin) {
        const token = await this.d.connector.botToken(a.serviceUrl);
        if (token) headers.authorization = `Bearer ${token}`;
      }
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DomainError('EVIDENCE_TYPE', 'unsupported address');
    const res = await fetch(url, { headers, redirect: headers.authorization ? 'manual' : 'follow', signal: AbortSignal.timeout(30_000) });
    if (!res.ok || !res.body) throw new Error(`download failed with HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > this.d.maxEvidenceBytes) throw new DomainError('EVIDENCE_TOO_LARGE', 'the file is too large');
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > this.d.maxEvidenceBytes) throw new DomainError('EVIDENCE_TOO_LARGE', 'the file is too large');
      chunks.push(chunk);
    }
    return { bytes: Buffer.concat(chunks), fileName: (file.name ?? `screenshot-${index + 1}`).slice(0, 255) };
  }

  // ---- answering ----

  /** The person in the school file: by Teams id (29:…), or by Entra object id where the file uses that. */
  private actor(a: TeamsActivity): string {
    const byId = this.d.directory.resolveIdentity({ channel: 'teams', userId: a.from.id });
    if (!byId.startsWith('teams:') || !a.from.aadObjectId) return byId;
    const byAad = this.d.directory.resolveIdentity({ channel: 'teams', userId: a.from.aadObjectId });
    return byAad.startsWith('teams:') ? byId : byAad;
  }

  private async sendPrivately(a: TeamsActivity, activity: Partial<Activity>): Promise<void> {
    const chat = await this.d.conversations.personalChat(a.from.id);
    await this.d.connector.send(chat.serviceUrl, chat.conversationId, activity);
  }

  private executeResponder(context: TurnContext, a: TeamsActivity): Responder {
    return {
      card: (card) => this.invokeResponse(context, 200, { statusCode: 200, type: adaptiveCardType, value: card }),
      text: (text) => this.invokeMessage(context, text),
      privately: async (activity) => {
        if (a.conversation.conversationType === 'personal') await context.sendActivity(activity);
        else await this.sendPrivately(a, activity);
      },
    };
  }

  private submitResponder(context: TurnContext, a: TeamsActivity): Responder {
    const personal = a.conversation.conversationType === 'personal';
    const send = async (activity: Partial<Activity>) => {
      if (personal) await context.sendActivity(activity);
      else await this.sendPrivately(a, activity); // an answer to one person is never posted in a channel
    };
    return {
      card: async (card, replace) => {
        if (replace && personal && a.replyToId) await context.updateActivity({ ...cardMessage(card), id: a.replyToId });
        else await send(cardMessage(card));
      },
      text: (text) => send({ type: 'message', text }),
      privately: send,
    };
  }

  private invokeMessage(context: TurnContext, text: string): Promise<void> {
    return this.invokeResponse(context, 200, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text });
  }

  private invokeError(context: TurnContext, status: number, code: string, message: string): Promise<void> {
    return this.invokeResponse(context, status, { statusCode: status, type: 'application/vnd.microsoft.error', value: { code, message } });
  }

  private async invokeResponse(context: TurnContext, status: number, body: unknown): Promise<void> {
    await context.sendActivity({ type: 'invokeResponse', value: { status, body } });
  }
}
