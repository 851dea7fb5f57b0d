import { formatLocal } from '../core/working-time.js';

/**
 * How View details labels a form's answers: short plain labels ("Accessed by", "When",
 * "Web addresses"), not the form's questions ("Who accessed it?", "Full web address(es),
 * one per line"), and dates in the one format every card uses ("Sat, 21 Nov 2026").
 */
const byId: Record<string, string> = {
  'occurred.date': 'When',
  'occurred.time': 'Time',
  urls: 'Web addresses',
  category: 'Kind of content',
  description: 'What happened',
  device: 'Device',
  location: 'Where',
  schoolDeviceOrNetwork: 'School device or network used',
  platform: 'App or website',
  where: 'Where it was posted',
  direction: 'Request sent by',
  accepted: 'Request accepted',
  familyLink: 'Family link declared',
  familyLinkDetails: 'The family link',
  involvesPupils: 'Pupils involved',
  whereShared: 'Where the images are being shared',
  'pupil.name': 'Pupil',
  'pupil.yearGroup': 'Year group',
  'pupil.dateOfBirth': "Pupil's date of birth",
};

const byPerson: Record<string, string> = {
  accessedBy: 'Accessed by',
  target: 'Targeted',
  responsible: 'Said to be responsible',
  staffMember: 'Member of staff',
  concernAbout: 'Concern about',
  author: 'Posted by',
  about: 'About',
};

/** The plain label of an answer in View details. */
export function answerLabel(field: { id: string; label: string }): string {
  const known = byId[field.id];
  if (known) return known;
  const [prefix, part] = field.id.split('.');
  const who = prefix ? byPerson[prefix] : undefined;
  if (who) return part === 'name' ? `${who} (name given)` : part === 'dateOfBirth' ? `${who}: date of birth` : who;
  return field.label.replace(/\?$/, '');
}

/** "Sat, 21 Nov 2026" for a form's "YYYY-MM-DD" (a calendar date: no time zone moves it). */
export function formatDay(date: string): string {
  const at = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(at.getTime())) return date;
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(at);
}

/** "Sat, 21 Nov 2026, 09:15" for a local "YYYY-MM-DDTHH:MM" (as forms and evidence give them): the format of formatLocal. */
export function formatLocalString(value: string): string {
  const at = new Date(`${value}:00Z`);
  return Number.isNaN(at.getTime()) ? value : formatLocal(at, 'UTC');
}
