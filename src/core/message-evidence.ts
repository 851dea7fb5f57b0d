import { z } from 'zod';
import { createHash } from 'node:crypto';
import { canonicalJson } from './audit-chain.js';
import { DomainError } from './errors.js';
import { toFieldIssues } from './issues.js';
import { acceptsEvidence, type ReportKind } from './report-schemas.js';
import type { Directory } from './school.js';

/**
 * "Report this message" (issue 13): the message a report was made from, as evidence.
 * The platform's own text, author, time and link are kept with the report, sealed like
 * the form; its attachments come in as screenshots do (checked, hashed, stored).
 *
 * - G1: the author, when they are a person in the school file (by their platform id, or
 *   by their name), is a subject of the report: never told, skipped by routing, cannot view.
 * - G2: for the nude-images kind nothing of the message is kept: only that a message
 *   was reported, where it is (its link) and when it was posted.
 * - Only the reported message: never the conversation around it.
 */

/** The most characters of a message's text kept (Teams allows about 28 KB; Slack 40,000 characters). */
export const messageTextLimit = 40_000;

const line = (max: number) => z.string().trim().max(max);

/** A message as a channel read it from the platform's payload (never typed by the reporter). */
export const reportedMessageSchema = z.strictObject({
  platform: z.enum(['teams', 'slack', 'sandbox']),
  /** The platform's id of the message (Teams message id, Slack ts, sandbox message id). */
  messageId: line(200).min(1),
  /** The chat, channel or conversation it was posted in (an id, never a name). */
  conversationId: line(300).optional(),
  /** The text as sent: Teams HTML, Slack mrkdwn, or plain text. */
  text: z.string().max(messageTextLimit).default(''),
  contentType: z.enum(['html', 'mrkdwn', 'text']).default('text'),
  /** The same text as plain text, as a person reads it. */
  plainText: z.string().max(messageTextLimit).default(''),
  author: z.strictObject({
    /** The author's platform id (Teams: the Entra object id or 29: id; Slack: the member id). */
    platformId: line(200).optional(),
    name: line(200).optional(),
  }),
  postedAt: z.iso.datetime({ offset: true }),
  /** A link that opens the message in Teams or Slack. */
  link: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  /** How many attachments or files the message carried (they come in as evidence uploads). */
  attachments: z.number().int().min(0).max(100).default(0),
});
export type ReportedMessage = z.output<typeof reportedMessageSchema>;

/** The message read at the edge of core: a problem is a 400-style DomainError, never a crash. */
export function readReportedMessage(raw: unknown): ReportedMessage | undefined {
  if (raw === undefined || raw === null) return undefined;
  const parsed = reportedMessageSchema.safeParse(raw);
  if (!parsed.success)
    throw new DomainError('VALIDATION_FAILED', 'the reported message is not valid', toFieldIssues(parsed.error).map((i) => ({ path: `message.${i.path}`, message: i.message })));
  return parsed.data;
}

/** The platform's channel name for a directory lookup (the sandbox uses the school file's ids). */
const identityChannel = (p: ReportedMessage['platform']) => p;

/**
 * G1: the people in the school file the author is. By platform id the author is
 * certain; by name (when the id is not in the file) every person the name could mean
 * is a possible subject, as for a typed name (errs towards not telling).
 */
export function messageAuthors(message: ReportedMessage, dir: Directory): { certain: string[]; possible: string[] } {
  const { platformId, name } = message.author;
  if (platformId) {
    const id = dir.resolveIdentity({ channel: identityChannel(message.platform), userId: platformId });
    if (dir.has(id)) return { certain: [id], possible: [] };
  }
  const possible = name ? [...new Set(dir.matchName(name).map((m) => m.personId))] : [];
  return { certain: [], possible };
}

/** The author as a person in the school file, when they certainly are one (for prefilling a form). */
export function authorPersonId(message: ReportedMessage, dir: Directory): string | undefined {
  return messageAuthors(message, dir).certain[0];
}

/** The evidence type of a reported message: a sealed JSON file beside the screenshots. */
export const messageMediaType = 'application/vnd.safeguarding-bot.message+json';

/** What is kept of a reported message: the file's content (canonical JSON, sealed at rest like every evidence file). */
export interface KeptMessage {
  /** Absent for the nude-images kind (G2): nothing of the message is kept. */
  file?: { bytes: Uint8Array; sha256: string; size: number };
  postedAt: string;
}

/** What is kept of the message for a report of this kind (G2: nothing of it for nude images). */
export function keptMessage(kind: ReportKind, message: ReportedMessage, dir: Directory): KeptMessage {
  const postedAt = new Date(message.postedAt).toISOString();
  if (!acceptsEvidence(kind)) return { postedAt };
  const content = {
    type: 'reported_message',
    platform: message.platform,
    messageId: message.messageId,
    ...(message.conversationId ? { conversationId: message.conversationId } : {}),
    ...(message.link ? { link: message.link } : {}),
    postedAt,
    text: message.text,
    contentType: message.contentType,
    plainText: message.plainText || message.text,
    author: {
      ...(authorPersonId(message, dir) ? { personId: authorPersonId(message, dir) } : {}),
      ...(message.author.platformId ? { platformId: message.author.platformId } : {}),
      ...(message.author.name ? { name: message.author.name } : {}),
    },
    attachments: message.attachments,
  };
  const bytes = new TextEncoder().encode(canonicalJson(content));
  return { file: { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length }, postedAt };
}

/** A kept message file read back (the shape `keptMessage` writes). */
export const keptMessageSchema = z.looseObject({
  type: z.literal('reported_message'),
  platform: z.enum(['teams', 'slack', 'sandbox']),
  postedAt: z.string(),
  link: z.string().optional(),
  plainText: z.string(),
  author: z.looseObject({ name: z.string().optional() }),
  attachments: z.number(),
});

/** The evidence row's file name for a kept message (sealed at rest like every file name). */
export function messageFileName(message: ReportedMessage): string {
  const where = { teams: 'Teams', slack: 'Slack', sandbox: 'sandbox chat' }[message.platform];
  return `Reported ${where} message${message.author.name ? ` from ${message.author.name}` : ''}`.slice(0, 255);
}

/**
 * The audit entry's details: who reported which message (ids) and when it was posted,
 * where it is (its link), and the hashes of what was kept; never its text or the author's name.
 */
export function messageAuditDetails(message: ReportedMessage, kept: KeptMessage, evidenceSha256: string[]): Record<string, unknown> {
  return {
    platform: message.platform,
    messageId: message.messageId,
    ...(message.conversationId ? { conversationId: message.conversationId } : {}),
    ...(message.link ? { link: linkForRecord(message.link) } : {}),
    postedAt: kept.postedAt,
    kept: kept.file ? 'message' : 'reference_only',
    ...(kept.file ? { messageSha256: kept.file.sha256 } : {}),
    evidenceSha256,
  };
}

/** The parameters of a message link that are ids (Teams adds team and channel names, which the audit log never keeps). */
const idParams = new Set(['tenantId', 'groupId', 'parentMessageId', 'createdTime']);

/** A message's link for the audit log: its address and id parameters only, no names. */
export function linkForRecord(link: string): string {
  const url = new URL(link);
  for (const key of [...url.searchParams.keys()]) if (!idParams.has(key)) url.searchParams.delete(key);
  url.hash = '';
  return url.toString();
}
