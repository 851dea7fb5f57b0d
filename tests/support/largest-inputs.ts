import path from 'node:path';
import type { DeliveryChannel } from '../../src/core/ports.js';
import { policySchema, decisionLimits, type Policy } from '../../src/core/policy-schema.js';
import { reportKinds, type ReportKind } from '../../src/core/report-schemas.js';
import { textLimits } from '../../src/core/text-limits.js';
import { Workflow } from '../../src/core/workflow.js';
import { openDatabase } from '../../src/store/database.js';
import { DiskEvidenceFiles } from '../../src/store/evidence-files.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { Keyring } from '../../src/store/keyring.js';
import { fieldMaxLength } from '../../src/views/form-limits.js';
import { formFields, formFromValues } from '../../src/views/report-forms.js';
import { FakeClock } from './fake-clock.js';
import { demoSchool, monday10, tempDir } from './harness.js';

/**
 * The largest inputs the forms and the policy accept, made of the characters that grow
 * most when escaped (Slack's &amp; and zero-width spaces, Teams' backslashes, JSON's
 * \\ and \"), for the Sizes tests.
 */
export const hostile = 'Tom & Jerry <b>*bold* _it_ ~s~ `c` \\ "q" @channel [x](y) 😀 ';

/**
 * Text of exactly `n` characters (as core counts them: code points, so an emoji is one
 * character but two UTF-16 units, the larger for Teams) that survives trimming.
 */
export function fill(n: number, seed = hostile): string {
  const chars = Array.from(seed);
  const out: string[] = [];
  for (let i = 0; out.length < n; i += 1) out.push(chars[i % chars.length] as string);
  if (n > 0) out[0] = 'x';
  if (n > 1) out[n - 1] = 'x';
  return out.join('');
}

/** Twenty web addresses of `length` characters in all, one per line, with the URL characters Markdown cares about. */
export function urlList(total: number = textLimits.urlList, count: number = textLimits.urlCount): string {
  const each = Math.floor((total - (count - 1)) / count);
  return Array.from({ length: count }, (_, i) => {
    const head = `https://site${i}.example.org/`;
    let tail = '';
    while (head.length + tail.length < each) tail += 'a_b*c~d(e)f[g]h-';
    return head + tail.slice(0, each - head.length);
  }).join('\n');
}

/** The answers of a kind's form with every text at its longest and every choice that brings in the most people. */
export function largestValues(kind: ReportKind, seed = hostile): Record<string, string> {
  const values: Record<string, string> = {};
  for (const f of formFields[kind]) {
    if (f.kind === 'date') values[f.id] = f.id.endsWith('.dateOfBirth') ? '2012-05-31' : '2026-11-20';
    else if (f.kind === 'time') values[f.id] = '09:30';
    else if (f.kind === 'yesno') values[f.id] = 'true';
    else if (f.kind === 'choice') values[f.id] = f.choices?.[0]?.value ?? '';
    else if (f.kind === 'urls') values[f.id] = urlList();
    else if (f.kind === 'text' || f.kind === 'multiline') values[f.id] = fill(fieldMaxLength(kind, f), seed);
  }
  return values;
}

export const largestForm = (kind: ReportKind, seed = hostile) => formFromValues(kind, largestValues(kind, seed));

/**
 * The texts that grow most: typed Markdown and mentions (all three platforms escape
 * something), backslashes (Teams escapes each, and JSON again: 4 UTF-16 units, 8 bytes,
 * a character), ampersands and emoji (Slack's &amp;, two UTF-16 units an emoji).
 */
export const seeds = { markup: hostile, backslashes: '\\', 'ampersands and emoji': '&😀' } as const;

/** The default policy with every decision at its longest: 10 choices of 75 characters, a 300-character question. */
export function largestPolicy(): Policy {
  const p = structuredClone(demoSchool.policy);
  for (const rule of p.rules) {
    if (!rule.decision) continue;
    rule.decision.question = fill(decisionLimits.question);
    rule.decision.choices = Array.from({ length: decisionLimits.choices }, (_, i) => ({
      id: `c${i}_${'x'.repeat(decisionLimits.id - 4)}`.slice(0, decisionLimits.id),
      label: fill(decisionLimits.label, `"${i}\\ & <*> `),
    }));
  }
  return policySchema.parse(p);
}

/** A workflow on a real SQLite file with the demo school and a policy. */
export function workflowWith(policy: Policy, channels: DeliveryChannel[] = ['sandbox']) {
  const dir = tempDir('sgbot-sizes-');
  const clock = new FakeClock(monday10);
  const keys = Keyring.loadOrCreate(path.join(dir, 'keys', 'keys.json')).keyring;
  const db = openDatabase(path.join(dir, 'test.db'));
  const store = new SqliteStore(db, keys);
  store.prepare(clock.now());
  const workflow = new Workflow({
    store,
    evidenceFiles: new DiskEvidenceFiles(path.join(dir, 'evidence'), keys),
    directory: demoSchool.directory,
    policy,
    clock: clock.now,
    channels,
    evidenceLimits: { maxBytes: 1024 * 1024, maxFilesPerReport: 10 },
  });
  return { dir, clock, store, workflow, db, keys };
}

export { reportKinds };
