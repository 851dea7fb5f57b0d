import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from './errors.js';
import { subjectRefOf } from './report-facts.js';
import type { ReportForm } from './report-schemas.js';
import type { Directory } from './school.js';

/**
 * "Is this about one of these people?" (G1, the confirm step). When the name typed in a
 * report's subject field could be someone in the school file, the channels ask the
 * reporter before the report is sent; the answer is submitted with the form.
 *
 * - A person chosen is certainly a subject (as if picked from the list).
 * - "None of them" dismisses weak matches only (a first name alone). A full name, an
 *   alias, or a surname with or without a title or initial stays a possible subject:
 *   the reporter may be wrong, a wrong skip costs little, telling the subject costs a lot.
 * - Not asked (an older card, the API): every match counts.
 */
export const subjectCheckSchema = z.discriminatedUnion('answer', [
  z.strictObject({ answer: z.literal('none') }),
  z.strictObject({ answer: z.literal('person'), personId: z.string().trim().min(1).max(100) }),
]);
export type SubjectCheck = z.infer<typeof subjectCheckSchema>;

export interface SubjectCandidate {
  personId: string;
  name: string;
  /** "None of them" takes this person out (a first name alone); else they stay a possible subject. */
  dismissable: boolean;
}

interface NamedRef {
  personId?: string | undefined;
  name?: string | undefined;
}

/** The people a subject field's typed name could mean, beyond the person picked from the list. */
export function candidatesFor(ref: NamedRef | undefined, dir: Directory): SubjectCandidate[] {
  if (!ref?.name) return [];
  return dir
    .matchName(ref.name)
    .filter((m) => m.personId !== ref.personId)
    .map((m) => ({ personId: m.personId, name: dir.displayName(m.personId), dismissable: m.strength === 'weak' }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
}

/** Who a subject field names, once the reporter's answer (if any) is taken into account. */
export function applySubjectCheck(
  ref: NamedRef,
  dir: Directory,
  check: SubjectCheck | undefined,
): { certain: string[]; possible: string[]; adultsNamed: string[] } {
  const certain = new Set<string>();
  if (ref.personId) certain.add(ref.personId);
  const matches = ref.name ? dir.matchName(ref.name) : [];
  if (check?.answer === 'person' && matches.some((m) => m.personId === check.personId)) certain.add(check.personId);
  const possible = matches
    .filter((m) => !certain.has(m.personId))
    .filter((m) => m.strength === 'strong' || check === undefined)
    .map((m) => m.personId);
  const adultsNamed = matches
    .filter((m) => possible.includes(m.personId) && (m.titled || m.how === 'full_name' || m.how === 'alias' || m.how === 'title_first_name'))
    .map((m) => m.personId);
  return { certain: [...certain], possible, adultsNamed };
}

/** What the audit log keeps of the answer: counts, never names or ids. */
export function subjectCheckRecord(candidates: SubjectCandidate[], check: SubjectCheck | undefined): Record<string, unknown> {
  return {
    candidates: candidates.length,
    answer: check ? check.answer : 'not_asked',
    dismissed: check && candidates.length > 0
      ? candidates.filter((c) => c.dismissable && !(check.answer === 'person' && check.personId === c.personId)).length
      : 0,
  };
}

/**
 * The answer as a channel's choice value: "person:<id>", or "none:" with a short hash of
 * the candidates' ids, so that a "none" given for other candidates (the name was changed
 * since) is asked again, and the value stays short (Slack takes 150 characters).
 */
export function checkChoiceValue(choice: { personId: string } | { none: SubjectCandidate[] }): string {
  if ('personId' in choice) return `person:${choice.personId}`;
  const ids = choice.none.map((c) => c.personId).sort().join('\n');
  return `none:${createHash('sha256').update(ids).digest('hex').slice(0, 16)}`;
}

/** A channel's choice value read back against the current candidates; undefined means "ask (again)". */
export function readCheckChoice(value: unknown, candidates: SubjectCandidate[]): SubjectCheck | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.startsWith('person:')) {
    const personId = value.slice('person:'.length);
    return candidates.some((c) => c.personId === personId) ? { answer: 'person', personId } : undefined;
  }
  if (value === checkChoiceValue({ none: candidates })) return { answer: 'none' };
  return undefined;
}

/** The candidates of a validated form (the subject field's typed name). */
export function subjectCandidates(form: ReportForm, dir: Directory): SubjectCandidate[] {
  return candidatesFor(subjectRefOf(form)?.ref, dir);
}

/**
 * The reporter's answer checked against the form: a person not among the candidates is
 * a mistake next to the question (VALIDATION_FAILED), never silently ignored.
 */
export function subjectCheckFor(form: ReportForm, dir: Directory, raw: unknown): { candidates: SubjectCandidate[]; answer?: SubjectCheck } {
  const candidates = subjectCandidates(form, dir);
  if (raw === undefined || raw === null) return { candidates };
  const parsed = subjectCheckSchema.safeParse(raw);
  if (!parsed.success || (parsed.data.answer === 'person' && !candidates.some((c) => c.personId === (parsed.data as { personId: string }).personId)))
    throw new DomainError('VALIDATION_FAILED', 'the answer about who the report is about does not fit the form', [
      { path: 'subjectCheck', message: 'Please choose one of these people, or "None of them".' },
    ]);
  return { candidates, answer: parsed.data };
}
