import { DomainError, type FieldIssue } from './errors.js';

/**
 * The longest free text core stores, one number per kind of text, shared by the form
 * schemas, the workflow and every form input's maxLength (so a chat client stops the
 * typing where core would refuse it). No text input is longer than 3,000 characters:
 * Slack's plain-text input takes no more, and the same report must be possible in
 * every channel.
 */
export const textLimits = {
  /** Slack's plain_text_input max_length: no form input is longer. */
  input: 3000,
  /** A form's long answer ("what happened", "what was it"). */
  description: 3000,
  /** The nude-images form's "what you know" (kept short on purpose). */
  nudeImagesDescription: 2000,
  /** A family link, explained. */
  familyLinkDetails: 1000,
  /** Where something was posted or shared: a web address, group or account name. */
  where: 500,
  /** Names, platforms, devices, places. */
  short: 200,
  /** A year group. */
  yearGroup: 40,
  /** One web address. */
  url: 2000,
  /** How many web addresses a form takes. */
  urlCount: 20,
  /** All the web addresses of a form, one per line, as typed. */
  urlList: 3000,
  /** The reason for a decision (G4). */
  decisionReason: 2000,
  /** What the ICT technician did. */
  ictAction: 2000,
  /** The reason a report was closed (G5). */
  closeReason: 2000,
  /** A note added to a report. */
  note: 2000,
  /** An external reference recorded with a note or action (a social care or police reference). */
  externalRef: 200,
} as const;

/** How many characters text has, counted as the form schemas count them (an emoji is one). */
export const charCount = (text: string): number => Array.from(text).length;

/** A field issue when `text` is longer than `max`, in words a teacher understands. */
export function tooLongIssue(path: string, text: string, max: number): FieldIssue | undefined {
  const n = charCount(text);
  return n > max ? { path, message: `Please keep this under ${max.toLocaleString('en-GB')} characters (it has ${n.toLocaleString('en-GB')}).` } : undefined;
}

/** Refuses text longer than `max` with TEXT_TOO_LONG and the message next to its field. */
export function assertLength(path: string, text: string, max: number): void {
  const issue = tooLongIssue(path, text, max);
  if (issue) throw new DomainError('TEXT_TOO_LONG', `${path} is longer than ${max} characters`, [issue]);
}
