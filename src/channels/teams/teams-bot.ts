import type { Logger } from '../../logger.js';
import { DomainError } from '../../core/errors.js';
import type { Directory } from '../../core/school.js';
import type { Workflow } from '../../core/workflow.js';
import type { ChannelStore } from '../../store/channel-store.js';
import { escapeTeamsMarkdown, messageCard, messageCards, reportFormCard, reportKindCard, reportKindTitle } from '../../views/adaptive-cards.js';
import type { MessageView } from '../../views/view-model.js';
import { queueCard } from '../../views/queue-views.js';
import { casesView, commandOf, Conversation, formPutAwayView, startForm, helpText, myReportsView, welcomeView, type ActionContext, type Reply } from '../conversation.js';
import { activitySchema, executeValueSchema, fileDownloadInfoSchema, type TeamsActivity } from './teams-activity.js';
import type { Activity, TeamsConnector, TurnContext } from './teams-connector.js';
import type { TeamsConversations } from './teams-conversations.js';
import { adaptiveCardType, cardActivity, cardMessage } from './teams-deliverer.js';
import { downloadLimited } from '../download.js';
import { TeamsMessageAction } from './teams-message-action.js';

const fileInfoType = 'application/vnd.microsoft.teams.file.download.info';

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

/**
 * The Teams turn logic: commands, card buttons (Action.Execute invokes and Action.Submit
 * messages), screenshots sent as attachments, and installs. It parses with zod, calls
 * core and renders the result; who may do what is core's decision.
 */
export class TeamsBot {
  private readonly inFlight = new Set<string>();
  private readonly conversation: Conversation;
  private readonly messageAction: TeamsMessageAction;

