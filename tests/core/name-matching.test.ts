import { describe, expect, it } from 'vitest';
import { NameIndex, nameTokens } from '../../src/core/name-matching.js';
import { readCheckChoice, checkChoiceValue, subjectCandidates } from '../../src/core/subject-check.js';
import { makeReportSchema } from '../../src/core/report-schemas.js';
import { everyoneReached, route } from '../../src/core/policy-engine.js';
import { Directory, schoolConfigSchema } from '../../src/core/school.js';
import { demoSchool } from '../support/harness.js';

const people = [
  { id: 'alex-morgan', name: 'Alex Morgan' },
  { id: 'jo-patel', name: 'Jo Patel', aliases: ['Joanna Smith', 'Jojo'] },
  { id: 'raj-patel', name: 'Raj Patel' },
  { id: 'sam-okafor', name: 'Sam Okafor' },
  { id: 'sam-lee', name: 'Sam Lee' },
  { id: 'siobhan-oneil', name: "Siobhán O'Neil" },
  { id: 'anna-sj', name: 'Anna Smith-Jones' },
  { id: 'zoe', name: 'Zoë Brontë' },
];
const index = new NameIndex(people);
const ids = (text: string) => index.match(text).map((m) => m.personId).sort();
const how = (text: string, id: string) => index.match(text).find((m) => m.personId === id);

describe('name matching (G1 with real names)', () => {
  it('normalises case, accents, apostrophes and punctuation', () => {
    expect(nameTokens("  SIOBHÁN  O’Neil ")).toEqual(['siobhan', 'oneil']);
    expect(nameTokens('Smith-Jones, Anna.')).toEqual(['smith', 'jones', 'anna']);
    expect(nameTokens('Straße Ærø')).toEqual(['strasse', 'aero']);
  });

  it.each([
    ['Alex Morgan', ['alex-morgan'], 'full_name'],
    ['alex MORGAN', ['alex-morgan'], 'full_name'],
    ['Mr Morgan', ['alex-morgan'], 'surname'],
    ['Morgan', ['alex-morgan'], 'surname'],
    ['Dr. Morgan (head)', ['alex-morgan'], 'surname'],
    ['A Morgan', ['alex-morgan'], 'surname'],
    ['A. Morgan', ['alex-morgan'], 'surname'],
    ['Okafor', ['sam-okafor'], 'surname'],
    ['Mrs Patel', ['jo-patel', 'raj-patel'], 'surname'],
    ['J. Patel', ['jo-patel', 'raj-patel'], 'surname'],
    ['Miss Jo', ['jo-patel'], 'title_first_name'],
    ['Mrs Smith', ['anna-sj', 'jo-patel'], 'surname'],
    ['Jojo', ['jo-patel'], 'alias'],
    ['joanna smith', ['anna-sj', 'jo-patel'], 'surname'],
    ['Ms O Neil', ['siobhan-oneil'], 'surname'],
    ['oneil', ['siobhan-oneil'], 'surname'],
    ["Siobhan O'Neil", ['siobhan-oneil'], 'full_name'],
    ['Smith Jones', ['anna-sj', 'jo-patel'], 'surname'],
    ['Mrs SmithJones', ['anna-sj'], 'surname'],
    ['Jones', ['anna-sj'], 'surname'],
    ['Zoe Bronte', ['zoe'], 'full_name'],
  ])('%s names %j', (text, expected, kind) => {
    expect(ids(text)).toEqual(expected);
    expect(how(text, expected[0]!)?.how).toBe(kind);
  });

  it('an alias names its person as strongly as the full name', () => {
    expect(how('Joanna Smith', 'jo-patel')).toMatchObject({ how: 'alias', strength: 'strong' });
  });

  it('a first name names its only owner, weakly; a shared first name names nobody; a title alone names nobody', () => {
    expect(index.match('Alex')).toEqual([{ personId: 'alex-morgan', how: 'first_name', strength: 'weak', titled: false }]);
    expect(index.match('Raj')[0]?.strength).toBe('weak');
    expect(ids('Sam')).toEqual([]);
    expect(ids('Mr Sam')).toEqual(['sam-lee', 'sam-okafor']);
    expect(ids('Mr')).toEqual([]);
    expect(ids('a pupil in year 8')).toEqual([]);
    expect(how('Mr Morgan', 'alex-morgan')?.titled).toBe(true);
    expect(how('Morgan', 'alex-morgan')?.strength).toBe('strong');
  });
});

