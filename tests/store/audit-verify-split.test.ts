import fc from 'fast-check';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { canonicalJson } from '../../src/core/audit-chain.js';
import { openDatabase, openExistingDatabase } from '../../src/store/database.js';
import { verifyAll } from '../../src/store/audit-verify.js';
import { Keyring } from '../../src/store/keyring.js';
import { example, harness, type Harness } from '../support/harness.js';

// Issue 15: `audit verify` checks a long log in two parts at once (the second in a worker
// thread). Split, it must find exactly what one walk finds, wherever the damage is.

/** canonicalJson as it was written before its fast path (plain loops): the reference. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) parts.push(`${JSON.stringify(k)}:${reference(obj[k])}`);
  return `{${parts.join(',')}}`;
}

describe('canonicalJson', () => {
  it('writes what the plain loops wrote, for JSON data and for anything else', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(canonicalJson(v)).toBe(reference(v));
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown), (v) => {
      expect(canonicalJson(v)).toBe(reference(v));
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.anything({ withDate: true, withNullPrototype: true, withObjectString: true }), (v) => {
      expect(canonicalJson(v)).toBe(reference(v));
    }), { numRuns: 300 });
    const tricky = JSON.parse('{"b":1,"10":2,"9":3,"a":{"__proto__":{"x":1},"z":[{"d":1,"c":2}]},"t":"\\ud800"}') as unknown;
    expect(canonicalJson(tricky)).toBe(reference(tricky));
    expect(canonicalJson({ when: new Date(0), n: undefined, f: [undefined] })).toBe(reference({ when: new Date(0), n: undefined, f: [undefined] }));
  });
});

let h: Harness;
const keyFile = () => path.join(h.dir, 'keys', 'keys.json');

beforeEach(async () => {
  h = harness();
  // Enough reports that the log is long enough to split in the middle of them.
  for (let i = 0; i < 12; i++) {
    const r = await h.workflow.submit({ reporterId: i % 2 ? 'amy-clarke' : 'ben-hughes', form: example(i % 2 ? 5 : 1).report });
    h.workflow.acknowledge({ reportId: r.reportId, actorId: 'jo-patel' });
  }
  h.db.close();
});
afterEach(() => {
  if (h.db.open) h.db.close();
});

async function check(splitFrom: number) {
  const db = openExistingDatabase(h.dbFile);
  try {
    return await verifyAll(db, Keyring.load(keyFile()), path.join(h.dir, 'evidence'), undefined, { keyFile: keyFile(), splitFrom });
  } finally {
    db.close();
  }
}

describe('audit verify in two parts', () => {
  it('checks the second half in a worker thread and finds nothing in an intact log', async () => {
    const split = await check(0);
    expect(split.parts).toBe(2);
    expect(split.workers).toBe(1);
    expect(split.ok).toBe(true);
    const whole = await check(Number.MAX_SAFE_INTEGER);
    expect(whole.parts).toBe(1);
    expect(split.chain).toEqual(whole.chain);
  });

  it('still reports a tampered entry deep in the log, a report edited in either half, and a missing entry at the seam, as one walk does', async () => {
    const db = openDatabase(h.dbFile);
    db.exec('DROP TRIGGER IF EXISTS audit_append_only_update; DROP TRIGGER IF EXISTS audit_append_only_delete;');
    const last = Number(db.prepare('SELECT MAX(seq) FROM audit_log').pluck().get());
    const mid = 1 + Math.floor(last / 2);
    const deep = last - 2;
    // An entry near the end (the worker's part) edited without the key.
    const row = db.prepare('SELECT details_json FROM audit_log WHERE seq = ?').get(deep) as { details_json: string };
    db.prepare('UPDATE audit_log SET details_json = ? WHERE seq = ?').run(JSON.stringify({ ...(JSON.parse(row.details_json) as object), edited: true }), deep);
    // The entry just before the seam removed (the worker's part starts after a gap).
    db.prepare('DELETE FROM audit_log WHERE seq = ?').run(mid - 1);
    // One report's text swapped for another's, in each half.
    const submitted = db.prepare(`SELECT report_id FROM audit_log WHERE action = 'report.submitted' ORDER BY seq`).pluck().all() as string[];
    const form = (id: string) => (db.prepare('SELECT form_json FROM reports WHERE id = ?').get(id) as { form_json: string }).form_json;
    db.prepare('UPDATE reports SET form_json = ? WHERE id = ?').run(form(submitted[1] as string), submitted[0]);
    db.prepare('UPDATE reports SET form_json = ? WHERE id = ?').run(form(submitted[2] as string), submitted.at(-1));
    db.close();

    const split = await check(0);
    const whole = await check(Number.MAX_SAFE_INTEGER);
    expect(split.workers).toBe(1);
    expect(split.ok).toBe(false);
    expect(split.chain).toEqual(whole.chain);
    expect(split.content).toEqual(whole.content);
    const problems = split.chain.problems.map((p) => `${p.seq}: ${p.problem}`);
    expect(problems).toContain(`${deep}: its contents do not match its keyed hash (edited, or rewritten without the key)`);
    expect(problems).toContain(`${mid}: entries ${mid - 1}–${mid - 1} are missing (deleted)`);
    expect(split.content.filter((c) => /does not open/.test(c.problem))).toHaveLength(2);

    // And the CLI (which splits a long log) words it as before, exit code 2.
    const out: string[] = [];
    const code = await runCli(['audit', 'verify', '--db', h.dbFile, '--evidence', path.join(h.dir, 'evidence'), '--key-file', keyFile()], (s) => out.push(s), () => undefined);
    expect(code).toBe(2);
    expect(out.join('\n')).toContain(`entry ${deep}: its contents do not match its keyed hash`);
  });
});
