import { describe, expect, it } from 'vitest';
import { toFieldIssues } from '../../src/core/issues.js';
import { kindLabels, makeReportSchema, reportKinds } from '../../src/core/report-schemas.js';
import { example } from '../support/harness.js';

const schema = makeReportSchema({ today: '2026-11-23' });
const issues = (form: unknown) => {
  const r = schema.safeParse(form);
  return r.success ? [] : toFieldIssues(r.error);
};

describe('report forms', () => {
  it('every worked example is a valid form', () => {
    for (let n = 1; n <= 7; n += 1) expect(issues(example(n).report)).toEqual([]);
  });

  it('every kind has words for people', () => {
    expect(Object.keys(kindLabels).sort()).toEqual([...reportKinds].sort());
  });

  it('says what is missing, field by field, in words a teacher understands', () => {
    expect(issues({ kind: 'friend_request' })).toEqual(
      expect.arrayContaining([
        { path: 'direction', message: 'Please say who sent the request.' },
        { path: 'platform', message: 'Please fill in the app or website.' },
        { path: 'occurred', message: expect.any(String) },
        { path: 'accepted', message: 'Please say whether the request was accepted.' },
      ]),
    );
    expect(issues({ kind: 'nonsense' })).toEqual([{ path: 'kind', message: 'Please choose what kind of concern this is.' }]);
  });

  it('checks web addresses, and reads a bare domain as https', () => {
    const base = example(4).report;
    expect(issues({ ...base, urls: ['not a url'] })).toEqual([
      { path: 'urls[0]', message: expect.stringMatching(/not a web address/) },
    ]);
    expect(issues({ ...base, urls: [] })).toEqual([{ path: 'urls', message: 'Please give at least one web address.' }]);
    const ok = schema.parse({ ...base, urls: ['instagram.com/someone'] });
    expect(ok.kind === 'inappropriate_content' && ok.urls).toEqual(['https://instagram.com/someone']);
    expect(issues({ ...base, urls: ['javascript:alert(1)'] })).toHaveLength(1);
  });

  it('refuses dates in the future and dates that do not exist', () => {
    const base = example(5).report;
    expect(issues({ ...base, occurred: { date: '2026-11-24' } })).toEqual([{ path: 'occurred.date', message: 'That date is in the future.' }]);
    expect(issues({ ...base, occurred: { date: '2026-02-30' } })).toEqual([{ path: 'occurred.date', message: 'Please give a date, e.g. 2026-11-23.' }]);
    expect(issues({ ...base, occurred: { date: '2026-11-20', time: '25:00' } })).toHaveLength(1);
  });

  it('asks for the family link when one is declared', () => {
    expect(issues({ ...example(1).report, familyLink: true })).toEqual([
      { path: 'familyLinkDetails', message: 'Please describe the family link.' },
    ]);
  });

  it('has no field for files on the nude-images form, and refuses unknown fields', () => {
    expect(issues({ ...example(6).report, evidence: [] })).toEqual([{ path: '', message: expect.stringMatching(/evidence/) }]);
  });
});
