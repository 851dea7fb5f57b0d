import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { canonicalJson, entryHash, genesisHash, verifyChain } from '../../src/core/audit-chain.js';
import type { AuditEntry, AuditInput } from '../../src/core/ports.js';
import { openDatabase } from '../../src/store/database.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { tempDir } from '../support/harness.js';

// G7: the audit log is append-only and hash-chained; tampering with the file is detected.

const inputs: AuditInput[] = [
  { at: '2026-11-23T10:00:00.000Z', actor: 'amy-clarke', action: 'report.submitted', reportId: 'r1', details: { kind: 'cyberbullying', evidence: 1 } },
  { at: '2026-11-23T10:01:00.000Z', actor: 'system', action: 'ack.reminded', reportId: 'r1', details: { duty: 'd1', to: ['jo-patel'] } },
  { at: '2026-11-23T10:02:00.000Z', actor: 'jo-patel', action: 'report.acknowledged', reportId: 'r1', details: { duty: 'd1' } },
  { at: '2026-11-23T10:03:00.000Z', actor: 'chris-doyle', action: 'action.refused', details: { action: 'view', code: 'FORBIDDEN' } },
  { at: '2026-11-23T10:04:00.000Z', actor: 'jo-patel', action: 'report.closed', reportId: 'r1', details: { outcome: 'resolved' } },
];

let dir: string;
let dbFile: string;
let store: SqliteStore;

beforeEach(() => {
  dir = tempDir('sgbot-audit-');
  dbFile = path.join(dir, 'audit.db');
  store = new SqliteStore(openDatabase(dbFile));
  for (const input of inputs) store.appendAudit(input);
});

