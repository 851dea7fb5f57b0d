import { DomainError } from './errors.js';

/**
 * Retention (issue 14, item 7): when a case comes up for review, whether it may be
 * disposed of, and what its tombstone keeps. Pure: dates in, dates out.
 *
 * A child-protection file is kept until the pupil's 25th birthday; when the form holds no
 * date of birth, the school's rule (`retention.defaultYears` in the school file) counts
 * from the day the case was submitted.
 */
export const yearsAfterBirth = 25;

export interface RetentionFacts {
  submittedAt: string;
  /** "YYYY-MM-DD", from the form when it has one. */
  dateOfBirth?: string | undefined;
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

function addYears(date: string, years: number): string {
  const m = isoDate.exec(date);
  if (!m) throw new DomainError('VALIDATION_FAILED', 'not a date', [{ path: 'date', message: 'use YYYY-MM-DD' }]);
  const [y, mo, d] = [Number(m[1]) + years, Number(m[2]), Number(m[3])];
  // 29 February in a year without one: the review is on 1 March.
  const leapless = mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
  return `${String(y).padStart(4, '0')}-${leapless ? '03-01' : `${m[2]}-${m[3]}`}`;
}

/** The first day the case may be disposed of ("YYYY-MM-DD"), and what the date rests on. */
export function reviewDate(facts: RetentionFacts, defaultYears: number): { date: string; basis: 'date_of_birth' | 'school_rule' } {
  if (facts.dateOfBirth && isoDate.test(facts.dateOfBirth)) return { date: addYears(facts.dateOfBirth, yearsAfterBirth), basis: 'date_of_birth' };
  return { date: addYears(facts.submittedAt.slice(0, 10), defaultYears), basis: 'school_rule' };
}

/**
 * The date of birth a form gives for the pupil the case is about: the pupil part
 * (friend request, nude images), or the person accessed by, targeted, or the concern is
 * about, when that is a pupil. The person responsible and the author of a post are not
 * whom the file is kept for.
 */
export function dateOfBirthOf(form: unknown): string | undefined {
  const f = (form ?? {}) as Record<string, unknown>;
  for (const part of [f.pupil, f.accessedBy, f.target, f.concernAbout, f.about]) {
    const p = part as Record<string, unknown> | undefined;
    if (p?.type !== undefined && p.type !== 'pupil') continue;
    const dob = p?.dateOfBirth;
    if (typeof dob === 'string' && isoDate.test(dob)) return dob;
  }
  return undefined;
}

export interface DisposalCandidate {
  status: 'open' | 'acknowledged' | 'closed';
  reviewDate: string;
  held: boolean;
}

/**
 * Why a case may not be disposed of today ("YYYY-MM-DD", in the school's time zone), or
 * nothing: an open case, a legal hold, or a review date still to come stop it.
 */
export function disposalRefusal(c: DisposalCandidate, today: string): DomainError | undefined {
  if (c.held) return new DomainError('LEGAL_HOLD', 'the case is under a legal hold');
  if (c.status !== 'closed') return new DomainError('NOT_CLOSED', 'the case is still open');
  if (c.reviewDate > today) return new DomainError('NOT_DUE', `the case is kept until ${c.reviewDate}`);
  return undefined;
}

/** A reason is required for a hold, its lifting and a disposal: short, trimmed, no more than 500 characters. */
export function requireReason(reason: string | undefined): string {
  const r = (reason ?? '').trim();
  if (!r) throw new DomainError('REASON_REQUIRED', 'a reason is required', [{ path: 'reason', message: 'Please give a reason.' }]);
  if (r.length > 500) throw new DomainError('TEXT_TOO_LONG', 'the reason is too long', [{ path: 'reason', message: 'At most 500 characters.' }]);
  return r;
}

/** Holds, their lifting and disposals are the DSL's (the school file's role "dsl"). */
export function requireDsl(roles: readonly string[]): void {
  if (!roles.includes('dsl')) throw new DomainError('FORBIDDEN', 'only the DSL holds, releases or disposes of cases');
}
