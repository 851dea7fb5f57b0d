import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { ReportedMessage } from '../../core/message-evidence.js';
import { kindLabels, reportKinds } from '../../core/report-schemas.js';
import type { Directory } from '../../core/school.js';
import type { Workflow } from '../../core/workflow.js';
import { formatLocal } from '../../core/working-time.js';
import { messageCard, reportFormCard, reportKindCard } from '../../views/adaptive-cards.js';
import { wordsForError } from '../../views/error-words.js';
import { noticeView, submittedView } from '../../views/message-views.js';
import { formFromValues } from '../../views/report-forms.js';
import { messageFormView, messageParagraphs, reportedMessage } from '../message-report.js';

/**
 * The sandbox's group chat (a class team): a few messages from pupils and staff of the
 * demo school, each with "Report this message" (issue 13). Reporting one opens the
 * report form in the person's own chat with the bot, prefilled from the message, as
 * Teams' dialog and Slack's modal do; nothing is ever posted in the group chat.
 */
export interface GroupMessage {
  id: string;
  /** A person in the school file (staff), or undefined for a pupil. */
  personId?: string;
  name: string;
  who: string;
  text: string;
  minutesAgo: number;
}

/** The demo school's class team. Pupils are not in the school file; staff are. */
export const groupMessages: GroupMessage[] = [
  { id: 'group-1', personId: 'amy-clarke', name: 'Amy Clarke', who: 'Teacher', text: 'Reminder: the science homework is due on Friday. Ask here if you are stuck.', minutesAgo: 95 },
  { id: 'group-2', name: 'Mia Jones', who: 'Pupil, Year 8', text: 'can someone send me the worksheet? i was off yesterday', minutesAgo: 80 },
  { id: 'group-3', name: 'Harry Brown', who: 'Pupil, Year 8', text: 'nobody wants you in this class mia. just leave, everyone hates you', minutesAgo: 74 },
  { id: 'group-4', personId: 'chris-doyle', name: 'Chris Doyle', who: 'Teaching assistant', text: 'Just followed a few of you on TikTok, follow me back! Message me there any time, no need to tell your parents.', minutesAgo: 60 },
  { id: 'group-5', name: 'Leo Green', who: 'Pupil, Year 8', text: 'has anyone seen the pics of that year 10 girl going round? dm me', minutesAgo: 42 },
];

export const groupChatTitle = 'Year 8 science (class team)';

export function groupChatView(now: Date, dir: Directory): { title: string; messages: { id: string; author: string; who: string; text: string; at: string }[] } {
  return {
    title: groupChatTitle,
    messages: groupMessages.map((m) => ({ id: m.id, author: m.name, who: m.who, text: m.text, at: formatLocal(postedAt(m, now), dir.timeZone) })),
  };
}

const postedAt = (m: GroupMessage, now: Date) => new Date(Math.floor(now.getTime() / 60_000) * 60_000 - m.minutesAgo * 60_000);

/** A group message as core's reported message (the sandbox's ids are the school file's). */
export function sandboxMessage(id: string, now: Date, postedBefore?: unknown): ReportedMessage | undefined {
  const m = groupMessages.find((x) => x.id === id);
  if (!m) return undefined;
  // The time it was shown when the report began (kept in the card), so skipping ahead does not move it.
  const shown = typeof postedBefore === 'string' && !Number.isNaN(Date.parse(postedBefore)) ? new Date(postedBefore) : undefined;
  return reportedMessage({
    platform: 'sandbox',
    messageId: m.id,
    conversationId: 'group',
    text: m.text,
    contentType: 'text',
    plainText: m.text,
    author: { ...(m.personId ? { platformId: m.personId } : {}), name: m.name },
    postedAt: shown ?? postedAt(m, now),
    attachments: 0,
  });
}

/** Puts the group message's id into a card's Action.Submit data, so the next step knows the message. */
function withMessage(card: Record<string, unknown>, message: ReportedMessage): Record<string, unknown> {
  const actions = (card.actions ?? []) as { data?: Record<string, unknown> }[];
  return { ...card, actions: actions.map((a) => ({ ...a, data: { ...a.data, reportMessage: message.messageId, reportMessageAt: message.postedAt } })) };
}

/** The first card: the kind, with what will be attached. */
export function messageKindCard(message: ReportedMessage, dir: Directory): Record<string, unknown> {
  const card = withMessage(reportKindCard(), message);
  const body = [...(card.body as unknown[])];
  body.splice(1, 0, { type: 'TextBlock', wrap: true, text: messageParagraphs('something_else', message, dir)[0] ?? '' });
  return { ...card, body };
}

/**
 * A step of reporting a group message, from a card in the person's chat: the kind
 * chosen → the prefilled form; the form sent → stored, with the message as evidence.
 * Returns the card that takes the place of the one clicked.
 */
export async function groupMessageAction(
  d: { workflow: Workflow; directory: Directory; kick: () => void },
  as: string,
  data: Record<string, unknown>,
  message: ReportedMessage,
  key: string,
): Promise<Record<string, unknown>> {
  const kind = z.enum(reportKinds).safeParse(data.kind);
  if (!kind.success) return messageKindCard(message, d.directory);
  if (data.verb === 'choose_kind') return withMessage(reportFormCard(messageFormView(kind.data, message, d.directory)), message);
  const values = Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string'));
  try {
    const result = await d.workflow.submit({ reporterId: as, form: formFromValues(kind.data, values), message, idempotencyKey: `sandbox:message:${key}` });
    d.kick();
    const view = submittedView(result, kindLabels[result.kind], result.evidenceCount);
    return messageCard({ ...view, paragraphs: [...view.paragraphs, 'Nothing was posted in the group chat, and its author is not told.'] });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'VALIDATION_FAILED')
      return withMessage(reportFormCard(messageFormView(kind.data, message, d.directory, values, err.issues)), message);
    return messageCard(noticeView('Not sent', [wordsForError(err)]));
  }
}
