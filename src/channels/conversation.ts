import type { Logger } from '../logger.js';
import { DomainError } from '../core/errors.js';
import type { DeliveryChannel } from '../core/ports.js';
import { kindLabels, reportKinds, type ReportKind } from '../core/report-schemas.js';
import type { Directory } from '../core/school.js';
import type { Workflow } from '../core/workflow.js';
import type { ChannelStore } from '../store/channel-store.js';
import { confirmedType, openFormKey, type OpenForm } from './card-updates.js';
import { wordsForError } from '../views/error-words.js';
import { noticeView, submittedView } from '../views/message-views.js';
import { caseActionSchemas, caseFormAgain, detailsView, performCaseAction } from './case-verbs.js';
import { formFromValues, formView, subjectCheckField, type FormView } from '../views/report-forms.js';
import { readCheckChoice, type SubjectCandidate, type SubjectCheck } from '../core/subject-check.js';
import type { MessageView } from '../views/view-model.js';
import { queueRead, queueView, type QueueView } from '../views/queue-views.js';
import { z } from 'zod';

/**
 * The conversation with the bot, the same in every chat channel: the text commands,
 * what each card button does, and screenshots sent after a report. Channels parse their
 * platform's payload, call these, and render the answers (Adaptive Cards for Teams and
 * the sandbox, blocks for Slack). Who may do what is core's decision.
 */

/** How to answer the person, in the channel's own way. */
export interface Reply {
  /** A report form; `replace` puts it in place of the card that was clicked. */
  form(view: FormView, replace: boolean): Promise<void>;
  message(view: MessageView, replace: boolean): Promise<void>;
  text(text: string): Promise<void>;
  /** A message only this person sees: their own chat with the bot. */
  privately(view: MessageView): Promise<void>;
}

/** Where an action came from. */
export interface ActionContext {
  /** The person in the school file, or the channel-qualified id of someone not in it. */
  actorId: string;
  /** The platform's user id (where uploads for this person are remembered). */
  userId: string;
  /** In the person's own chat with the bot (not a channel). */
  personal: boolean;
  conversationId: string;
  /** The card message the button is on; the same card sent twice is one report. */
  cardId?: string | undefined;
  eventId?: string | undefined;
}

export interface ConversationDeps {
  channel: DeliveryChannel;
  workflow: Workflow;
  directory: Directory;
  refs: ChannelStore;
  clock: () => Date;
  log: Logger;
  /** Delivers the outbox now, so cards update at once after an action. */
  kick: () => void;
}

const id = z.string().trim().min(1).max(100);

/** What a card button sends back: its data, with the card's inputs merged in (as strings). */
export const cardActionSchema = z.discriminatedUnion('verb', [
  z.looseObject({ verb: z.literal('choose_kind'), kind: z.enum(reportKinds, { error: 'Please choose what kind of concern this is.' }) }),
  z.looseObject({ verb: z.literal('submit_report'), kind: z.enum(reportKinds) }),
  z.looseObject({ verb: z.literal('acknowledge'), reportId: id, dutyId: id.optional() }),
  z.looseObject({ verb: z.literal('view'), reportId: id }),
  z.looseObject({ verb: z.literal('decide'), reportId: id, dutyId: id.optional(), choice: z.string().default(''), reason: z.string().default('') }),
  z.looseObject({ verb: z.literal('complete_task'), reportId: id, dutyId: id.optional(), action: z.string().default('') }),
  ...caseActionSchemas,
]);
export type CardAction = z.infer<typeof cardActionSchema>;

const helpLines = [
  ['report', 'make a report (in this chat; nobody else sees the form)'],
  ['my reports', 'the reports you have made, and where they are'],
  ['cases', 'the open cases you may act on, yours first, overdue marked (DSL, deputies, headteacher, chair)'],
  ['whoami', 'your id, for the school IT administrator'],
] as const;

/** Help as a text message (Markdown). */
export const helpText = [
  'I take reports of online-safety concerns and send each one to the right person.',
  ...helpLines.map(([command, what]) => `- **${command}**: ${what}`),
].join('\n\n');

/** Help as a card: plain text, since cards escape Markdown. */
export const welcomeView = (): MessageView => ({
  ...noticeView('Hello', ['I take reports of online-safety concerns and send each one to the right person, and only to them. Type one of the words above.']),
  facts: helpLines.map(([command, what]) => ({ title: command, value: what })),
});

/** How long after a report its reporter can still send screenshots for it. */
const uploadWindowMs = 24 * 60 * 60_000;

/** A text command: what it is, once mentions and spacing are taken out. */
export function commandOf(text: string): 'report' | 'whoami' | 'my_reports' | 'cases' | 'help' {
  const t = text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/^\/+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  if (/^report\b/.test(t)) return 'report';
  if (t === 'whoami' || t === 'who am i') return 'whoami';
  if (/^my reports?$/.test(t)) return 'my_reports';
  if (/^(my |open )?cases?$/.test(t) || /^(my )?queue$/.test(t)) return 'cases';
  return 'help';
}

