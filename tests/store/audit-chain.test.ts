import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCli, runCli } from '../../src/cli/main.js';
import { commandLinePaths } from '../../src/config.js';
import { canonicalJson, entryHash, genesisHash, headMac, verifyChain, type AuditKey } from '../../src/core/audit-chain.js';
import type { AuditEntry, AuditInput } from '../../src/core/ports.js';
import { openDatabase } from '../../src/store/database.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { aad } from '../../src/store/seal-existing.js';
import { sealBytes, sealText } from '../../src/store/sealed.js';
import { example, harness, tempDir, tinyPng, type Harness } from '../support/harness.js';

// G7 and issue 9: the audit log proves itself. A real workflow on a real SQLite file, then
// the file is tampered with as someone with the database (but not the key file) could,
// and the real CLI (`audit verify`) must find each change, and list every problem.

let h: Harness;
let ids: { r1: string; r2: string; r3: string; ref1: string };
const keyFile = () => path.join(h.dir, 'keys', 'keys.json');
const evidenceDir = () => path.join(h.dir, 'evidence');

async function verify(...extra: string[]) {
  if (h.db.open) h.db.close();
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['audit', 'verify', '--db', h.dbFile, '--evidence', evidenceDir(), '--key-file', keyFile(), ...extra], (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** As an attacker with the file would: reopen it and drop the append-only triggers. */
function tamper(fn: (db: Harness['db']) => void) {
  if (h.db.open) h.db.close();
  const db = openDatabase(h.dbFile);
  db.exec('DROP TRIGGER IF EXISTS audit_append_only_update; DROP TRIGGER IF EXISTS audit_append_only_delete;');
  try {
    fn(db);
  } finally {
    db.close();
  }
}

type AuditRow = { seq: number; at: string; actor: string; action: string; report_id: string | null; details_json: string; prev_hash: string; hash: string; key_id: number | null };
const rows = (db: Harness['db']) => db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];

beforeEach(async () => {
  h = harness();
  // A cyberbullying report with a screenshot, acknowledged and closed with a reason.
  const r1 = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(5).report, evidence: [{ bytes: tinyPng, meta: { fileName: 'chat.png' } }] });
  h.workflow.acknowledge({ reportId: r1.reportId, actorId: 'jo-patel' });
  h.workflow.close({ reportId: r1.reportId, actorId: 'jo-patel', outcome: 'action_taken', reason: 'Spoke to both families.' });
  // A concern about a colleague: the headteacher decides, with a reason.
  const r2 = await h.workflow.submit({ reporterId: 'ben-hughes', form: example(2).report });
  h.workflow.acknowledge({ reportId: r2.reportId, actorId: 'alex-morgan' });
  h.workflow.recordDecision({ reportId: r2.reportId, actorId: 'alex-morgan', choice: 'refer_to_lado', reason: 'Pattern of contact.' });
  // Violent content on a school laptop: the ICT technician blocks it.
  const r3 = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(4).report });
  h.workflow.completeTask({ reportId: r3.reportId, actorId: 'lee-evans', action: 'Blocked video.example.com on the filter.' });
  ids = { r1: r1.reportId, r2: r2.reportId, r3: r3.reportId, ref1: r1.reference };
});
afterEach(() => h.close());

describe('audit verify on a good log', () => {
  it('says OK, names the file, counts the evidence re-hashed, and prints the head to anchor', async () => {
    const r = await verify();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const db = openDatabase(h.dbFile);
    const count = rows(db).length;
    db.close();
    expect(r.out).toContain(`OK: the audit log of ${path.resolve(h.dbFile)} verifies (${count} entries, 1 evidence files re-hashed)`);
    expect(r.out).toMatch(new RegExp(`Head: ${count}:[0-9a-f]{64}`));
  });

  it('entries are keyed (HMAC with the key file), and hold content hashes, never the text', async () => {
    const all = rows(h.db);
    expect(all[0]?.action).toBe('audit.started');
    expect(all.every((r) => r.key_id === 1)).toBe(true);
    const submitted = all.filter((r) => r.action === 'report.submitted').map((r) => JSON.parse(r.details_json) as Record<string, unknown>);
    expect(submitted[0]).toMatchObject({ formSha256: expect.stringMatching(/^[0-9a-f]{64}$/), evidenceSha256: [expect.stringMatching(/^[0-9a-f]{64}$/)] });
    const text = JSON.stringify(all);
    expect(text).not.toMatch(/Spoke to both families|Pattern of contact|Blocked video|violent video/);
    for (const action of ['report.closed', 'decision.recorded'])
      expect(JSON.parse(all.find((r) => r.action === action)?.details_json ?? '{}')).toHaveProperty('reasonSha256');
    expect(JSON.parse(all.find((r) => r.action === 'task.completed')?.details_json ?? '{}')).toHaveProperty('actionSha256');
  });

  it('checks against a head given from outside (--head SEQ:HASH)', async () => {
    const head = /Head: (\d+:[0-9a-f]{64})/.exec((await verify()).out)?.[1] as string;
    expect((await verify('--head', head)).code).toBe(0);
    expect((await verify('--head', 'nonsense')).code).toBe(1);
  });
});

