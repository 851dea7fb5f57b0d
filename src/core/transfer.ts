import { randomInt } from 'node:crypto';
import { addWorkingMinutes, workingDayMinutes, type WorkingHours } from './working-time.js';

/**
 * Transfer (issue 14, item 7): a pupil's child-protection file goes to the next school
 * within five school days, and the receiving school confirms receipt with a code. The
 * deadline counts the school's working days (school file); a transfer not confirmed by
 * then is reminded to the DSL.
 */
export const transferSchoolDays = 5;

export function transferDueAt(sentAt: Date, wh: WorkingHours, timeZone: string): Date {
  return addWorkingMinutes(sentAt, transferSchoolDays * workingDayMinutes(wh), wh, timeZone);
}

// No 0/O, 1/I/L: read aloud over the phone between schools.
const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A receipt code like "TR-7KQ2-M9XA". */
export function newReceiptCode(): string {
  const part = () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `TR-${part()}-${part()}`;
}

export function normaliseReceiptCode(code: string): string {
  return code.trim().toUpperCase();
}

export interface TransferState {
  dueAt: string;
  confirmedAt?: string | undefined;
  remindedAt?: string | undefined;
}

/** Past its deadline, not confirmed, not yet reminded: the DSL is reminded now. */
export function transferNeedsReminder(t: TransferState, now: Date): boolean {
  return !t.confirmedAt && !t.remindedAt && new Date(t.dueAt).getTime() <= now.getTime();
}
