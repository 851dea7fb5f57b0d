import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { ReportedMessage } from '../../core/message-evidence.js';
import { acceptsEvidence, reportKinds, type ReportKind } from '../../core/report-schemas.js';
import { localDateTime } from '../../core/working-time.js';
import { wordsForError } from '../../views/error-words.js';
import { formFields, formFromValues } from '../../views/report-forms.js';
import { MessageDrafts, messageFormView, messageGoneWords, messageParagraphs, mrkdwnToPlainText, reportedMessage } from '../message-report.js';
import { jsonOrUndefined } from '../wire-body.js';
import { formModal, kindModal, type ModalView } from './slack-blocks.js';
import { answers, modalErrors, type SlackContext } from './slack-context.js';

/**
 * "Report to safeguarding" in a Slack message's menu: a message shortcut
 * (manifests/slack/manifest.yaml, callback `report_message`). Slack posts a
 * `message_action` to /slack/events; the bot opens a modal within Slack's 3 s (the kind,
 * then that kind's form prefilled from the message) and stores the report before the
 * modal closes. The message's files are fetched afterwards with the bot token, as
 * uploads are (never for nude images, G2). The bot never posts in the channel the
 * message is in; the receipt comes by DM. Shape: tests/fixtures/platform-samples/message-action.json.
 */
export const reportMessageCallback = 'report_message';
const kindCallback = 'report_message_kind';
const formCallback = 'report_message_form';

const slackFileSchema = z.looseObject({ id: z.string().max(100), name: z.string().max(255).optional(), url_private_download: z.string().optional(), url_private: z.string().optional() });

const messageActionSchema = z.looseObject({
  type: z.literal('message_action'),
  trigger_id: z.string().min(1),
  user: z.looseObject({ id: z.string().min(1) }),
  team: z.looseObject({ id: z.string(), domain: z.string().max(100).optional() }).nullish(),
  channel: z.looseObject({ id: z.string().min(1) }),
  message_ts: z.string().optional(),
  message: z.looseObject({
    ts: z.string().regex(/^\d+(\.\d+)?$/),
    text: z.string().max(200_000).optional(),
    user: z.string().max(100).optional(),
    bot_id: z.string().max(100).optional(),
    username: z.string().max(200).optional(),
    user_profile: z.looseObject({ real_name: z.string().max(200).optional(), display_name: z.string().max(200).optional() }).optional(),
    files: z.array(slackFileSchema).max(100).optional(),
  }),
});
type SlackMessageAction = z.infer<typeof messageActionSchema>;

interface Draft {
  message: ReportedMessage;
  files: z.infer<typeof slackFileSchema>[];
}

/** A message's permalink, as Slack builds it (no Web API call, no extra scope). */
export function slackPermalink(domain: string | undefined, channel: string, ts: string): string | undefined {
  if (!domain || !/^[a-z0-9-]+$/i.test(domain)) return undefined;
  return `https://${domain}.slack.com/archives/${encodeURIComponent(channel)}/p${ts.replace('.', '')}`;
}

export function readSlackMessage(a: SlackMessageAction, authorName: (userId: string) => string | undefined): ReportedMessage {
  const m = a.message;
  const text = m.text ?? '';
  return reportedMessage({
    platform: 'slack',
    messageId: m.ts,
    conversationId: a.channel.id,
    text,
    contentType: 'mrkdwn',
    plainText: mrkdwnToPlainText(text),
    author: {
      platformId: m.user ?? m.bot_id,
      name: (m.user ? authorName(m.user) : undefined) ?? m.user_profile?.real_name ?? m.user_profile?.display_name ?? m.username,
    },
    postedAt: new Date(Number(m.ts) * 1000),
    link: slackPermalink(a.team?.domain, a.channel.id, m.ts),
    attachments: m.files?.length ?? 0,
  });
}

