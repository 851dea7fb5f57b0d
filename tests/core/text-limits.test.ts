import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { DomainError } from '../../src/core/errors.js';
import { toFieldIssues } from '../../src/core/issues.js';
import { makeReportSchema, reportKinds } from '../../src/core/report-schemas.js';
import { textLimits } from '../../src/core/text-limits.js';
import { wordsForError } from '../../src/views/error-words.js';
import { fieldMaxLength } from '../../src/views/form-limits.js';
import { formFields, formFromValues } from '../../src/views/report-forms.js';
import { example, harness } from '../support/harness.js';
import { fill, largestValues, urlList } from '../support/largest-inputs.js';

const schema = makeReportSchema({ today: '2026-11-23' });
const issuesOf = (kind: (typeof reportKinds)[number], values: Record<string, string>) => {
  const r = schema.safeParse(formFromValues(kind, values));
  return r.success ? [] : toFieldIssues(r.error);
};

describe('Core bounds every free text, and each form input carries the same maxLength', () => {
  it("every text input's maxLength is exactly core's limit: the longest is accepted, one more refused next to its field", () => {
    for (const kind of reportKinds) {
      expect(issuesOf(kind, largestValues(kind)), kind).toEqual([]);
      for (const f of formFields[kind].filter((x) => x.kind === 'text' || x.kind === 'multiline')) {
        const max = fieldMaxLength(kind, f);
        expect(max, `${kind}.${f.id}`).toBeLessThanOrEqual(3000);
        const issues = issuesOf(kind, { ...largestValues(kind), [f.id]: fill(max + 1) });
        expect(issues.map((i) => i.path), `${kind}.${f.id} at ${max + 1}`).toContain(f.id);
      }
    }
  });

  it('the web addresses: at most 20, and 3,000 characters in all as typed', () => {
    expect(issuesOf('inappropriate_content', { ...largestValues('inappropriate_content'), urls: urlList(3000) })).toEqual([]);
    const tooLong = issuesOf('inappropriate_content', { ...largestValues('inappropriate_content'), urls: urlList(3100) });
    expect(tooLong).toEqual([{ path: 'urls', message: expect.stringContaining('under 3,000 characters in all') }]);
    const tooMany = issuesOf('extremism', { ...largestValues('extremism'), urls: urlList(2000, 21) });
    expect(tooMany.map((i) => i.message)).toContain('Please give at most 20 web addresses.');
  });

  it('a decision reason, an ICT action and a closing reason over 2,000 characters are refused next to the field; at 2,000 they are kept', async () => {
    const h = harness();
    try {
      const [r1, r2, r4] = [await h.workflow.submit({ reporterId: example(1).reporter, form: example(1).report }), await h.workflow.submit({ reporterId: example(2).reporter, form: example(2).report }), await h.workflow.submit({ reporterId: example(4).reporter, form: example(4).report })];
      const refused = (fn: () => unknown) => {
        try {
          fn();
        } catch (err) {
          return err as DomainError;
        }
        throw new Error('not refused');
      };
      const decide = (reason: string) => h.workflow.recordDecision({ reportId: r2.reportId, actorId: 'alex-morgan', choice: 'refer_to_lado', reason });
      const e1 = refused(() => decide(fill(textLimits.decisionReason + 1)));
      expect(e1.code).toBe('TEXT_TOO_LONG');
      expect(e1.issues).toEqual([{ path: 'reason', message: 'Please keep this under 2,000 characters (it has 2,001).' }]);
      expect(wordsForError(e1)).toBe('Please keep this under 2,000 characters (it has 2,001).');
      expect(decide(fill(textLimits.decisionReason)).changed).toBe(true);

      const complete = (action: string) => h.workflow.completeTask({ reportId: r4.reportId, actorId: 'lee-evans', action });
      expect(refused(() => complete(fill(textLimits.ictAction + 1))).issues[0]?.path).toBe('action');
      expect(complete(fill(textLimits.ictAction)).changed).toBe(true);

      h.workflow.acknowledge({ reportId: r1.reportId, actorId: 'jo-patel' });
      const close = (reason: string) => h.workflow.close({ reportId: r1.reportId, actorId: 'jo-patel', outcome: 'no_further_action', reason });
      expect(refused(() => close(fill(textLimits.closeReason + 1))).code).toBe('TEXT_TOO_LONG');
      expect(close(fill(textLimits.closeReason)).changed).toBe(true);
      // Nothing refused was stored or audited as done.
      expect(h.actions(r2.reportId).filter((a) => a === 'decision.recorded')).toHaveLength(1);
    } finally {
      h.close();
    }
  });
});

describe('policy check: decisions Slack can show', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sgbot-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const policyText = readFileSync('data/policies/default.yaml', 'utf8');
  async function check(text: string) {
    const file = path.join(dir, `p${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['policy', 'check', file], (s) => out.push(s), (s) => err.push(s));
    return { code, err: err.join('\n') };
  }

  it('refuses more than 10 choices, with the reason', async () => {
    const extra = Array.from({ length: 8 }, (_, i) => `        - { id: option_${i}, label: Option ${i} }`).join('\n');
    const text = policyText.replace('        - { id: no_further_action, label: No further action }\n      dueWorkingDays: 1', `        - { id: no_further_action, label: No further action }\n${extra}\n      dueWorkingDays: 1`);
    expect(text).not.toBe(policyText);
    const r = await check(text);
    expect(r.code).toBe(1);
    expect(r.err).toContain('a decision offers at most 10 choices (Slack shows no more)');
  });

  it('refuses a choice label over 75 characters, and accepts one of 75', async () => {
    const label = (n: number) => `Refer to the LADO ${'x'.repeat(n - 18)}`;
    const long = await check(policyText.replace('label: Refer to the LADO }', `label: ${label(76)} }`));
    expect(long.code).toBe(1);
    expect(long.err).toContain("a choice's label has at most 75 characters (Slack shows no more): shorten it");
    expect((await check(policyText.replace('label: Refer to the LADO }', `label: ${label(75)} }`))).code).toBe(0);
  });
});
