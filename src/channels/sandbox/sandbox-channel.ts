import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { ChannelDeliverer } from '../delivery-errors.js';
import type { OutboxItem } from '../../core/ports.js';
import { DomainError } from '../../core/errors.js';
import { addWorkingMinutes, formatLocal } from '../../core/working-time.js';
import { ChannelStore } from '../../store/channel-store.js';
import { SandboxStore, type SandboxMessage } from '../../store/sandbox-store.js';
import { messageCard, messageCards, reportFormCard, reportKindCard } from '../../views/adaptive-cards.js';
import { asUpdateOf, messageView } from '../../views/message-views.js';
import { wordsForError } from '../../views/error-words.js';
import type { MessageView } from '../../views/view-model.js';
import { queueCard } from '../../views/queue-views.js';
import { cardsToReplace, confirmedInPlace, rememberSent } from '../card-updates.js';
import type { ChannelDeps } from '../channel-deps.js';
import { casesView, commandOf, Conversation, formPutAwayView, startForm, helpText, myReportsView, welcomeView, type Reply } from '../conversation.js';
import type { SandboxClock } from './sandbox-clock.js';
import { groupChatView, groupMessageAction, messageKindCard, sandboxMessage } from './sandbox-group-chat.js';

const pageDir = fileURLToPath(new URL('./page/', import.meta.url));
const adaptiveCardsDist = path.dirname(createRequire(import.meta.url).resolve('adaptivecards/dist/adaptivecards.min.js'));

export interface SandboxDeps extends Omit<ChannelDeps, 'clock'> {
  clock: SandboxClock;
  schoolName: string;
  databasePath: string;
}

const roleLabels: Record<string, string> = {
  dsl: 'DSL',
  deputy_dsl: 'Deputy DSL',
  headteacher: 'Headteacher',
  chair_of_governors: 'Chair of governors',
  ict_technician: 'ICT technician',
  reputation_lead: 'Reputation lead',
  staff: 'Staff',
};

const chatOf = (personId: string) => `chat:${personId}`;
const dsl = 'dsl';

/** The longest chat message the sandbox takes (as Teams' and Slack's text boxes are bounded too). */
export const maxMessageChars = 2000;
const count = (n: number) => n.toLocaleString('en-GB');
const megabytes = (bytes: number) => `${count(Math.max(0.1, Math.round((bytes / (1024 * 1024)) * 10) / 10))} MB`;

/** A message over the limit, in words shown beside the box: the text stays there. */
export const messageTooLongWords = (chars: number) =>
  `That message is ${count(chars)} characters long; the bot takes up to ${count(maxMessageChars)} at a time. Please shorten it: your text is still in the box.`;

/** A file over the limit, in words shown beside the file input (nothing is said in the chat: it was never received). */
export function fileTooLargeWords(name: string | undefined, bytes: number | undefined, maxBytes: number): string {
  const what = `${wordsForError(new DomainError('EVIDENCE_TOO_LARGE', 'upload over the limit')).replace(/\.$/, '')}`;
  const size = bytes && megabytes(bytes) !== megabytes(maxBytes) ? `it is ${megabytes(bytes)}; ` : '';
  return `${name ? `${name}: ` : ''}${what} (${size}each file can be up to ${megabytes(maxBytes)}).`;
}

/**
 * The local sandbox: the whole bot on one machine, with no Slack or Teams. A page at /
 * where a person picks who they are and sees their chat with the bot and, if they are
 * in it, the DSL channel, with the same Adaptive Cards Teams gets. Every click goes
 * through the real core, store, outbox and timers; the sandbox's only extra is a clock
 * that can skip ahead.
 */
