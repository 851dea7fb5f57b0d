import { randomUUID } from 'node:crypto';
import { convert } from 'html-to-text';
import { authorPersonId, messageTextLimit, type ReportedMessage, reportedMessageSchema } from '../core/message-evidence.js';
import { acceptsEvidence, type ReportKind } from '../core/report-schemas.js';
import type { Directory } from '../core/school.js';
import { formatLocal, localDate, localDateTime } from '../core/working-time.js';
import type { FieldIssue } from '../core/errors.js';
import { formView, type FormView } from '../views/report-forms.js';

/**
 * "Report this message", the same in every channel: a platform's message (read by the
 * channel from its own payload) as core's `ReportedMessage`, the report form prefilled
 * from it, and the words the form says about it. The channels fetch attachments only
 * for kinds that take files (G2) and never post in the conversation the message came from.
 */

const platformWords: Record<ReportedMessage['platform'], string> = { teams: 'Microsoft Teams', slack: 'Slack', sandbox: 'The sandbox group chat' };

/** Teams HTML as a person reads it (mentions, links and line breaks kept as words). */
export function htmlToPlainText(html: string): string {
  return convert(html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { hideLinkHrefIfSameAsText: true } }] }).trim();
}

/** Slack mrkdwn as plain text: <@U1|name>, <#C1|name>, <url|text> and the escapes read as words. */
export function mrkdwnToPlainText(text: string): string {
  return text
    .replace(/<([@#!][^>|]*)\|([^>]*)>/g, (_m, _id: string, label: string) => (_id.startsWith('#') ? `#${label}` : `@${label}`))
    .replace(/<(https?:[^>|]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Builds core's message from a channel's reading of it: cut to core's limit, checked. */
export function reportedMessage(m: {
  platform: ReportedMessage['platform'];
  messageId: string;
  conversationId?: string | undefined;
  text: string;
  contentType: ReportedMessage['contentType'];
  plainText: string;
  author: { platformId?: string | undefined; name?: string | undefined };
  postedAt: Date;
  link?: string | undefined;
  attachments: number;
}): ReportedMessage {
  const cut = (s: string) => s.slice(0, messageTextLimit);
  const link = m.link && URL.canParse(m.link) && /^https?:$/.test(new URL(m.link).protocol) && m.link.length <= 2000 ? m.link : undefined;
  return reportedMessageSchema.parse({
    platform: m.platform,
    messageId: m.messageId.slice(0, 200),
    ...(m.conversationId ? { conversationId: m.conversationId.slice(0, 300) } : {}),
    text: cut(m.text),
    contentType: m.contentType,
    plainText: cut(m.plainText),
    author: {
      ...(m.author.platformId ? { platformId: m.author.platformId.slice(0, 200) } : {}),
      ...(m.author.name?.trim() ? { name: m.author.name.trim().slice(0, 200) } : {}),
    },
    postedAt: (Number.isNaN(m.postedAt.getTime()) ? new Date(0) : m.postedAt).toISOString(),
    ...(link ? { link } : {}),
    attachments: Math.min(100, m.attachments),
  });
}

/** The form's subject field for each kind: who the message's author is in that form. */
const authorField: Partial<Record<ReportKind, string>> = {
  cyberbullying: 'responsible',
  staff_conduct: 'staffMember',
  reputation: 'author',
  extremism: 'concernAbout',
  something_else: 'about',
};

/**
 * The form's answers the message gives: when it was posted, the platform, where, and
 * its author as the person the concern is about (picked from the school's list when
 * they are in it). G2: the nude-images form takes only the date and the platform.
 */
export function prefillFromMessage(kind: ReportKind, message: ReportedMessage, dir: Directory): Record<string, string> {
  const posted = new Date(message.postedAt);
  const [date, time] = localDateTime(posted, dir.timeZone).split('T');
  const values: Record<string, string> = { 'occurred.date': date ?? localDate(posted, dir.timeZone), 'occurred.time': time ?? '' };
  if (kind === 'nude_images') return { ...values, whereShared: platformWords[message.platform] };
  if (kind === 'cyberbullying' || kind === 'reputation') {
    values.platform = platformWords[message.platform];
    values.where = message.link && message.link.length <= 500 ? message.link : platformWords[message.platform];
  }
  if (kind === 'staff_conduct') values.platform = platformWords[message.platform];
  const field = authorField[kind];
  if (field) {
    const personId = authorPersonId(message, dir);
    if (personId) {
      values[`${field}.personId`] = personId;
      if (kind !== 'staff_conduct') values[`${field}.type`] = 'staff';
    }
    // "Who is it about?" is optional for something else: a name alone would make its type required.
    if (message.author.name && (personId || kind !== 'something_else')) values[`${field}.name`] = message.author.name.slice(0, 200);
  }
  return values;
}

/** What the form says about the message it was opened from. */
export function messageParagraphs(kind: ReportKind, message: ReportedMessage, dir: Directory): string[] {
  const when = formatLocal(new Date(message.postedAt), dir.timeZone);
  if (!acceptsEvidence(kind))
    return [`Reporting a message posted ${when}. For this kind of report nothing of the message is kept or fetched: only that a message was reported, where it is and when it was posted.`];
  const who = message.author.name ? ` from ${message.author.name}` : '';
  const files = message.attachments > 0 ? ` and its ${message.attachments} attachment${message.attachments === 1 ? '' : 's'}` : '';
  return [
    `Reporting the message${who}, posted ${when}. Its text, author, time and link${files} are attached to the report as evidence; nothing else from the conversation is taken, and its author is never told.`,
    'Say below what worries you about it.',
  ];
}

/** The report form for a kind, opened from a message: prefilled, with the message described first. */
export function messageFormView(kind: ReportKind, message: ReportedMessage, dir: Directory, values?: Record<string, string>, issues: FieldIssue[] = []): FormView {
  const view = formView(kind, dir, values ?? prefillFromMessage(kind, message, dir), issues);
  return { ...view, paragraphs: [...messageParagraphs(kind, message, dir), ...view.paragraphs.filter((p) => !p.startsWith('After you send this'))] };
}

/**
 * Messages being reported, held in memory only between opening the form and sending it
 * (never on disk: if the reporter then chooses the nude-images kind, nothing of it was
 * kept, G2). Held for an hour; a restart loses them and the reporter is asked to start again.
 */
export class MessageDrafts<T> {
  private readonly drafts = new Map<string, { value: T; owner: string; at: number }>();
  constructor(
    private readonly clock: () => Date,
    private readonly ttlMs = 60 * 60_000,
  ) {}

  put(owner: string, value: T): string {
    this.sweep();
    const key = randomUUID();
    this.drafts.set(key, { value, owner, at: this.clock().getTime() });
    return key;
  }

  /** The draft, only for the person who opened it. */
  get(key: unknown, owner: string): T | undefined {
    this.sweep();
    const d = typeof key === 'string' ? this.drafts.get(key) : undefined;
    return d && d.owner === owner ? d.value : undefined;
  }

  delete(key: string): void {
    this.drafts.delete(key);
  }

  private sweep(): void {
    const now = this.clock().getTime();
    for (const [k, d] of this.drafts) if (now - d.at > this.ttlMs || now < d.at - this.ttlMs) this.drafts.delete(k);
  }
}

export const messageGoneWords =
  'That form has expired, so nothing was sent. Please report the message again from its menu. If it is urgent, tell the DSL in person or by phone now.';
