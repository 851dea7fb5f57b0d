import { describe, expect, it } from 'vitest';
import { reportKinds, makeReportSchema } from '../../src/core/report-schemas.js';
import { reportFormCard, reportKindCard } from '../../src/views/adaptive-cards.js';
import { formFields, formFromValues, formView } from '../../src/views/report-forms.js';
import { cardProblems } from '../support/adaptive-card-check.js';
import { demoSchool, example, harness } from '../support/harness.js';

const dir = demoSchool.directory;

/** The flat values a card would send back for a nested form. */
function flatten(form: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) {
    const id = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) out[id] = v.join('\n');
    else if (v && typeof v === 'object') Object.assign(out, flatten(v as Record<string, unknown>, id));
    else out[id] = String(v);
  }
  return out;
}

describe('report forms', () => {
  it('the kind chooser and every kind\'s form are valid Adaptive Cards 1.5, with and without errors', () => {
    expect(cardProblems(reportKindCard())).toEqual([]);
    for (const kind of reportKinds) {
      const empty = reportFormCard(formView(kind, dir));
      expect(cardProblems(empty), kind).toEqual([]);
      expect(JSON.stringify(empty)).not.toContain('${');
      const withErrors = reportFormCard(formView(kind, dir, {}, formFields[kind].map((f) => ({ path: f.id, message: `bad ${f.id}` }))));
      expect(cardProblems(withErrors), kind).toEqual([]);
    }
  });

  it('the nude-images form has no file input and shows the do-not-view guidance (G2)', () => {
    const card = JSON.stringify(reportFormCard(formView('nude_images', dir)));
    expect(card).toContain('Do not view, copy, screenshot, forward');
    expect(card).toContain('Report Remove');
    const ids = [...card.matchAll(/"id":"([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(formFields.nude_images.map((f) => f.id));
  });

  it('flat answers become the form core validates, for every worked example', () => {
    const schema = makeReportSchema({ today: '2026-11-23' });
    for (let n = 1; n <= 7; n += 1) {
      const report = example(n).report;
      const kind = report.kind as (typeof reportKinds)[number];
      const { kind: _k, ...rest } = report;
      const form = formFromValues(kind, flatten(rest));
      expect(schema.parse(form), `example ${n}`).toEqual(schema.parse(report));
    }
  });

  it('a mistake comes back in the same form, next to the field, with the answers kept', async () => {
    const h = harness();
    try {
      const values = { 'direction': 'pupil_to_staff', 'occurred.date': '2026-12-25', 'pupil.name': 'A pupil', 'accepted': 'false', 'familyLink': 'true' };
      const result = h.workflow.validate(formFromValues('friend_request', values));
      expect(result.ok).toBe(false);
      const issues = result.ok ? [] : result.issues;
      const view = formView('friend_request', dir, values, issues);
      const field = (id: string) => view.fields.find((f) => f.id === id)!;
      expect(field('platform').error).toBe('Please fill in the app or website.');
      expect(field('occurred.date').error).toBe('That date is in the future.');
      expect(field('occurred.date').value).toBe('2026-12-25');
      expect(field('staffMember.personId').error).toBe('Please choose the member of staff, or type their name.');
      expect(field('familyLinkDetails').error).toBe('Please describe the family link.');
      const card = reportFormCard(view);
      expect(cardProblems(card)).toEqual([]);
      // The error's TextBlock follows its input in the same container.
      const containers = (card.body as { items?: { type: string; id?: string; text?: string }[] }[]).filter((c) => c.items);
      const platform = containers.find((c) => c.items?.some((i) => i.id === 'platform'))!;
      expect(platform.items?.map((i) => i.type)).toEqual(['Input.Text', 'TextBlock']);
    } finally {
      h.close();
    }
  });
});
