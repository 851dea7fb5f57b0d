import { describe, expect, it } from 'vitest';
import { makeReportSchema } from '../../src/core/report-schemas.js';
import { dateOfBirthOf, reviewDate } from '../../src/core/retention.js';
import { formAnswers, formFields, formFromValues } from '../../src/views/report-forms.js';
import { demoSchool, example } from '../support/harness.js';

// The pupil's date of birth on the forms (issue 14, item 7): optional, a real date, not in
// the future, an age a pupil can have (2 to 25) on the day of the report; the review date
// is the pupil's 25th birthday.
const schema = makeReportSchema({ today: '2026-11-23' });
const friendRequest = (dob?: string) => ({ ...example(1).report, pupil: { name: 'Sam', yearGroup: 'Year 8', ...(dob === undefined ? {} : { dateOfBirth: dob }) } });
const issues = (form: unknown) => {
  const r = schema.safeParse(form);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('date of birth on the forms', () => {
  it('is optional, and kept with the form when given', () => {
    expect(issues(friendRequest())).toEqual([]);
    const r = schema.parse(friendRequest('2013-02-14')) as { pupil: { dateOfBirth?: string } };
    expect(r.pupil.dateOfBirth).toBe('2013-02-14');
  });

  it('refuses a date that is not real, in the future, or an age no pupil has, next to the field', () => {
    expect(issues(friendRequest('2013-02-30'))).toEqual([{ path: 'pupil.dateOfBirth', message: 'Please give the date of birth, e.g. 2014-05-31.' }]);
    expect(issues(friendRequest('14/02/2013'))).toEqual([{ path: 'pupil.dateOfBirth', message: 'Please give the date of birth, e.g. 2014-05-31.' }]);
    expect(issues(friendRequest('2027-01-01'))).toEqual([{ path: 'pupil.dateOfBirth', message: 'That date of birth is in the future.' }]);
    expect(issues(friendRequest('2025-06-01'))[0]?.message).toMatch(/an age a pupil cannot have \(2 to 25 years\)/);
    expect(issues(friendRequest('2000-11-23'))[0]?.path).toBe('pupil.dateOfBirth'); // 26 today
    expect(issues(friendRequest('2000-11-24'))).toEqual([]); // 25 until tomorrow
    expect(issues(friendRequest('2024-11-23'))).toEqual([]); // 2 today
  });

  it('is asked for the pupil a case is about on every form that names one, and only for a pupil', () => {
    const asked = Object.entries(formFields).flatMap(([kind, fields]) => fields.filter((f) => f.id.endsWith('.dateOfBirth')).map((f) => `${kind}:${f.id}:${f.kind}:${f.required}`));
    expect(asked).toEqual([
      'inappropriate_content:accessedBy.dateOfBirth:date:false',
      'cyberbullying:target.dateOfBirth:date:false',
      'friend_request:pupil.dateOfBirth:date:false',
      'extremism:concernAbout.dateOfBirth:date:false',
      'nude_images:pupil.dateOfBirth:date:false',
      'something_else:about.dateOfBirth:date:false',
    ]);
    const staffWithDob = formFromValues('extremism', { 'concernAbout.type': 'staff', 'concernAbout.dateOfBirth': '2012-01-01', 'occurred.date': '2026-11-20', description: 'x' });
    expect(issues(staffWithDob)).toEqual([{ path: 'concernAbout.dateOfBirth', message: 'A date of birth is asked only for a pupil: please leave it empty.' }]);
    const pupil = formFromValues('cyberbullying', { ...Object.fromEntries(Object.entries(example(5).report).filter(([k]) => typeof (example(5).report as Record<string, unknown>)[k] === 'string')), 'target.type': 'pupil', 'target.dateOfBirth': '2012-01-01' });
    expect((pupil.target as { dateOfBirth?: string }).dateOfBirth).toBe('2012-01-01');
  });

  it('sets the review date to the 25th birthday, and is shown in the answers', () => {
    const form = schema.parse(friendRequest('2012-02-29'));
    expect(dateOfBirthOf(form)).toBe('2012-02-29');
    expect(reviewDate({ submittedAt: '2026-11-23T10:00:00Z', dateOfBirth: dateOfBirthOf(form) }, 25)).toEqual({ date: '2037-03-01', basis: 'date_of_birth' });
    expect(dateOfBirthOf({ kind: 'inappropriate_content', accessedBy: { type: 'pupil', dateOfBirth: '2013-05-01' } })).toBe('2013-05-01');
    expect(dateOfBirthOf({ kind: 'something_else', about: { type: 'staff', dateOfBirth: '1980-05-01' } })).toBeUndefined();
    expect(formAnswers('friend_request', form as Record<string, unknown>, demoSchool.directory)).toContainEqual({ title: "Pupil's date of birth", value: 'Wed, 29 Feb 2012' });
  });
});
