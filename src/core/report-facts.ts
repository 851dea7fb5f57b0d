import type { Fact } from './policy-schema.js';
import type { ReportForm } from './report-schemas.js';
import type { Directory } from './school.js';

export interface ReportFacts {
  facts: Set<Fact>;
  /** Directory ids (or chat ids) of the people the report is about (G1). */
  subjects: string[];
  /** URLs an ICT technician would block (R7). */
  urls: string[];
}

interface NamedRef {
  personId?: string | undefined;
  name?: string | undefined;
}

/**
 * Who a reference names: the chosen person, and anyone in the school file whose name
 * matches what was typed. A typed name that matches a colleague counts, whatever type
 * was chosen: G1 errs towards not telling someone who may be the subject.
 */
function namedPeople(ref: NamedRef | undefined, dir: Directory): string[] {
  if (!ref) return [];
  const ids = new Set<string>();
  if (ref.personId) ids.add(ref.personId);
  if (ref.name) for (const p of dir.matchName(ref.name)) ids.add(p.id);
  return [...ids];
}

/** Derives the policy's facts and the report's subjects from a validated form. */
export function deriveFacts(form: ReportForm, dir: Directory): ReportFacts {
  const facts = new Set<Fact>();
  const subjects = new Set<string>();
  let urls: string[] = [];

  /** A subject field: whoever it names is a subject; if they are staff, it is a staff concern. */
  const subject = (ref: NamedRef | undefined, isStaff: boolean) => {
    const ids = namedPeople(ref, dir);
    for (const id of ids) subjects.add(id);
    const headteacher = ids.some((id) => dir.rolesOf(id).includes('headteacher'));
    if (headteacher) facts.add('headteacher_concern');
    else if (isStaff) facts.add('staff_concern');
  };

  switch (form.kind) {
    case 'inappropriate_content':
      subject(form.accessedBy, form.accessedBy.type === 'staff');
      if (form.accessedBy.type === 'pupil') facts.add('pupil_concern');
      if (form.schoolDeviceOrNetwork) facts.add('school_device_or_network');
      if (form.category === 'extremist') facts.add('extremism');
      if (form.category === 'illegal') facts.add('illegal_content');
      urls = form.urls;
      break;
    case 'cyberbullying':
      subject(form.responsible, form.responsible.type === 'staff');
      if (form.target.type === 'pupil' || form.responsible.type === 'pupil') facts.add('pupil_concern');
      if (form.target.type === 'staff') facts.add('staff_victim');
      if (form.responsible.type === 'parent') facts.add('parent_responsible');
      break;
    case 'friend_request':
      if (form.direction === 'pupil_to_staff') facts.add('friend_request_from_pupil');
      else {
        facts.add('friend_request_to_pupil');
        // The staff member who sent it is the subject; R5 (not R2) is the rule for it.
        subject(form.staffMember, false);
      }
      if (form.familyLink) facts.add('family_link_declared');
      break;
    case 'staff_conduct':
      subject(form.staffMember, true);
      break;
    case 'extremism':
      facts.add('extremism');
      subject(form.concernAbout, form.concernAbout.type === 'staff');
      if (form.concernAbout.type === 'pupil') facts.add('pupil_concern');
      urls = form.urls;
      break;
    case 'nude_images':
      facts.add('nude_images');
      break;
    case 'reputation':
      facts.add('reputation');
      subject(form.author, form.author.type === 'staff');
      if (form.author.type === 'parent') facts.add('parent_responsible');
      if (form.author.type === 'pupil') facts.add('pupil_concern');
      break;
    case 'something_else':
      if (form.about) {
        subject(form.about, form.about.type === 'staff');
        if (form.about.type === 'pupil') facts.add('pupil_concern');
      }
      break;
  }
  return { facts, subjects: [...subjects], urls };
}