/** What an earlier unsent form becomes when the person starts another report. */
export const formPutAwayView = (): MessageView =>
  noticeView('Form put away', ['You started a new report, so this unfinished form was put away. Nothing was sent from it.']);

/**
 * Starts a report form in the person's chat: an earlier form they never sent is put away
 * first (replaced in place), so abandoned forms do not pile up with live inputs.
 * `replace` updates a card; `send` posts the new kind card and says where it went.
 */
export async function startForm(
  refs: ChannelStore,
  userId: string,
  now: Date,
  replace: (earlier: OpenForm) => Promise<void>,
  send: () => Promise<OpenForm | undefined>,
): Promise<void> {
  const earlier = refs.getRef<OpenForm>(openFormKey(userId));
  if (earlier) {
    try {
      await replace(earlier);
    } catch {
      // Deleted in the chat, or too old to update: nothing to put away.
    }
    refs.deleteRef(openFormKey(userId));
  }
  const sent = await send();
  if (sent) refs.putRef(openFormKey(userId), sent, now);
}

/** The open-case list of this person (G1: never a report about them; core leaves those out). */
export function casesView(workflow: Workflow, actorId: string, timeZone: string): QueueView {
  return queueView(workflow.openQueue(actorId, { limit: queueRead }), timeZone);
}

/** The reporter's own reports (G6): reference, kind and status. */
export function myReportsView(workflow: Workflow, actorId: string): MessageView {
  const receipts = workflow.receipts(actorId);
  const view = noticeView(receipts.length ? 'Your reports' : 'You have not made any reports.');
  return { ...view, facts: receipts.map((r) => ({ title: r.reference, value: `${r.kindLabel}: ${r.status}` })) };
}

/**
 * G1's confirm step for a form sent from a card: the candidates to ask about when the
 * form is valid, its typed name could be someone in the school file, and it carries no
 * answer for exactly these candidates; else the answer (if any) to submit with it.
 */
export function askedAboutSubjects(
  workflow: Workflow,
  form: Record<string, unknown>,
  values: Record<string, unknown>,
): { ask?: SubjectCandidate[]; answer?: SubjectCheck } {
  const checked = workflow.validate(form);
  if (!checked.ok) return {}; // the mistakes are shown first; the question comes once the form is valid
  const candidates = workflow.subjectCandidates(checked.form);
  if (candidates.length === 0) return {};
  const answer = readCheckChoice(values[subjectCheckField], candidates);
  return answer ? { answer } : { ask: candidates };
}

export class Conversation {
  constructor(private readonly d: ConversationDeps) {}

  /** A card button: parsed, done through core, answered; a refusal is answered in words, never thrown. */
  async cardAction(ctx: ActionContext, raw: Record<string, unknown>, reply: Reply): Promise<void> {
    try {
      await this.act(ctx, raw, reply);
    } catch (err) {
      // A form (close, reopen, a note; a decision or block task card) comes back in place, with
      // what was entered kept and each refusal next to its field: on Teams, the invoke's card.
      const again = err instanceof DomainError ? caseFormAgain(this.d.workflow, ctx.actorId, raw, err.issues) : undefined;
      if (again) await reply.message(again, true);
      else await reply.text(wordsForError(err));
    }
  }

  /**
   * The same, for a caller that answers a refusal itself (Slack's modals put core's field
   * issues next to their fields): core's DomainError is thrown; anything else is logged
   * first. False when the action is out of date or not one of ours (nothing was done).
   */
  async act(ctx: ActionContext, raw: Record<string, unknown>, reply: Reply): Promise<boolean> {
    const parsed = cardActionSchema.safeParse(raw);
    if (!parsed.success) {
      await reply.text('That card is out of date or not one of mine. Type **report** to start again.');
      return false;
    }
    const action = parsed.data;
    try {
      await this.perform(ctx, action, raw, reply);
      return true;
    } catch (err) {
      if (!(err instanceof DomainError))
        this.d.log.error({ err, channel: this.d.channel, verb: action.verb, reportId: 'reportId' in action ? action.reportId : undefined }, 'card action failed');
      throw err;
    }
  }

