import { DomainError, type ErrorCode } from '../core/errors.js';
import { nudeImageGuidance } from '../core/report-schemas.js';

/**
 * Core's error codes in words for school staff: the one place every channel takes them
 * from. Anything that is not a DomainError is an internal fault: the person is told it
 * was not saved and to try again; the details go to the log, never to the chat.
 */
const words: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Some answers need another look: see the messages next to the fields.',
  NOT_FOUND: 'I cannot find that report.',
  FORBIDDEN: 'Only the people this report was sent to can do that. The attempt has been recorded.',
  ALREADY_DONE: 'Someone has already done this.',
  REASON_REQUIRED: 'Please give the reason.',
  TEXT_TOO_LONG: 'That is too long to keep: please shorten it.',
  INVALID_CHOICE: 'Please choose one of the options.',
  DUTIES_PENDING: 'The report cannot be closed yet: a decision or task is still open.',
  REPORT_CLOSED: 'This report is closed.',
  NOT_CLOSED: 'This report is not closed, so there is nothing to reopen.',
  EVIDENCE_NOT_ALLOWED: `This kind of report takes no files. ${nudeImageGuidance.join(' ')}`,
  EVIDENCE_TYPE: 'I can only keep screenshots and documents as PNG, JPEG, GIF, WebP or PDF files.',
  EVIDENCE_TOO_LARGE: 'That file is too large to keep.',
  EVIDENCE_TOO_MANY: 'This report already has as many files as it can take.',
  CONFIG_INVALID: 'The bot is not set up correctly. Please tell the school IT administrator.',
  POLICY_INVALID: 'The bot is not set up correctly. Please tell the school IT administrator.',
  LEGAL_HOLD: 'This case is under a legal hold, so it cannot be disposed of. The DSL can lift the hold, with a reason.',
  NOT_DUE: 'This case is not yet due for review, so it cannot be disposed of.',
  TOO_MANY_REPORTS:
    'You have sent a lot of reports in the last few minutes, so I have paused new ones from you for a little while. Every report you already sent is saved and has gone to the right people. If something is urgent, tell the DSL in person or by phone now.',
};

const internalErrorWords = 'Something went wrong and it was not saved. Please try again; if it keeps happening, tell the DSL in person.';

/** The words for an error; field messages from core (already written for people) are added when there are some. */
export function wordsForError(err: unknown): string {
  if (!(err instanceof DomainError)) return internalErrorWords;
  if ((err.code === 'REASON_REQUIRED' || err.code === 'INVALID_CHOICE' || err.code === 'TEXT_TOO_LONG') && err.issues.length > 0)
    return err.issues.map((i) => i.message).join(' ');
  return words[err.code];
}
