import type { Fact } from './policy-schema.js';
import type { ReportForm } from './report-schemas.js';
import type { Directory } from './school.js';
import { applySubjectCheck, type SubjectCheck } from './subject-check.js';

export interface ReportFacts {
  facts: Set<Fact>;
  /** Directory ids (or chat ids) of the people the report is about (G1): picked, confirmed, or possibly meant. */
  subjects: string[];
  /** The subjects who are only possibly meant: a typed name that could be theirs (no pick, no confirmation). */
  possibleSubjects: string[];
  /** URLs an ICT technician would block (R7). */
  urls: string[];
}

interface NamedRef {
  personId?: string | undefined;
  name?: string | undefined;
}

/** The form's subject field: who the report is about, and whether that makes it a concern about staff. */
export interface SubjectRef {
  ref: NamedRef;
  /** A named member of staff makes it a staff concern (R2); not for a friend request (R5 is its rule). */
  staffConcern: boolean;
  /** The reporter said the person is a member of staff. */
  staffType: boolean;
}

export function subjectRefOf(form: ReportForm): SubjectRef | undefined {
  switch (form.kind) {
    case 'inappropriate_content':
      return { ref: form.accessedBy, staffConcern: form.accessedBy.type === 'staff', staffType: form.accessedBy.type === 'staff' };
    case 'cyberbullying':
      return { ref: form.responsible, staffConcern: form.responsible.type === 'staff', staffType: form.responsible.type === 'staff' };
    case 'friend_request':
      // The staff member who sent it is the subject; R5 (not R2) is the rule for it.
      return form.direction === 'staff_to_pupil' ? { ref: form.staffMember, staffConcern: false, staffType: true } : undefined;
    case 'staff_conduct':
      return { ref: form.staffMember, staffConcern: true, staffType: true };
    case 'extremism':
      return { ref: form.concernAbout, staffConcern: form.concernAbout.type === 'staff', staffType: form.concernAbout.type === 'staff' };
    case 'reputation':
      return { ref: form.author, staffConcern: form.author.type === 'staff', staffType: form.author.type === 'staff' };
    case 'something_else':
      return form.about ? { ref: form.about, staffConcern: form.about.type === 'staff', staffType: form.about.type === 'staff' } : undefined;
    case 'nude_images':
      return undefined;
  }
}

/**
 * Derives the policy's facts and the report's subjects from a validated form and the
 * reporter's answer to "Is this about one of these people?" (if they were asked).
 * G1 errs towards not telling: a typed name names everyone it could mean
 * (name-matching.ts), whatever type was chosen; only a weak match (a first name alone)
 * is dismissed by the reporter's answer.
 */
export function deriveFacts(form: ReportForm, dir: Directory, check?: SubjectCheck): ReportFacts {
  const facts = new Set<Fact>();
  let urls: string[] = [];

  const s = subjectRefOf(form);
  const named = s ? applySubjectCheck(s.ref, dir, check) : { certain: [], possible: [], adultsNamed: [] };
  const subjects = [...new Set([...named.certain, ...named.possible])];
  if (s) {
    // Facts follow the people certainly meant, and a typed name read as staff: said to be staff, with a title, or the full name.
    const meant = s.staffType ? subjects : [...named.certain, ...named.adultsNamed];
    const headteacher = meant.some((id) => dir.rolesOf(id).includes('headteacher'));
    if (headteacher) facts.add('headteacher_concern');
    else if (s.staffConcern) facts.add('staff_concern');
  }

  switch (form.kind) {
    case 'inappropriate_content':
      if (form.accessedBy.type === 'pupil') facts.add('pupil_concern');
      if (form.schoolDeviceOrNetwork) facts.add('school_device_or_network');
      if (form.category === 'extremist') facts.add('extremism');
      if (form.category === 'illegal') facts.add('illegal_content');
      urls = form.urls;
      break;
    case 'cyberbullying':
      if (form.target.type === 'pupil' || form.responsible.type === 'pupil') facts.add('pupil_concern');
      if (form.target.type === 'staff') facts.add('staff_victim');
      if (form.responsible.type === 'parent') facts.add('parent_responsible');
      break;
    case 'friend_request':
      facts.add(form.direction === 'pupil_to_staff' ? 'friend_request_from_pupil' : 'friend_request_to_pupil');
      if (form.familyLink) facts.add('family_link_declared');
      break;
    case 'staff_conduct':
      break;
    case 'extremism':
      facts.add('extremism');
      if (form.concernAbout.type === 'pupil') facts.add('pupil_concern');
      urls = form.urls;
      break;
    case 'nude_images':
      facts.add('nude_images');
      break;
    case 'reputation':
      facts.add('reputation');
      if (form.author.type === 'parent') facts.add('parent_responsible');
      if (form.author.type === 'pupil') facts.add('pupil_concern');
      break;
    case 'something_else':
      if (form.about?.type === 'pupil') facts.add('pupil_concern');
      break;
  }
  const certain = new Set(named.certain);
  return { facts, subjects, possibleSubjects: subjects.filter((id) => !certain.has(id)), urls };
}