  constructor(private readonly d: TeamsBotDeps) {
    this.conversation = new Conversation({ ...d, channel: 'teams' });
    this.messageAction = new TeamsMessageAction(d, (a) => this.actor(a));
  }

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
      // "Report to safeguarding" on a message (teams-message-action.ts).
      if (await this.messageAction.handle(a, (status, body) => this.invokeResponse(context, status, body))) return;
      if (a.name !== 'adaptiveCard/action') return this.invokeError(context, 400, 'NotSupported', `The invoke '${a.name ?? ''}' is not supported.`);
      const value = executeValueSchema.safeParse(a.value);
      if (!value.success) return this.invokeError(context, 400, 'BadRequest', 'The card action is not valid.');
      const { verb, data } = value.data.action;
      return this.conversation.cardAction(this.actionContext(a), { ...data, verb }, this.executeReply(context, a));
    }
    if (a.type === 'installationUpdate') {
      if (/^add/i.test(a.action ?? '') && a.conversation.conversationType === 'personal')
        await context.sendActivity(cardActivity(welcomeView()));
      return;
    }
    if (a.type !== 'message') return; // conversationUpdate and others: the references are stored; nothing else to do
    // Action.Submit: a message with a value object and no text.
    if (a.value && typeof a.value === 'object' && !Array.isArray(a.value) && !a.text?.trim())
      return this.conversation.cardAction(this.actionContext(a), a.value as Record<string, unknown>, this.submitReply(context, a));
    const files = (a.attachments ?? []).filter((x) => x.contentType === fileInfoType || x.contentType.startsWith('image/'));
    if (files.length > 0) return this.uploads(context, a, files);
    return this.command(context, a);
  }

  // ---- text commands ----

  private async command(context: TurnContext, a: TeamsActivity): Promise<void> {
    const command = commandOf(a.text ?? '');
    const personal = a.conversation.conversationType === 'personal';
    if (command === 'report') {
      const kindCard = cardMessage(reportKindCard(), reportKindTitle);
      if (personal) {
        const put = formPutAwayView();
        await startForm(
          this.d.refs,
          a.from.id,
          this.d.clock(),
          (earlier) => context.updateActivity({ ...cardActivity(put), id: earlier.messageId }).then(() => undefined),
          async () => {
            const sent = await context.sendActivity(kindCard);
            return sent?.id ? { conversationId: a.conversation.id, messageId: sent.id } : undefined;
          },
        );
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
    if (command === 'whoami') {
      const lines = [`Your Teams id: ${a.from.id}`];
      const groupChat = a.conversation.conversationType === 'groupChat';
      if (!personal && !groupChat) lines.push(`This channel's id: ${a.channelData?.channel?.id ?? a.conversation.id.split(';')[0]}`);
      const answer = { type: 'message', textFormat: 'plain', text: lines.join('\n') };
      // A group chat may have pupils or parents in it: the answer goes to the person's own chat.
      if (groupChat) await this.sendPrivately(a, answer);
      else await context.sendActivity(answer);
      return;
    }
    if (command === 'cases') {
      // Only ever to the person: in a channel, the list goes to their own chat with the bot.
      const v = casesView(this.d.workflow, this.actor(a), this.d.directory.timeZone);
      const activity = cardMessage(queueCard(v), v.title);
      if (personal) await context.sendActivity(activity);
      else await this.sendPrivately(a, activity);
      return;
    }
    if (!personal) return;
    if (command === 'my_reports') await context.sendActivity(cardActivity(myReportsView(this.d.workflow, this.actor(a))));
    else await context.sendActivity({ type: 'message', text: helpText });
  }

  // ---- screenshots sent as attachments ----

  private async uploads(context: TurnContext, a: TeamsActivity, files: NonNullable<TeamsActivity['attachments']>): Promise<void> {
    if (a.conversation.conversationType !== 'personal') {
      await this.sendPrivately(a, { type: 'message', text: 'Please send screenshots for a report here, in our chat, not in a channel.' });
      return;
    }
    const result = await this.conversation.uploads(
      { actorId: this.actor(a), userId: a.from.id },
      files.map((file, i) => ({ name: file.name ?? `screenshot-${i + 1}`, fetch: () => this.download(a, file) })),
      escapeTeamsMarkdown,
    );
    await context.sendActivity({ type: 'message', text: result.text });
    if (result.card) await context.updateActivity({ ...cardActivity(result.card.view), id: result.card.messageId });
  }

  /** Fetches an attachment: a OneDrive file by its short-lived link, a pasted image with the bot's token. */
  private async download(a: TeamsActivity, file: NonNullable<TeamsActivity['attachments']>[number]): Promise<Uint8Array> {
    const maxBytes = this.d.maxEvidenceBytes;
    if (file.contentType === fileInfoType) {
      const info = fileDownloadInfoSchema.safeParse(file.content);
      if (!info.success) throw new DomainError('EVIDENCE_TYPE', 'the file attachment has no download link');
      return downloadLimited(new URL(info.data.downloadUrl), { maxBytes });
    }
    if (!file.contentUrl || !URL.canParse(file.contentUrl)) throw new DomainError('EVIDENCE_TYPE', 'the image has no address');
    const url = new URL(file.contentUrl);
    // The bot's token goes only to the Bot Connector that sent the activity.
    const token = url.origin === new URL(a.serviceUrl).origin ? await this.d.connector.botToken(a.serviceUrl) : undefined;
    return downloadLimited(url, { token, maxBytes });
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

  private actionContext(a: TeamsActivity): ActionContext {
    return {
      actorId: this.actor(a),
      userId: a.from.id,
      personal: a.conversation.conversationType === 'personal',
      conversationId: a.conversation.id,
      cardId: a.replyToId,
      eventId: a.id,
    };
  }

  /** Action.Execute: the answer goes in the invoke response. */
  private executeReply(context: TurnContext, a: TeamsActivity): Reply {
    const card = (c: Record<string, unknown>) => this.invokeResponse(context, 200, { statusCode: 200, type: adaptiveCardType, value: c });
    return {
      form: (view) => card(reportFormCard(view)),
      message: (view) => card(messageCard(view)),
      text: (text) => this.invokeMessage(context, text),
      privately: async (view) => {
        // A report too long for one card comes as several (messageCards); nothing is cut.
        for (const c of messageCards(view)) {
          const activity = cardMessage(c, view.title);
          if (a.conversation.conversationType === 'personal') await context.sendActivity(activity);
          else await this.sendPrivately(a, activity);
        }
      },
    };
  }

  /** Action.Submit: answered with messages, the clicked card replaced in place where it helps. */
  private submitReply(context: TurnContext, a: TeamsActivity): Reply {
    const personal = a.conversation.conversationType === 'personal';
    const send = async (activity: Partial<Activity>) => {
      if (personal) await context.sendActivity(activity);
      else await this.sendPrivately(a, activity); // an answer to one person is never posted in a channel
    };
    const card = async (c: Record<string, unknown>, summary: string, replace: boolean) => {
      if (replace && personal && a.replyToId) await context.updateActivity({ ...cardMessage(c, summary), id: a.replyToId });
      else await send(cardMessage(c, summary));
    };
    return {
      form: (view, replace) => card(reportFormCard(view), view.title, replace),
      message: (view: MessageView, replace) => card(messageCard(view), view.title, replace),
      text: (text) => send({ type: 'message', text }),
      privately: async (view) => {
        for (const c of messageCards(view)) await send(cardMessage(c, view.title));
      },
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