export function registerMessageAction(s: SlackContext): void {
  const { app, client, d, files } = s;
  const dir = d.directory;
  const drafts = new MessageDrafts<Draft>(d.clock);
  const nameOf = (userId: string) => {
    const id = dir.resolveIdentity({ channel: 'slack', userId });
    return dir.has(id) ? dir.displayName(id) : undefined;
  };

  app.shortcut(reportMessageCallback, async ({ ack, body }) => {
    const parsed = messageActionSchema.safeParse(body);
    if (!parsed.success) return void (await ack());
    const a = parsed.data;
    let message: ReportedMessage;
    try {
      message = readSlackMessage(a, nameOf);
    } catch {
      return void (await ack());
    }
    const key = drafts.put(a.user.id, { message, files: a.message.files ?? [] });
    const modal = kindModal();
    try {
      await client.views.open({
        trigger_id: a.trigger_id,
        view: {
          ...modal,
          callback_id: kindCallback,
          private_metadata: JSON.stringify({ draft: key }),
          title: { type: 'plain_text', text: 'Report this message' },
          blocks: [{ type: 'section', text: { type: 'plain_text', text: messageParagraphs('something_else', message, dir)[0] ?? '' } }, ...modal.blocks],
        } as never,
      });
    } catch (err) {
      drafts.delete(key);
      d.log.warn({ code: (err as { code?: string }).code }, 'Slack: the report form for a message could not be opened');
    }
    await ack();
  });

  const draftOf = (view: { private_metadata?: string }, userId: string) => {
    const meta = z.object({ draft: z.string(), kind: z.enum(reportKinds).optional() }).safeParse(jsonOrUndefined(view.private_metadata));
    return meta.success ? { key: meta.data.draft, kind: meta.data.kind, draft: drafts.get(meta.data.draft, userId) } : undefined;
  };

  app.view(kindCallback, async ({ ack, body, view }) => {
    const found = draftOf(view, body.user.id);
    if (!found?.draft) return void (await ack({ response_action: 'errors', errors: { kind: messageGoneWords } }));
    const kind = z.enum(reportKinds).safeParse(answers(view.state.values).kind);
    if (!kind.success) return void (await ack({ response_action: 'errors', errors: { kind: 'Please choose what kind of concern this is.' } }));
    await ack({ response_action: 'update', view: messageModal(messageFormView(kind.data, found.draft.message, dir), found.key) as never });
  });

  app.view(formCallback, async ({ ack, body, view }) => {
    const found = draftOf(view, body.user.id);
    const kind = found?.kind;
    if (!found || !kind) return void (await ack({ response_action: 'errors', errors: {} }));
    const first = formFields[kind][0]?.id ?? 'kind';
    if (!found.draft) return void (await ack({ response_action: 'errors', errors: { [first]: messageGoneWords } }));
    const { message, files: messageFiles } = found.draft;
    const flat = answers(view.state.values);
    const reporterId = s.actor(body.user.id);
    const postedAt = localDateTime(new Date(message.postedAt), dir.timeZone);
    // G2: for nude images nothing of the message is queued or fetched.
    const toFetch = acceptsEvidence(kind) ? messageFiles.slice(0, 9) : [];
    try {
      await d.workflow.submit({
        reporterId,
        form: formFromValues(kind, flat),
        message,
        idempotencyKey: `slack:${view.id}`,
        onStored: (result) => {
          for (const f of toFetch) {
            const url = f.url_private_download ?? f.url_private;
            if (url) files.add({ reportId: result.reportId, reporterId, fileId: f.id, name: f.name ?? f.id, url, meta: { fileName: (f.name ?? f.id).slice(0, 255), postedAt } }, d.clock());
          }
        },
      });
      drafts.delete(found.key);
      await ack();
      d.dispatcher.kick();
      if (toFetch.length > 0) s.fetchPendingFiles().catch((err: unknown) => d.log.error({ err }, 'Slack: fetching evidence failed'));
    } catch (err) {
      if (err instanceof DomainError && err.issues.length > 0) return void (await ack({ response_action: 'errors', errors: modalErrors(err.issues, kind, first) }));
      d.log.error({ err }, 'Slack: a reported message could not be stored');
      await ack({ response_action: 'errors', errors: { [first]: wordsForError(err) } });
    }
  });
}

function messageModal(view: ReturnType<typeof messageFormView>, draft: string): ModalView {
  return { ...formModal(view, false), callback_id: formCallback, private_metadata: JSON.stringify({ draft, kind: view.kind satisfies ReportKind }) };
}