afterEach(() => {
  if (store.db.open) store.db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** As an attacker with the file would: drop the append-only triggers first. */
const dropTriggers = () => store.db.exec('DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete;');

type AuditRow = { at: string; actor: string; action: string; report_id: string | null; details_json: string; prev_hash: string; hash: string };
const rowAt = (seq: number) =>
  store.db.prepare('SELECT at, actor, action, report_id, details_json, prev_hash, hash FROM audit_log WHERE seq = ?').get(seq) as AuditRow;

describe('the audit log in SQLite', () => {
  it('appends entries numbered from 1, each holding the hash of the one before', () => {
    const rows = store.db.prepare('SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq').all() as {
      seq: number;
      prev_hash: string;
      hash: string;
    }[];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]?.prev_hash).toBe(genesisHash);
    rows.slice(1).forEach((r, i) => expect(r.prev_hash).toBe(rows[i]?.hash));
    expect(store.db.prepare('SELECT seq, hash FROM audit_head').get()).toEqual({ seq: 5, hash: rows[4]?.hash });
    expect(store.listAudit('r1').map((e) => e.seq)).toEqual([1, 2, 3, 5]);
  });

  it('verifies', () => {
    expect(store.verifyAudit()).toEqual({ ok: true, count: 5 });
  });

  it('an empty log verifies with no entries', () => {
    const emptyFile = path.join(dir, 'empty.db');
    const empty = new SqliteStore(openDatabase(emptyFile));
    try {
      expect(empty.verifyAudit()).toEqual({ ok: true, count: 0 });
    } finally {
      empty.db.close();
    }
  });

  it('refuses UPDATE and DELETE (triggers)', () => {
    expect(() => store.db.prepare(`UPDATE audit_log SET details_json = '{}' WHERE seq = 3`).run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE seq = 5').run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(store.verifyAudit()).toEqual({ ok: true, count: 5 });
  });

  describe('tampering with the file (triggers dropped) is detected', () => {
    it('an edited entry breaks the chain at that entry', () => {
      dropTriggers();
      store.db.prepare(`UPDATE audit_log SET details_json = ? WHERE seq = 3`).run(JSON.stringify({ duty: 'd2' }));
      expect(store.verifyAudit()).toMatchObject({ ok: false, seq: 3, count: 2, problem: expect.stringMatching(/edited/) });
    });

    it('an edited actor breaks the chain at that entry', () => {
      dropTriggers();
      store.db.prepare(`UPDATE audit_log SET actor = 'ben-hughes' WHERE seq = 3`).run();
      expect(store.verifyAudit()).toMatchObject({ ok: false, seq: 3 });
    });

    it('a deleted entry leaves a gap, found at the entry after it', () => {
      dropTriggers();
      store.db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
      expect(store.verifyAudit()).toMatchObject({ ok: false, seq: 4, count: 2, problem: expect.stringMatching(/entry 3 is missing/) });
    });

    it('a deleted entry is found even when later entries and the head are renumbered to hide the gap', () => {
      dropTriggers();
      store.db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
      store.db.prepare('UPDATE audit_log SET seq = 3 WHERE seq = 4').run();
      store.db.prepare('UPDATE audit_log SET seq = 4 WHERE seq = 5').run();
      store.db.prepare('UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)').run();
      expect(store.verifyAudit()).toMatchObject({ ok: false, seq: 3, count: 2 });
    });

    it('reordered entries break the chain at the first one moved', () => {
      dropTriggers();
      const two = rowAt(2);
      const three = rowAt(3);
      const put = store.db.prepare(
        `UPDATE audit_log SET at = @at, actor = @actor, action = @action, report_id = @report_id,
           details_json = @details_json, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq`,
      );
      store.db.transaction(() => {
        put.run({ ...three, seq: 2 });
        put.run({ ...two, seq: 3 });
      })();
      expect(rowAt(2)).toEqual(three);
      expect(store.verifyAudit()).toMatchObject({ ok: false, seq: 2, count: 1 });
    });

    it('the last entry deleted is found: the recorded head says 5', () => {
      dropTriggers();
      store.db.prepare('DELETE FROM audit_log WHERE seq = 5').run();
      expect(store.verifyAudit()).toMatchObject({ ok: false, seq: 5, count: 4, problem: expect.stringMatching(/removed from the end/) });
    });

    it('the whole log deleted is found while the head remains', () => {
      dropTriggers();
      store.db.prepare('DELETE FROM audit_log').run();
      expect(store.verifyAudit()).toMatchObject({ ok: false, seq: 5, count: 0 });
    });
  });
});

describe('verifyChain, entryHash and canonicalJson', () => {
  const chain = (list: AuditInput[]): AuditEntry[] => {
    let prevHash = genesisHash;
    return list.map((input, i) => {
      const seq = i + 1;
      const hash = entryHash(seq, prevHash, input);
      const entry = { ...input, seq, prevHash, hash };
      prevHash = hash;
      return entry;
    });
  };
  const headOf = (entries: AuditEntry[]) => {
    const last = entries[entries.length - 1];
    return last ? { seq: last.seq, hash: last.hash } : undefined;
  };

  it('canonicalJson sorts keys at every depth, whatever the insertion order', () => {
    const a = { b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' } };
    const b = { a: { c: 'x', d: [{ y: 2, z: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
  });

  it('canonicalJson leaves out undefined properties and writes null for undefined values', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('text "quoted"')).toBe('"text \\"quoted\\""');
  });

  it('entryHash does not depend on key order and changes with any field', () => {
    const input = inputs[0] as AuditInput;
    const base = entryHash(1, genesisHash, input);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash(1, genesisHash, { ...input, details: { evidence: 1, kind: 'cyberbullying' } })).toBe(base);
    expect(entryHash(2, genesisHash, input)).not.toBe(base);
    expect(entryHash(1, 'f'.repeat(64), input)).not.toBe(base);
    expect(entryHash(1, genesisHash, { ...input, actor: 'someone-else' })).not.toBe(base);
    expect(entryHash(1, genesisHash, { ...input, details: { kind: 'cyberbullying', evidence: 2 } })).not.toBe(base);
    // A missing report id hashes as null.
    const noReport = { ...input, reportId: undefined };
    expect(entryHash(1, genesisHash, noReport)).toBe(entryHash(1, genesisHash, { ...noReport, reportId: undefined }));
    expect(entryHash(1, genesisHash, noReport)).not.toBe(base);
  });

  it('a good chain verifies; an empty one with no head too', () => {
    const entries = chain(inputs);
    expect(verifyChain(entries, headOf(entries))).toEqual({ ok: true, count: 5 });
    expect(verifyChain([], undefined)).toEqual({ ok: true, count: 0 });
  });

  it('finds an edit, a gap, a reorder, a lost tail and a wrong head', () => {
    const entries = chain(inputs);
    const head = headOf(entries);
    const at = (i: number) => entries[i] as AuditEntry;

    const edited = entries.map((e) => (e.seq === 3 ? { ...e, details: { duty: 'other' } } : e));
    expect(verifyChain(edited, head)).toMatchObject({ ok: false, seq: 3, count: 2 });

    const gap = entries.filter((e) => e.seq !== 3);
    expect(verifyChain(gap, head)).toMatchObject({ ok: false, seq: 4, count: 2 });

    const reordered = [at(0), { ...at(2), seq: 2 }, { ...at(1), seq: 3 }, at(3), at(4)];
    expect(verifyChain(reordered, head)).toMatchObject({ ok: false, seq: 2, count: 1 });

    expect(verifyChain(entries.slice(0, 4), head)).toMatchObject({ ok: false, seq: 5, count: 4 });
    expect(verifyChain(entries, undefined)).toMatchObject({ ok: false, seq: 0, count: 5 });
    expect(verifyChain(entries, { seq: 5, hash: 'f'.repeat(64) })).toMatchObject({ ok: false, seq: 5, count: 5 });
  });

  it('what the store writes is what verifyChain checks', () => {
    const entries = (store.db.prepare('SELECT seq FROM audit_log ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
    expect(entries).toEqual([1, 2, 3, 4, 5]);
    const expected = chain(inputs);
    expect(store.listAudit('r1')).toEqual(expected.filter((e) => e.reportId === 'r1'));
  });
});

describe('safeguarding-bot audit verify', () => {
  const run = async (file: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['audit', 'verify', '--db', file], (s) => out.push(s), (s) => err.push(s));
    return { code, out, err };
  };

  it('prints OK and returns 0 for a good log', async () => {
    store.db.close();
    const r = await run(dbFile);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]?.startsWith('OK: the audit log verifies (5 entries)')).toBe(true);
    expect(r.err).toEqual([]);
  });

  it('prints BROKEN and returns 2 for an edited log', async () => {
    dropTriggers();
    store.db.prepare(`UPDATE audit_log SET details_json = '{"duty":"d9"}' WHERE seq = 3`).run();
    store.db.close();
    const r = await run(dbFile);
    expect(r.code).toBe(2);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]?.startsWith('BROKEN at entry 3')).toBe(true);
    expect(r.out[0]).toContain('(2 entries verified before it)');
  });
});