describe('tampering with the file (triggers dropped) is detected by audit verify', () => {
  const expectBroken = async (pattern: RegExp, ...extra: string[]) => {
    const r = await verify(...extra);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^BROKEN: the audit log of .* has \d+ problems?/);
    expect(r.out).toMatch(pattern);
    return r.out;
  };

  it('an edited entry', async () => {
    tamper((db) => db.prepare(`UPDATE audit_log SET details_json = '{"outcome":"no_further_action"}' WHERE action = 'report.closed'`).run());
    await expectBroken(/entry \d+: its contents do not match its keyed hash/);
  });

  it('a deleted entry', async () => {
    tamper((db) => db.prepare(`DELETE FROM audit_log WHERE seq = 4`).run());
    await expectBroken(/entry 5: entries 4–4 are missing/);
  });

  it('reordered entries', async () => {
    tamper((db) => {
      const [a, b] = [rows(db)[2] as AuditRow, rows(db)[3] as AuditRow];
      const put = db.prepare(`UPDATE audit_log SET at = @at, actor = @actor, action = @action, report_id = @report_id, details_json = @details_json, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq`);
      put.run({ ...b, seq: a.seq });
      put.run({ ...a, seq: b.seq });
    });
    await expectBroken(/entry 3: it does not follow the entry before it/);
  });

  it('a cut tail with the stored head moved back', async () => {
    const anchor = /Head: (\d+:[0-9a-f]{64})/.exec((await verify()).out)?.[1] as string;
    tamper((db) => {
      const all = rows(db);
      const keep = all[all.length - 3] as AuditRow;
      db.prepare('DELETE FROM audit_log WHERE seq > ?').run(keep.seq);
      db.prepare('UPDATE audit_head SET seq = ?, hash = ?').run(keep.seq, keep.hash);
    });
    await expectBroken(/the recorded head is not sealed with the key \(moved back without the key\)/);
    // And against the head anchored outside (a checkpoint message), even if the head's MAC were right:
    await expectBroken(/the anchored entry \d+ is not in the log/, '--head', anchor);
  });

  it('a full rewrite without the key (a key of the attacker\'s own)', async () => {
    const theirs: AuditKey = { id: 1, key: Buffer.alloc(32, 7) };
    tamper((db) => {
      let prevHash = genesisHash;
      const put = db.prepare('UPDATE audit_log SET details_json = @details_json, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq');
      for (const r of rows(db)) {
        const details = JSON.parse(r.details_json) as Record<string, unknown>;
        if (r.action === 'report.closed') details.outcome = 'no_further_action';
        const entry = { at: r.at, actor: r.actor, action: r.action, reportId: r.report_id ?? undefined, details };
        const hash = entryHash(r.seq, prevHash, entry, theirs);
        put.run({ seq: r.seq, details_json: JSON.stringify(details), prev_hash: prevHash, hash });
        prevHash = hash;
      }
      const seq = rows(db).length;
      db.prepare('UPDATE audit_head SET seq = ?, hash = ?, mac = ?').run(seq, prevHash, headMac({ seq, hash: prevHash }, theirs));
    });
    const out = await expectBroken(/entry 1: its contents do not match its keyed hash/);
    expect(out.match(/do not match its keyed hash/g)?.length).toBeGreaterThan(5); // every entry is listed
  });

  it('a full rewrite as unkeyed entries (plain SHA-256, as before keys)', async () => {
    tamper((db) => {
      let prevHash = genesisHash;
      const put = db.prepare('UPDATE audit_log SET prev_hash = @prev_hash, hash = @hash, key_id = NULL WHERE seq = @seq');
      for (const r of rows(db)) {
        const hash = entryHash(r.seq, prevHash, { at: r.at, actor: r.actor, action: r.action, reportId: r.report_id ?? undefined, details: JSON.parse(r.details_json) });
        put.run({ seq: r.seq, prev_hash: prevHash, hash });
        prevHash = hash;
      }
      db.prepare('UPDATE audit_head SET seq = ?, hash = ?, key_id = NULL, mac = NULL').run(rows(db).length, prevHash);
    });
    await expectBroken(/no entry is keyed/);
  });

  it('a wiped log (entries and head)', async () => {
    tamper((db) => db.exec('DELETE FROM audit_log; DELETE FROM audit_head;'));
    const out = await expectBroken(/the log is empty/);
    expect(out).toContain(`report ${ids.ref1}: it is not in the audit log`);
  });

  it('an edited report text (plain JSON put in place of the sealed text)', async () => {
    tamper((db) => {
      const form = { ...example(5).report, description: 'Nothing happened.' };
      db.prepare('UPDATE reports SET form_json = ? WHERE id = ?').run(JSON.stringify(form), ids.r1);
    });
    await expectBroken(/the report text does not match its hash in the audit log \(edited\)/);
  });

  it("a report's text swapped for another report's sealed text", async () => {
    tamper((db) => db.prepare('UPDATE reports SET form_json = (SELECT form_json FROM reports WHERE id = ?) WHERE id = ?').run(ids.r2, ids.r1));
    await expectBroken(/the report text does not open/);
  });

  it('an edited closing reason, decision reason and action (each re-sealed with the right key, even)', async () => {
    tamper((db) => {
      db.prepare('UPDATE reports SET close_reason = ? WHERE id = ?').run(sealText(h.keys, 'Nothing to see.', aad.closeReason(ids.r1)), ids.r1);
      const duty = db.prepare(`SELECT id FROM duties WHERE report_id = ? AND type = 'decision'`).get(ids.r2) as { id: string };
      db.prepare('UPDATE duties SET result_json = ? WHERE id = ?').run(JSON.stringify({ choice: 'refer_to_lado', reason: 'No reason.' }), duty.id);
      const task = db.prepare(`SELECT id FROM duties WHERE report_id = ? AND type = 'task'`).get(ids.r3) as { id: string };
      db.prepare('UPDATE duties SET result_json = ? WHERE id = ?').run(JSON.stringify({ action: 'Nothing.' }), task.id);
    });
    const out = await expectBroken(/the closing reason does not match its hash/);
    expect(out).toMatch(/the decision reason does not match its hash/);
    expect(out).toMatch(/the action taken does not match its hash/);
    expect(out).toMatch(/has 3 problems/);
  });

  it('a replaced evidence file (another picture, sealed properly), and a missing one', async () => {
    const sha = (h.db.prepare('SELECT sha256 FROM evidence').get() as { sha256: string }).sha256;
    const file = path.join(evidenceDir(), sha.slice(0, 2), sha);
    const other = Buffer.concat([tinyPng, Buffer.from('another picture')]);
    writeFileSync(file, sealBytes(h.keys, other, `evidence:${sha}`));
    await expectBroken(/evidence [0-9a-f]{12}… \(SG-\d{4}-\d{4}\): the file does not match its hash \(replaced or altered\)/);
    writeFileSync(file, other);
    await expectBroken(/the file does not match its hash/);
  });

  it('lists every problem, not only the first', async () => {
    tamper((db) => {
      db.prepare(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2`).run();
      db.prepare(`DELETE FROM audit_log WHERE seq = 6`).run();
      db.prepare('UPDATE reports SET close_reason = ? WHERE id = ?').run('edited', ids.r1);
    });
    const out = await expectBroken(/entry 2: its contents do not match its keyed hash/);
    expect(out).toMatch(/entry 7: entries 6–6 are missing/);
    expect(out).toMatch(/the closing reason does not match its hash/);
  });
});

describe('audit verify checks the file it names (issue 11)', () => {
  it('a missing database is an error, and nothing is created', async () => {
    const missing = path.join(tempDir('sgbot-nodb-'), 'typo.db');
    const err: string[] = [];
    const code = await runCli(['audit', 'verify', '--db', missing, '--key-file', keyFile()], () => {}, (s) => err.push(s));
    expect(code).toBe(1);
    expect(err.join('\n')).toContain(`the database ${missing} does not exist`);
    expect(existsSync(missing)).toBe(false);
  });

  it('a missing key file is an error', async () => {
    const err: string[] = [];
    const code = await runCli(['audit', 'verify', '--db', h.dbFile, '--key-file', path.join(h.dir, 'nokeys.json')], () => {}, (s) => err.push(s));
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/key file .*nokeys.json does not exist/);
  });

  it('the help names the defaults it uses', async () => {
    const help = buildCli(() => {}).commands.find((c) => c.name() === 'audit')?.commands.find((c) => c.name() === 'verify')?.helpInformation() ?? '';
    expect(help.replace(/\s+/g, ' ')).toContain('(default: DATABASE_PATH, else data/safeguarding.db)');
    // …and that is the default: the school's database, not the sandbox's, whatever credentials are set.
    expect(commandLinePaths({}).databasePath).toBe('data/safeguarding.db');
    expect(commandLinePaths({ SANDBOX: 'true' }).databasePath).toBe('data/safeguarding.db');
    expect(commandLinePaths({ DATABASE_PATH: '/srv/bot/bot.db' }).databasePath).toBe('/srv/bot/bot.db');
  });
});

describe('strings that are not well-formed UTF-16, and a log from before keys', () => {
  it('a lone surrogate in an actor or details is written as U+FFFD (hashed as stored) and the log still verifies', async () => {
    h.store.appendAudit({ at: '2026-11-23T11:00:00.000Z', actor: 'U\ud800X', action: 'action.refused', details: { code: 'FORBIDDEN', who: '\udc00' } });
    const r = await verify();
    expect(r.code).toBe(0);
  });

  it('an old unkeyed entry whose lone surrogate SQLite stored as U+FFFD verifies (it failed for good before)', () => {
    // The premise: a lone surrogate goes into SQLite and comes back as U+FFFD (three of them with
    // better-sqlite3 12, which stored its three bytes; one with 13, which converts it on the way in).
    const db = openDatabase(path.join(h.dir, 'premise.db'));
    db.exec('CREATE TABLE t (v TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('U\ud800X');
    const readBack = (db.prepare('SELECT v FROM t').get() as { v: string }).v;
    expect(readBack).toMatch(/^U\uFFFD{1,3}X$/);
    db.close();
    // An entry hashed (before keys) with the surrogate, read back with U+FFFD; then sealed by "audit.keyed".
    const key: AuditKey = { id: 1, key: Buffer.alloc(32, 3) };
    const written = { at: '2026-11-23T10:00:00.000Z', actor: 'U\ud800X', action: 'action.refused', details: { code: 'FORBIDDEN' } };
    const hash1 = entryHash(1, genesisHash, written);
    const stored = { ...written, actor: readBack, seq: 1, prevHash: genesisHash, hash: hash1 };
    const sealInput = { at: written.at, actor: 'system', action: 'audit.keyed', details: { unkeyedEntries: 1, unkeyedHead: hash1 } };
    const hash2 = entryHash(2, hash1, sealInput, key);
    const entries = [stored, { ...sealInput, seq: 2, prevHash: hash1, hash: hash2, keyId: 1 }];
    const check = verifyChain(entries, { seq: 2, hash: hash2, keyId: 1, mac: headMac({ seq: 2, hash: hash2 }, key) }, () => key);
    expect(check).toMatchObject({ ok: true, count: 2, unkeyed: 1 });
    // …but a real edit of that entry is still found.
    const edited = [{ ...stored, actor: 'V\uFFFD\uFFFD\uFFFDX' }, entries[1]!];
    expect(verifyChain(edited, { seq: 2, hash: hash2, keyId: 1, mac: headMac({ seq: 2, hash: hash2 }, key) }, () => key).ok).toBe(false);
  });

  it('an old log (unkeyed entries, plain text) is sealed at the next start and verifies; unkeyed entries after keyed ones do not', async () => {
    // Make the log as the bot before keys wrote it: plain SHA-256, no key id, plain JSON.
    tamper((db) => {
      let prevHash = genesisHash;
      const put = db.prepare('UPDATE audit_log SET prev_hash = @prev_hash, hash = @hash, key_id = NULL WHERE seq = @seq');
      for (const r of rows(db)) {
        const hash = entryHash(r.seq, prevHash, { at: r.at, actor: r.actor, action: r.action, reportId: r.report_id ?? undefined, details: JSON.parse(r.details_json) });
        put.run({ seq: r.seq, prev_hash: prevHash, hash });
        prevHash = hash;
      }
      db.prepare('UPDATE audit_head SET seq = ?, hash = ?, key_id = NULL, mac = NULL').run(rows(db).length, prevHash);
      db.prepare('UPDATE reports SET form_json = ? WHERE id = ?').run(JSON.stringify(example(5).report), ids.r1);
      db.prepare('UPDATE reports SET close_reason = ? WHERE id = ?').run('Spoke to both families.', ids.r1);
      db.prepare(`UPDATE duties SET result_json = ? WHERE report_id = ? AND type = 'decision'`).run(JSON.stringify({ choice: 'refer_to_lado', reason: 'Pattern of contact.' }), ids.r2);
      db.pragma('user_version = 0'); // as a database from before sealing: never marked "all sealed"
    });
    // Plain values from before encryption are read as they are…
    const unprepared = new SqliteStore(openDatabase(h.dbFile), h.keys);
    expect(unprepared.getReport(ids.r1)?.closeReason).toBe('Spoke to both families.');
    unprepared.db.close();
    h.restart(); // prepare(): seals the plain text, and seals the unkeyed entries with "audit.keyed"
    const last = rows(h.db).at(-1) as AuditRow;
    expect(last.action).toBe('audit.keyed');
    expect((h.db.prepare('SELECT form_json FROM reports WHERE id = ?').get(ids.r1) as { form_json: string }).form_json).toMatch(/^sg1:1:/);
    // …and sealed at the next start, still reading the same.
    expect((h.db.prepare('SELECT close_reason FROM reports WHERE id = ?').get(ids.r1) as { close_reason: string }).close_reason).toMatch(/^sg1:1:/);
    expect(h.store.getReport(ids.r1)?.closeReason).toBe('Spoke to both families.');
    expect(h.store.listDuties(ids.r2).find((d) => d.type === 'decision')?.result).toEqual({ choice: 'refer_to_lado', reason: 'Pattern of contact.' });
    const r = await verify();
    expect(r.out).toContain('Note: entries 1–');
    expect(r.code).toBe(0);
    tamper((db) => {
      const lastRow = rows(db).at(-1) as AuditRow;
      const entry = { at: lastRow.at, actor: 'system', action: 'x', details: {} };
      const hash = entryHash(lastRow.seq + 1, lastRow.hash, entry);
      db.prepare(`INSERT INTO audit_log (seq, at, actor, action, report_id, details_json, prev_hash, hash, key_id) VALUES (?, ?, 'system', 'x', NULL, '{}', ?, ?, NULL)`).run(lastRow.seq + 1, lastRow.at, lastRow.hash, hash);
    });
    expect((await verify()).out).toMatch(/it is not keyed, after keyed entries/);
  });
});

describe('verifyChain, entryHash and canonicalJson', () => {
  const key: AuditKey = { id: 1, key: Buffer.alloc(32, 1) };
  const inputs: AuditInput[] = [
    { at: '2026-11-23T10:00:00.000Z', actor: 'system', action: 'audit.started', details: {} },
    { at: '2026-11-23T10:01:00.000Z', actor: 'amy-clarke', action: 'report.submitted', reportId: 'r1', details: { kind: 'cyberbullying' } },
    { at: '2026-11-23T10:02:00.000Z', actor: 'jo-patel', action: 'report.acknowledged', reportId: 'r1', details: { duty: 'd1' } },
  ];
  const chain = (list: AuditInput[]): (AuditEntry & { keyId: number })[] => {
    let prevHash = genesisHash;
    return list.map((input, i) => {
      const hash = entryHash(i + 1, prevHash, input, key);
      const e = { ...input, seq: i + 1, prevHash, hash, keyId: 1 };
      prevHash = hash;
      return e;
    });
  };

  it('canonicalJson sorts keys at every depth and leaves out undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('a keyed hash depends on the key, and differs from the plain hash', () => {
    const input = inputs[1] as AuditInput;
    const a = entryHash(1, genesisHash, input, key);
    expect(entryHash(1, genesisHash, input, { id: 1, key: Buffer.alloc(32, 2) })).not.toBe(a);
    expect(entryHash(1, genesisHash, input, { id: 2, key: key.key })).not.toBe(a);
    expect(entryHash(1, genesisHash, input)).not.toBe(a);
  });

  it('a good chain verifies with its head; a missing or unsealed head does not', () => {
    const entries = chain(inputs);
    const last = entries.at(-1) as AuditEntry;
    const head = { seq: last.seq, hash: last.hash, keyId: 1, mac: headMac(last, key) };
    expect(verifyChain(entries, head, () => key)).toMatchObject({ ok: true, count: 3, problems: [] });
    expect(verifyChain(entries, undefined, () => key).problems.map((p) => p.problem)).toContain('the recorded head is missing');
    expect(verifyChain(entries, { ...head, mac: 'x' }, () => key).ok).toBe(false);
    expect(verifyChain(entries, head, () => undefined).problems).toHaveLength(4); // 3 entries + the head: no key
    expect(verifyChain(entries.slice(1), head, () => key).ok).toBe(false); // cut from the start
  });
});