  private async perform(ctx: ActionContext, action: CardAction, raw: Record<string, unknown>, reply: Reply): Promise<void> {
    const { workflow, directory } = this.d;
    const actorId = ctx.actorId;
    switch (action.verb) {
      case 'choose_kind':
      case 'submit_report': {
        if (!ctx.personal) {
          await reply.text('Reports are made in your chat with me, never in a channel. Type **report** there.');
          return;
        }
        if (action.verb === 'choose_kind') {
          await reply.form(formView(action.kind, directory), true);
          return;
        }
        const values = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'));
        const form = formFromValues(action.kind, values);
        // G1's confirm step: a typed name that could be someone in the school file is asked about first.
        const check = askedAboutSubjects(workflow, form, values);
        if (check.ask) {
          const { [subjectCheckField]: _stale, ...kept } = values;
          await reply.form(formView(action.kind, directory, kept, [], check.ask), true);
          return;
        }
        try {
          const result = await workflow.submit({
            reporterId: actorId,
            form,
            ...(check.answer ? { subjectCheck: check.answer } : {}),
            // The same card sent twice (a double click) is one report.
            idempotencyKey: `${this.d.channel}:${ctx.conversationId}:${ctx.cardId ?? ctx.eventId ?? ''}`,
          });
          this.d.refs.putUploadTarget(ctx.userId, {
            reportId: result.reportId,
            conversationId: ctx.conversationId,
            messageId: ctx.cardId,
            createdAt: this.d.clock().toISOString(),
          });
          try {
            await reply.message(submittedView(result, kindLabels[result.kind], result.evidenceCount), true);
            // The form is now the one confirmation the reporter gets; it is no longer an unsent form.
            if (ctx.cardId) {
              this.d.refs.putMessage({ reportId: result.reportId, recipientId: actorId, messageType: confirmedType, conversationId: ctx.conversationId, messageId: ctx.cardId, createdAt: this.d.clock().toISOString() });
              if (this.d.refs.getRef<OpenForm>(openFormKey(ctx.userId))?.messageId === ctx.cardId) this.d.refs.deleteRef(openFormKey(ctx.userId));
            }
          } catch (err) {
            // Stored: the receipt with the reference is in the outbox and arrives when the platform answers again.
            const e = err as { code?: unknown; statusCode?: unknown };
            this.d.log.warn({ code: e.code, status: e.statusCode, reportId: result.reportId }, 'the report is stored, but the platform did not take the answer; the receipt follows');
          } finally {
            // Delivered after the form became the confirmation (or failed to), so the receipt knows which.
            this.d.kick();
          }
        } catch (err) {
          if (!(err instanceof DomainError) || err.code !== 'VALIDATION_FAILED') throw err;
          // The same form again, with the answers kept and each message next to its field.
          await reply.form(formView(action.kind, directory, values, err.issues), true);
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
        const v = await workflow.viewDetails({ reportId: action.reportId, actorId });
        await reply.privately(detailsView(v, directory));
        await reply.text(ctx.personal ? `Details of ${v.reference} are below.` : 'The details are in your chat with me.');
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
      default: {
        // Close, reopen and notes (issue 12): the form comes privately; the step done replaces the form.
        const r = performCaseAction(workflow, actorId, action);
        if ('form' in r) {
          await reply.privately(r.form);
          await reply.text(ctx.personal ? 'Fill in the form below.' : 'The form is in your chat with me.');
          return;
        }
        this.d.kick();
        // One answer (a Teams invoke takes one): the form becomes what was done.
        await reply.message({ ...r.done, paragraphs: [r.text] }, true);
        return;
      }
    }
  }

  /**
   * Screenshots sent in the person's chat after a report: added to their latest report
   * (within a day). Checked before any file is fetched: a nude-images report never takes
   * files (G2). Each file's problem is reported by name; the others are still kept.
   * Returns the report's card to update with the new count, if there is one.
   */
  async uploads(
    ctx: Pick<ActionContext, 'actorId' | 'userId'>,
    files: { name: string; fetch: () => Promise<Uint8Array> }[],
    escape: (text: string) => string,
  ): Promise<{ text: string; added: number; card?: { messageId: string; view: MessageView } }> {
    const target = this.d.refs.uploadTarget(ctx.userId);
    if (!target || this.d.clock().getTime() - Date.parse(target.createdAt) > uploadWindowMs)
      return { text: 'To send screenshots, first make a report: type **report**. Then send them here.', added: 0 };
    let outcome: { reference: string; kind: ReportKind; evidenceCount: number };
    try {
      outcome = this.d.workflow.evidenceTarget({ reportId: target.reportId, actorId: ctx.actorId });
    } catch (err) {
      return { text: wordsForError(err), added: 0 };
    }
    const problems: string[] = [];
    let added = 0;
    for (const file of files) {
      try {
        const bytes = await file.fetch();
        const r = await this.d.workflow.attachEvidence({ reportId: target.reportId, actorId: ctx.actorId, bytes, meta: { fileName: file.name.slice(0, 255) } });
        outcome = r;
        if (r.added) added += 1;
      } catch (err) {
        if (!(err instanceof DomainError)) this.d.log.warn({ err, reportId: target.reportId }, 'an attachment could not be stored');
        problems.push(`${escape(file.name)}: ${wordsForError(err)}`);
      }
    }
    this.d.kick();
    const summary = `Added ${added} screenshot${added === 1 ? '' : 's'} to ${outcome.reference}: ${outcome.evidenceCount} attached in all.`;
    return {
      // Nothing kept: only why (never "Added 0 screenshots" before the refusal).
      text: (added === 0 && problems.length > 0 ? problems : [summary, ...problems]).join('\n\n'),
      added,
      ...(target.messageId
        ? { card: { messageId: target.messageId, view: submittedView({ ...outcome, guidance: [] }, kindLabels[outcome.kind], outcome.evidenceCount) } }
        : {}),
    };
  }
}