export function mountSandbox(d: SandboxDeps): void {
  const refs = new ChannelStore(d.db, 'sandbox');
  const messages = new SandboxStore(d.db);
  const now = () => d.clock.now();
  d.clock.load(refs);
  const conversation = new Conversation({
    channel: 'sandbox',
    workflow: d.workflow,
    directory: d.directory,
    refs,
    clock: now,
    log: d.log,
    kick: () => d.dispatcher.kick(),
  });

  const deliverer: ChannelDeliverer = {
    channel: 'sandbox',
    async deliver(item: OutboxItem) {
      if (item.reportId && refs.messageForOutbox(item.id)) return;
      if (confirmedInPlace(item, refs)) return; // the reporter's form already turned into the confirmation
      const view = messageView(item, d.directory.timeZone);
      const card = messageCard(view);
      const earlier = cardsToReplace(item, refs);
      if (earlier.length > 0) {
        for (const m of earlier) messages.updateCard(Number(m.messageId), messageCard(asUpdateOf(view, m.messageType, String(item.payload.reference ?? ''))), now());
        return;
      }
      const where = item.recipientType === 'dsl_channel' ? dsl : chatOf(item.recipientId);
      const id = messages.add(where, 'bot', { card }, now());
      rememberSent(refs, item, { conversationId: where, messageId: String(id) }, now());
    },
  };
  d.dispatcher.register(deliverer);

  const members = new Set(d.directory.dslChannelMembers());
  const person = z.string().refine((id) => d.directory.get(id) !== undefined, { error: 'not a person in the school file' });
  const bad = (res: Response, error: z.ZodError) => res.status(400).json({ ok: false, problems: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });

  /** Answers in the sandbox chat: the same choices Teams makes for Action.Submit. */
  const replyFor = (as: string, where: string, cardId: number | undefined, notices: string[]): Reply => {
    const chat = chatOf(as);
    const put = (card: Record<string, unknown>, replace: boolean) => {
      if (replace && cardId !== undefined && where === chat) messages.updateCard(cardId, card, now());
      else messages.add(chat, 'bot', { card }, now());
    };
    return {
      form: async (view, replace) => put(reportFormCard(view), replace),
      message: async (view: MessageView, replace) => put(messageCard(view), replace),
      text: async (text) => {
        notices.push(text);
        messages.add(chat, 'bot', { text }, now());
      },
      privately: async (view) => {
        for (const card of messageCards(view)) messages.add(chat, 'bot', { card }, now());
      },
    };
  };

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));

  api.get('/people', (_req, res) => {
    res.json({
      school: d.schoolName,
      database: d.databasePath,
      people: d.directory.people.map((p) => ({ id: p.id, name: p.name, roles: p.roles.map((r) => roleLabels[r] ?? r) })),
    });
  });

  api.get('/state', (req, res) => {
    const q = z.object({ as: person }).safeParse(req.query);
    if (!q.success) return void bad(res, q.error);
    const as = q.data.as;
    const show = (m: SandboxMessage) => ({
      id: m.id,
      author: m.author === 'bot' ? 'Safeguarding bot' : d.directory.displayName(m.author),
      fromBot: m.author === 'bot',
      card: m.card,
      text: m.text,
      at: formatLocal(new Date(m.createdAt), d.directory.timeZone),
      version: m.version,
    });
    const conversations = [{ id: 'chat', title: 'Chat with the bot', messages: messages.list(chatOf(as)).map(show) }];
    if (members.has(as)) conversations.push({ id: 'dsl', title: 'DSL channel', messages: messages.list(dsl).map(show) });
    res.json({ now: now().toISOString(), clock: formatLocal(now(), d.directory.timeZone), offsetMinutes: Math.round(d.clock.offsetMs / 60_000), conversations });
  });

  api.post('/say', async (req, res) => {
    const body = z.object({ as: person, text: z.string().trim().min(1) }).safeParse(req.body);
    if (!body.success) return void bad(res, body.error);
    if (body.data.text.length > maxMessageChars)
      return void res.status(400).json({ ok: false, field: 'text', problems: [messageTooLongWords(body.data.text.length)] });
    const { as, text } = body.data;
    const chat = chatOf(as);
    messages.add(chat, as, { text }, now());
    const command = commandOf(text);
    if (command === 'report')
      await startForm(
        refs,
        as,
        now(),
        async (earlier) => messages.updateCard(Number(earlier.messageId), messageCard(formPutAwayView()), now()),
        async () => ({ conversationId: chat, messageId: String(messages.add(chat, 'bot', { card: reportKindCard() }, now())) }),
      );
    else if (command === 'cases') messages.add(chat, 'bot', { card: queueCard(casesView(d.workflow, as, d.directory.timeZone)) }, now());
    else if (command === 'my_reports') messages.add(chat, 'bot', { card: messageCard(myReportsView(d.workflow, as)) }, now());
    else if (command === 'whoami') messages.add(chat, 'bot', { text: `In the sandbox you are ${d.directory.displayName(as)} (id ${as} in the school file).` }, now());
    else messages.add(chat, 'bot', { text: helpText }, now());
    res.json({ ok: true });
  });

  api.post('/action', async (req, res) => {
    const body = z
      .object({ as: person, conversation: z.enum(['chat', 'dsl']), messageId: z.number().int().positive(), data: z.record(z.string(), z.unknown()) })
      .safeParse(req.body);
    if (!body.success) return void bad(res, body.error);
    const { as, data, messageId } = body.data;
    const where = body.data.conversation === 'dsl' ? dsl : chatOf(as);
    const card = messages.get(messageId);
    if (!card || card.conversation !== where || (where === dsl && !members.has(as)))
      return void res.status(404).json({ ok: false, problems: ['messageId: no such card in this conversation'] });
    if (typeof data.reportMessage === 'string') {
      // A step of reporting a group chat message (sandbox-group-chat.ts): the card is replaced in the person's chat.
      const message = where === dsl ? undefined : sandboxMessage(data.reportMessage, now(), data.reportMessageAt);
      if (!message) return void res.status(404).json({ ok: false, problems: ['reportMessage: no such message in the group chat'] });
      messages.updateCard(messageId, await groupMessageAction({ workflow: d.workflow, directory: d.directory, kick: () => d.dispatcher.kick() }, as, data, message, `${messageId}:${card.version}`), now());
      await d.dispatcher.deliverDue();
      return void res.json({ ok: true, notices: [] });
    }
    const notices: string[] = [];
    await conversation.cardAction(
      { actorId: as, userId: as, personal: where !== dsl, conversationId: where, cardId: String(messageId), eventId: `${messageId}:${card.version}` },
      data,
      replyFor(as, where, messageId, notices),
    );
    await d.dispatcher.deliverDue();
    res.json({ ok: true, notices });
  });

  api.post('/upload', express.raw({ type: () => true, limit: d.maxEvidenceBytes + 1 }), async (req, res) => {
    const q = z.object({ as: person, name: z.string().trim().min(1).max(255) }).safeParse(req.query);
    if (!q.success) return void bad(res, q.error);
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const chat = chatOf(q.data.as);
    messages.add(chat, q.data.as, { text: `Attached: ${q.data.name}` }, now());
    const result = await conversation.uploads({ actorId: q.data.as, userId: q.data.as }, [{ name: q.data.name, fetch: async () => bytes }], (t) => t);
    messages.add(chat, 'bot', { text: result.text }, now());
    if (result.card) messages.updateCard(Number(result.card.messageId), messageCard(result.card.view), now());
    await d.dispatcher.deliverDue();
    res.json({ ok: true, added: result.added, notices: [result.text] });
  });
  /** An upload over the limit is refused (413) before it is read or anything is said in the chat, in words for the page. */
  const uploadTooLarge: ErrorRequestHandler = (err: { type?: string; length?: number }, req, res, next) => {
    if (err.type !== 'entity.too.large') return next(err);
    const name = z.string().trim().min(1).max(255).safeParse(req.query.name);
    res.status(413).json({ ok: false, field: 'file', problems: [fileTooLargeWords(name.success ? name.data : undefined, err.length, d.maxEvidenceBytes)] });
  };
  api.use('/upload', uploadTooLarge);

  api.post('/clock', async (req, res) => {
    const body = z
      .object({ minutes: z.number().int().min(1).max(60 * 24 * 14), working: z.boolean().default(false) })
      .safeParse(req.body);
    if (!body.success) return void bad(res, body.error);
    const from = now();
    const to = body.data.working
      ? addWorkingMinutes(from, body.data.minutes, d.directory.workingHours, d.directory.timeZone)
      : new Date(from.getTime() + body.data.minutes * 60_000);
    d.clock.skipTo(to, refs);
    d.log.info({ to: to.toISOString() }, 'sandbox: clock skipped ahead');
    // What the skip makes due happens now: timers, then their messages.
    while (d.workflow.tick().processed > 0);
    await d.dispatcher.deliverDue();
    res.json({ ok: true, now: now().toISOString(), clock: formatLocal(now(), d.directory.timeZone) });
  });

  api.get('/group', (_req, res) => res.json(groupChatView(now(), d.directory)));

  // "Report this message" on a group chat message: the form opens in the person's own chat with the bot.
  api.post('/report-message', (req, res) => {
    const body = z.object({ as: person, messageId: z.string().max(50) }).safeParse(req.body);
    if (!body.success) return void bad(res, body.error);
    const message = sandboxMessage(body.data.messageId, now());
    if (!message) return void res.status(404).json({ ok: false, problems: ['messageId: no such message in the group chat'] });
    messages.add(chatOf(body.data.as), 'bot', { card: messageKindCard(message, d.directory) }, now());
    res.json({ ok: true, notices: ['The report form is in your chat with the bot. Nothing is posted in the group chat.'] });
  });

  api.post('/welcome', (req, res) => {
    const body = z.object({ as: person }).safeParse(req.body);
    if (!body.success) return void bad(res, body.error);
    if (messages.list(chatOf(body.data.as)).length === 0) messages.add(chatOf(body.data.as), 'bot', { card: messageCard(welcomeView()) }, now());
    res.json({ ok: true });
  });

  d.http.use('/sandbox/api', api);
  d.http.get('/', (_req, res) => res.sendFile(path.join(pageDir, 'index.html')));
  d.http.use('/sandbox/assets', express.static(pageDir, { index: false }));
  d.http.use('/sandbox/adaptivecards', express.static(adaptiveCardsDist, { index: false }));
}