describe('the subject check', () => {
  const schema = makeReportSchema({ today: '2026-12-31' });
  const conduct = (name: string) =>
    schema.parse({ kind: 'staff_conduct', staffMember: { name }, occurred: { date: '2026-11-20' }, description: 'd', involvesPupils: false });

  it('offers the people a typed name could mean, and says which "none of them" can dismiss', () => {
    const dir = demoSchool.directory;
    expect(subjectCandidates(conduct('Mr Morgan'), dir)).toEqual([{ personId: 'alex-morgan', name: 'Alex Morgan', dismissable: false }]);
    expect(subjectCandidates(conduct('Sam'), dir)).toEqual([{ personId: 'sam-okafor', name: 'Sam Okafor', dismissable: true }]);
    expect(subjectCandidates(conduct('someone from the PTA'), dir)).toEqual([]);
  });

  it('a "none" given for other candidates is asked again', () => {
    const dir = demoSchool.directory;
    const sam = subjectCandidates(conduct('Sam'), dir);
    const ben = subjectCandidates(conduct('Ben'), dir);
    expect(readCheckChoice(checkChoiceValue({ none: sam }), sam)).toEqual({ answer: 'none' });
    expect(readCheckChoice(checkChoiceValue({ none: sam }), ben)).toBeUndefined();
    expect(readCheckChoice('person:sam-okafor', sam)).toEqual({ answer: 'person', personId: 'sam-okafor' });
    expect(readCheckChoice('person:jo-patel', sam)).toBeUndefined();
    expect(readCheckChoice(undefined, sam)).toBeUndefined();
  });
});

describe('routing with typed names', () => {
  const schema = makeReportSchema({ today: '2026-12-31' });
  const at = new Date('2026-11-23T10:00:00Z');
  const dir = demoSchool.directory;

  it('"Mr Morgan" in a conduct report is a concern about the headteacher: the chair owns it, he is nowhere in it, and cards say someone was left out', () => {
    const form = schema.parse({ kind: 'staff_conduct', staffMember: { name: 'Mr Morgan' }, occurred: { date: '2026-11-20' }, description: 'd', involvesPupils: false });
    const routing = route({ form, reporterId: 'amy-clarke' }, demoSchool.policy, dir, at);
    expect(routing.rules).toEqual(['R3']);
    expect(routing.subjects).toEqual(['alex-morgan']);
    expect(routing.possibleSubjects).toEqual(['alex-morgan']);
    expect(routing.possibleSubjectSkipped).toBe(true);
    expect(everyoneReached(routing, dir).has('alex-morgan')).toBe(false);
    // Confirmed by the reporter: certainly the subject, no longer "possible".
    const confirmed = route({ form, reporterId: 'amy-clarke', subjectCheck: { answer: 'person', personId: 'alex-morgan' } }, demoSchool.policy, dir, at);
    expect(confirmed.possibleSubjects).toEqual([]);
    expect(confirmed.possibleSubjectSkipped).toBe(false);
  });

  it('a pupil who shares the headteacher\'s surname keeps him out of it, but does not make it a concern about him', () => {
    const form = schema.parse({
      kind: 'inappropriate_content', accessedBy: { type: 'pupil', name: 'Lily Morgan' }, occurred: { date: '2026-11-20' }, urls: ['https://example.com'],
      category: 'violent', description: 'd', device: 'laptop', location: 'room', schoolDeviceOrNetwork: true,
    });
    const routing = route({ form, reporterId: 'amy-clarke' }, demoSchool.policy, dir, at);
    expect(routing.rules).toEqual(['R1', 'R7']);
    expect(routing.subjects).toEqual(['alex-morgan']);
    expect(everyoneReached(routing, dir).has('alex-morgan')).toBe(false);
  });

  it('when the typed name could be every safeguarding lead, those only possibly named take it (someone always owns a report), never one picked', () => {
    const family = schoolConfigSchema.parse({
      school: { name: 'S', timezone: 'Europe/London', workingHours: { days: ['mon'], start: '08:00', end: '17:00' } },
      people: [
        { id: 'jo', name: 'Jo Morgan', roles: ['dsl'] },
        { id: 'alex', name: 'Alex Morgan', roles: ['headteacher'] },
        { id: 'sam', name: 'Sam Morgan', roles: ['chair_of_governors'] },
      ],
    });
    const d = new Directory(family);
    const typedOnly = schema.parse({ kind: 'staff_conduct', staffMember: { name: 'Mrs Morgan' }, occurred: { date: '2026-11-20' }, description: 'd', involvesPupils: false });
    const r1 = route({ form: typedOnly, reporterId: 'x' }, demoSchool.policy, d, at);
    expect(r1.duties.some((x) => x.type === 'acknowledge' && x.levels.length > 0)).toBe(true);
    expect(r1.notes.join(' ')).toMatch(/only possibly named/);
    const picked = schema.parse({ kind: 'staff_conduct', staffMember: { personId: 'alex', name: 'Mr Morgan' }, occurred: { date: '2026-11-20' }, description: 'd', involvesPupils: false });
    const r2 = route({ form: picked, reporterId: 'x' }, demoSchool.policy, d, at);
    expect(r2.subjects).toEqual(['alex']);
    expect(everyoneReached(r2, d).has('alex')).toBe(false);
    expect(r2.duties[0]?.levels[0]?.people).toEqual(['sam']);
  });
});
