import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { ReportedMessage } from '../../core/message-evidence.js';
import { acceptsEvidence, kindLabels, reportKinds, type ReportKind } from '../../core/report-schemas.js';
import type { EvidenceUpload } from '../../core/workflow-types.js';
import { escapeTeamsMarkdown, messageCard, reportFormCard, reportKindCard } from '../../views/adaptive-cards.js';
import { wordsForError } from '../../views/error-words.js';
import { noticeView, submittedView } from '../../views/message-views.js';
import { formFromValues } from '../../views/report-forms.js';
import { localDateTime } from '../../core/working-time.js';
import { downloadLimited } from '../download.js';
import { htmlToPlainText, messageFormView, messageParagraphs, reportedMessage } from '../message-report.js';
import type { TeamsActivity } from './teams-activity.js';
import type { TeamsBotDeps } from './teams-bot.js';
import { adaptiveCardType } from './teams-deliverer.js';

/**
 * "Report to safeguarding" on a Teams message: a message extension action command
 * (manifests/teams/manifest.json, `reportMessage`, context "message"). Teams sends
 * `composeExtension/fetchTask` with the message (`value.messagePayload`); the bot answers
 * with a dialog (`task/continue`): the kind, then that kind's form, prefilled from the
 * message. Each step comes back as `composeExtension/submitAction` with the card's
 * answers in `value.data` and the message again. The report is stored before the dialog
 * shows "Report sent"; the receipt comes in the reporter's own chat. The bot never posts
 * in the conversation the message came from and never answers with a compose-box card.
 * Shapes: tests/fixtures/platform-samples/teams-message-action-*.json.
 */
export const reportMessageCommandId = 'reportMessage';

const messagePayloadSchema = z.looseObject({
  id: z.string().min(1).max(200),
  createdDateTime: z.string().max(64).nullish(),
  linkToMessage: z.string().max(4000).nullish(),
  from: z
    .looseObject({
      user: z.looseObject({ id: z.string().max(200).nullish(), displayName: z.string().max(500).nullish() }).nullish(),
      application: z.looseObject({ id: z.string().max(200).nullish(), displayName: z.string().max(500).nullish() }).nullish(),
    })
    .nullish(),
  body: z.looseObject({ contentType: z.string().max(20).nullish(), content: z.string().max(200_000).nullish() }).nullish(),
  attachments: z
    .array(z.looseObject({ id: z.string().nullish(), contentType: z.string().nullish(), contentUrl: z.string().nullish(), name: z.string().nullish() }))
    .max(100)
    .nullish(),
});

const actionValueSchema = z.looseObject({
  commandId: z.string(),
  commandContext: z.string().optional(),
  messagePayload: messagePayloadSchema.optional(),
  data: z.record(z.string(), z.unknown()).nullish(),
});

type Payload = z.infer<typeof messagePayloadSchema>;
type Respond = (status: number, body: unknown) => Promise<void>;

/** A message's files the bot may fetch with its own token: on the Bot Connector that sent the invoke. */
function fetchable(p: Payload, serviceUrl: string): { name: string; url: URL }[] {
  const origin = new URL(serviceUrl).origin;
  const fromAttachments = (p.attachments ?? []).flatMap((x, i) => (x.contentUrl ? [{ name: x.name ?? `attachment-${i + 1}`, url: x.contentUrl }] : []));
  const inline = [...(p.body?.content ?? '').matchAll(/<img\b[^>]*\bsrc="([^"]+)"/gi)].map((m, i) => ({ name: `image-${i + 1}`, url: (m[1] ?? '').replace(/&amp;/g, '&') }));
  return [...fromAttachments, ...inline].flatMap((f) => (URL.canParse(f.url) && new URL(f.url).origin === origin ? [{ name: f.name, url: new URL(f.url) }] : []));
}

export function readTeamsMessage(p: Payload, a: TeamsActivity): ReportedMessage {
  const html = p.body?.contentType?.toLowerCase() === 'html';
  const text = p.body?.content ?? '';
  const author = p.from?.user ?? p.from?.application;
  return reportedMessage({
    platform: 'teams',
    messageId: p.id,
    conversationId: a.conversation.id,
    text,
    contentType: html ? 'html' : 'text',
    plainText: html ? htmlToPlainText(text) : text,
    author: { platformId: author?.id ?? undefined, name: author?.displayName ?? undefined },
    postedAt: new Date(p.createdDateTime ?? 0),
    link: p.linkToMessage ?? undefined,
    attachments: (p.attachments ?? []).filter((x) => x.contentType !== 'messageReference').length + fetchable({ ...p, attachments: [] }, a.serviceUrl).length,
  });
}

export class TeamsMessageAction {
  constructor(
    private readonly d: TeamsBotDeps,
    private readonly actor: (a: TeamsActivity) => string,
  ) {}

  /** Handles a `composeExtension/*` invoke; false when it is not one of ours. */
  async handle(a: TeamsActivity, respond: Respond): Promise<boolean> {
    if (a.name !== 'composeExtension/fetchTask' && a.name !== 'composeExtension/submitAction') return false;
    const value = actionValueSchema.safeParse(a.value);
    if (!value.success || value.data.commandId !== reportMessageCommandId) {
      await respond(400, { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'Not a command of this app.' } });
      return true;
    }
    const { messagePayload, data } = value.data;
    if (!messagePayload) {
      await this.dialog(respond, messageCard(noticeView('Report to safeguarding', ['Choose "Report to safeguarding" from the menu of the message itself (… → More actions).'])));
      return true;
    }
    let message: ReportedMessage;
    try {
      message = readTeamsMessage(messagePayload, a);
    } catch {
      await respond(400, { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'The message is not valid.' } });
      return true;
    }
    // One id per dialog, carried in its cards' data: the same dialog sent twice (a double click) is one report.
    const dialogId = typeof data?.dialogId === 'string' && /^[0-9a-f-]{36}$/.test(data.dialogId) ? data.dialogId : randomUUID();
    if (a.name === 'composeExtension/fetchTask') return this.dialog(respond, withDialog(this.kindCard(message), dialogId)).then(() => true);
    const verb = data?.verb;
    const kind = z.enum(reportKinds).safeParse(data?.kind);
    if (verb === 'choose_kind' || verb === 'submit_report') {
      if (!kind.success) {
        await this.dialog(respond, withDialog(this.kindCard(message), dialogId));
        return true;
      }
      if (verb === 'choose_kind') await this.dialog(respond, withDialog(reportFormCard(messageFormView(kind.data, message, this.d.directory)), dialogId));
      else await this.submit(a, kind.data, message, messagePayload, data ?? {}, dialogId, respond);
      return true;
    }
    await respond(200, {}); // anything else (a close button): the dialog closes
    return true;
  }

  private kindCard(message: ReportedMessage): Record<string, unknown> {
    const card = reportKindCard();
    const body = card.body as unknown[];
    body.splice(1, 0, { type: 'TextBlock', wrap: true, text: escapeTeamsMarkdown(messageParagraphs('something_else', message, this.d.directory)[0] ?? '') });
    return card;
  }

  private async submit(a: TeamsActivity, kind: ReportKind, message: ReportedMessage, p: Payload, data: Record<string, unknown>, dialogId: string, respond: Respond): Promise<void> {
    const values = Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const form = formFromValues(kind, values);
    const checked = this.d.workflow.validate(form);
    if (!checked.ok) return this.dialog(respond, withDialog(reportFormCard(messageFormView(kind, message, this.d.directory, values, checked.issues)), dialogId));
    // G2: for nude images nothing of the message is fetched.
    const fetched = acceptsEvidence(kind) ? await this.fetchFiles(a, p) : { uploads: [], missed: 0 };
    const uploads = fetched.uploads;
    // Files the bot could not fetch (a failure, or a OneDrive/SharePoint file, which needs Microsoft Graph).
    const missed = acceptsEvidence(kind) ? Math.max(fetched.missed, message.attachments - uploads.length) : 0;
    try {
      const result = await this.d.workflow.submit({
        reporterId: this.actor(a),
        form,
        message,
        evidence: uploads,
        idempotencyKey: `teams:message:${a.from.id}:${dialogId}`,
      });
      // Screenshots sent next in the reporter's chat with the bot go with this report (as after "report").
      this.d.refs.putUploadTarget(a.from.id, { reportId: result.reportId, conversationId: a.conversation.id, createdAt: this.d.clock().toISOString() });
      this.d.kick();
      const view = submittedView(result, kindLabels[result.kind], result.evidenceCount);
      if (missed > 0) view.paragraphs = [...view.paragraphs, `${missed} of the message's files could not be fetched (files shared from OneDrive or SharePoint are not): please attach screenshots of them in your chat with the bot. The message's text, author, time and link are attached.`];
      await this.dialog(respond, messageCard({ ...view, paragraphs: [...view.paragraphs, 'Your receipt is in your chat with the bot. Nothing was posted in this conversation.'] }));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'VALIDATION_FAILED')
        return this.dialog(respond, withDialog(reportFormCard(messageFormView(kind, message, this.d.directory, values, err.issues)), dialogId));
      if (!(err instanceof DomainError)) this.d.log.error({ err, messageId: message.messageId }, 'Teams: a reported message could not be stored');
      await this.dialog(respond, messageCard(noticeView('Not sent', [wordsForError(err)])));
    }
  }

  /** The message's pasted images and files, with the bot's token (only to the Bot Connector); a failure is counted, never fatal. */
  private async fetchFiles(a: TeamsActivity, p: Payload): Promise<{ uploads: EvidenceUpload[]; missed: number }> {
    const uploads: EvidenceUpload[] = [];
    let missed = 0;
    const posted = p.createdDateTime && !Number.isNaN(Date.parse(p.createdDateTime)) ? new Date(p.createdDateTime) : undefined;
    const postedAt = posted ? localDateTime(posted, this.d.directory.timeZone) : undefined;
    for (const f of fetchable(p, a.serviceUrl).slice(0, 9)) {
      try {
        const token = await this.d.connector.botToken(a.serviceUrl);
        const bytes = await downloadLimited(f.url, { token, maxBytes: this.d.maxEvidenceBytes });
        uploads.push({ bytes, meta: { fileName: f.name.slice(0, 255), ...(postedAt ? { postedAt } : {}) } });
      } catch (err) {
        missed += 1;
        this.d.log.warn({ code: (err as { code?: unknown }).code }, 'Teams: a file of a reported message could not be fetched');
      }
    }
    return { uploads, missed };
  }

  private dialog(respond: Respond, card: Record<string, unknown>): Promise<void> {
    return respond(200, { task: { type: 'continue', value: { title: 'Report to safeguarding', height: 'large', width: 'medium', card: { contentType: adaptiveCardType, content: card } } } });
  }
}

/** Puts the dialog's id into each Action.Submit's data, so every step of one dialog carries it. */
function withDialog(card: Record<string, unknown>, dialogId: string): Record<string, unknown> {
  const actions = (card.actions ?? []) as { data?: Record<string, unknown> }[];
  return { ...card, actions: actions.map((x) => ({ ...x, data: { ...x.data, dialogId } })) };
}
