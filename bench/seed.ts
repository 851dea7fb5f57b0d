// Seeds a database for the benchmark: N reports, a realistic mix (most closed, some
// thousands open), with duties, timers, outbox, message-reference and audit rows. One
// report is filed through the real workflow; the others are its rows cloned with new
// ids, sealed again with the key ring under their own ids, and audited through the real
// AuditLog (so `audit verify` checks a real keyed chain). Files are cached in .cache/bench/.
// Fast: ids are UUID-shaped but counted (each table's indexes grow at their end, never a
// random page), the secondary indexes are dropped while rows go in and built once after,
// and no journal is kept while seeding (a failed seed is thrown away, never used).
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { entryHash, headMac } from '../src/core/audit-chain.js';
import { Workflow } from '../src/core/workflow.js';
import { loadSchool } from '../src/files/school-files.js';
import { openDatabase } from '../src/store/database.js';
import { DiskEvidenceFiles } from '../src/store/evidence-files.js';
import { Keyring } from '../src/store/keyring.js';
import { aad } from '../src/store/seal-existing.js';
import { openJson, sealJson } from '../src/store/sealed.js';
import { SqliteStore } from '../src/store/sqlite-store.js';

type Row = Record<string, unknown>;
export const cacheDir = path.resolve('.cache/bench');

/** How many of N stay open: a few thousand at most (a school's live cases), most closed. */
export const openCount = (n: number): number => Math.min(3_000, Math.floor(n / 10));

export function seedFiles(n: number): { db: string; keyFile: string } {
  return { db: path.join(cacheDir, `seed-${n}.db`), keyFile: path.join(cacheDir, 'keys', 'keys.json') };
}

/** A seeded database of n reports (cached); returns its files. */
export async function seeded(n: number, log: (s: string) => void): Promise<{ db: string; keyFile: string }> {
  const files = seedFiles(n);
  if (existsSync(files.db)) return files;
  mkdirSync(cacheDir, { recursive: true });
  const started = Date.now();
  const tmp = `${files.db}.part`;
  rmSync(tmp, { force: true });
  rmSync(`${tmp}-wal`, { force: true });
  const keys = Keyring.loadOrCreate(files.keyFile).keyring;
  const db = openDatabase(tmp);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MB
  const store = new SqliteStore(db, keys);
  const school = loadSchool('data/school.example.yaml');
  // The template is filed at the worked example's own time (Monday 23 November 2026, 10:00).
  const filedAt = new Date('2026-11-23T10:00:00.000Z');
  store.prepare(filedAt);
  const workflow = new Workflow({
    store,
    evidenceFiles: new DiskEvidenceFiles(path.join(cacheDir, 'evidence'), keys),
    directory: school.directory,
    policy: school.policy,
    clock: () => filedAt,
    channels: ['slack'],
    evidenceLimits: { maxBytes: 1024 * 1024, maxFilesPerReport: 10 },
  });
  const example = (await import('../data/examples/worked-example-1-pupil-friend-request.json', { with: { type: 'json' } })).default as {
    reporter: string;
    report: Record<string, unknown>;
  };
  const t = await workflow.submit({ reporterId: example.reporter, form: example.report });
  const report = db.prepare('SELECT * FROM reports WHERE id = ?').get(t.reportId) as Row;
  const form = openJson(keys, String(report.form_json), aad.form(t.reportId));
  const routing = openJson(keys, String(report.routing_json), aad.routing(t.reportId));
  const duties = db.prepare('SELECT * FROM duties WHERE report_id = ?').all(t.reportId) as Row[];
  const specs = duties.map((d) => openJson(keys, String(d.spec_json), aad.spec(String(d.id))));
  const timers = db.prepare('SELECT * FROM timers WHERE report_id = ?').all(t.reportId) as Row[];
  const outbox = db.prepare('SELECT * FROM outbox WHERE report_id = ?').all(t.reportId) as Row[];
  const payloads = outbox.map((o) => openJson(keys, String(o.payload_json), `outbox.payload_json:${String(o.id)}`));
  const audits = db.prepare('SELECT * FROM audit_log WHERE report_id = ? ORDER BY seq').all(t.reportId) as Row[];

  // While the clones go in: no journal, no foreign-key checks, no secondary indexes
  // (rebuilt below, each in one sorted pass).
  db.pragma('foreign_keys = OFF');
  db.pragma('journal_mode = OFF');
  const seededTables = ['reports', 'duties', 'timers', 'outbox', 'message_refs', 'idempotency_keys', 'handled_events', 'audit_log'];
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${seededTables.map(() => '?').join(',')})`)
    .all(...seededTables) as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name.replaceAll('"', '""')}"`);
  // Counted ids in UUID form (version 4, variant 8 nibbles), one series a table.
  const countedId = (series: number) => {
    let next = 0;
    const head = `5eed${series.toString(16).padStart(4, '0')}-0000-4000-8000-`;
    return () => `${head}${(next++).toString(16).padStart(12, '0')}`;
  };
  const newId = { report: countedId(1), duty: countedId(2), timer: countedId(3), outbox: countedId(4) };

  const ins = {
    report: db.prepare(
      `INSERT INTO reports (id, reference, kind, status, urgent, reporter_id, submitted_at, form_json, routing_json, acknowledged_at, closed_at, closed_by, outcome)
       VALUES (@id, @reference, @kind, @status, 0, @reporter, @at, @form, @routing, @ackAt, @closedAt, @closedBy, @outcome)`,
    ),
    duty: db.prepare(
      `INSERT INTO duties (id, report_id, type, rules_json, nominal_role, levels_json, reach, via, spec_json, status, done_by, done_at, created_at)
       VALUES (@id, @reportId, @type, @rules, @role, @levels, @reach, @via, @spec, @status, @doneBy, @doneAt, @at)`,
    ),
    timer: db.prepare(
      `INSERT INTO timers (token, report_id, duty_id, kind, due_at, status, created_at, fired_at)
       VALUES (@token, @reportId, @dutyId, @kind, @dueAt, @status, @at, @firedAt)`,
    ),
    outbox: db.prepare(
      `INSERT INTO outbox (id, dedupe_key, channel, recipient_type, recipient_id, message_type, report_id, payload_json, status, attempts, next_attempt_at, created_at, sent_at)
       VALUES (@id, @dedupe, @channel, @rtype, @rid, @mtype, @reportId, @payload, 'sent', 1, 0, @at, @at)`,
    ),
    ref: db.prepare(
      `INSERT INTO message_refs (channel, report_id, recipient_id, duty_id, message_type, conversation_id, message_id, outbox_id, created_at)
       VALUES ('slack', @reportId, @rid, NULL, @mtype, @conv, @ts, @outboxId, @at)`,
    ),
    idem: db.prepare('INSERT INTO idempotency_keys (key, result_json, created_at) VALUES (@key, @result, @at)'),
    handled: db.prepare(`INSERT INTO handled_events (channel, event_id, handled_at) VALUES ('slack', @id, @at)`),
    audit: db.prepare(
      `INSERT INTO audit_log (seq, at, actor, action, report_id, details_json, prev_hash, hash, key_id)
       VALUES (@seq, @at, @actor, @action, @reportId, @details, @prevHash, @hash, @keyId)`,
    ),
    head: db.prepare('UPDATE audit_head SET seq = @seq, hash = @hash, key_id = @keyId, mac = @mac WHERE id = 1'),
  };
  const auditKey = { id: keys.currentId, key: keys.auditKey(keys.currentId) as Buffer };
  const head = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as { seq: number; hash: string };
  let seq = head.seq;
  let prevHash = head.hash;
  const auditDetails = (a: Row) => JSON.parse(String(a.details_json)) as Record<string, unknown>;
  const open = openCount(n);
  const batch = 50_000;
  const span = 3 * 365 * 86_400_000; // three school years
  const now = Date.now();
  for (let from = 1; from < n; from += batch) {
    store.transaction(() => {
      for (let i = from; i < Math.min(n, from + batch); i += 1) {
        const isOpen = i >= n - open;
        const id = newId.report();
        const at = new Date(isOpen ? now - 6 * 86_400_000 + i : now - span + Math.floor((i / n) * (span - 10 * 86_400_000))).toISOString();
        ins.report.run({
          id,
          reference: `SG-${at.slice(0, 4)}-S${String(i).padStart(7, '0')}`,
          kind: report.kind,
          status: isOpen ? 'open' : 'closed',
          reporter: report.reporter_id,
          at,
          form: sealJson(keys, form, aad.form(id)),
          routing: sealJson(keys, routing, aad.routing(id)),
          ackAt: isOpen ? null : at,
          closedAt: isOpen ? null : at,
          closedBy: isOpen ? null : 'jo-patel',
          outcome: isOpen ? null : 'no_further_action',
        });
        const dutyIds = duties.map((d, k) => {
          const dutyId = newId.duty();
          ins.duty.run({
            id: dutyId,
            reportId: id,
            type: d.type,
            rules: d.rules_json,
            role: d.nominal_role,
            levels: d.levels_json,
            reach: d.reach,
            via: d.via,
            spec: sealJson(keys, specs[k], aad.spec(dutyId)),
            status: isOpen ? 'open' : 'done',
            doneBy: isOpen ? null : 'jo-patel',
            doneAt: isOpen ? null : at,
            at,
          });
          return [String(d.id), dutyId] as const;
        });
        const dutyMap = new Map(dutyIds);
        for (const tm of timers)
          ins.timer.run({
            token: newId.timer(),
            reportId: id,
            dutyId: dutyMap.get(String(tm.duty_id)),
            kind: tm.kind,
            // Open cases' deadlines lie ahead (a week on), so no timer fires during the benchmark.
            dueAt: isOpen ? now + 7 * 86_400_000 + i : Date.parse(at) + 3_600_000,
            status: isOpen ? 'pending' : 'cancelled',
            at,
            firedAt: isOpen ? null : at,
          });
        // Sent messages, handled-event ids and idempotency keys are pruned after 30 days:
        // only recent cases still have them.
        const recent = now - Date.parse(at) < 30 * 86_400_000;
        if (recent) outbox.forEach((o, k) => {
          const outboxId = newId.outbox();
          ins.outbox.run({
            id: outboxId,
            dedupe: `${String(o.message_type)}:${id}:${k}`,
            channel: o.channel,
            rtype: o.recipient_type,
            rid: o.recipient_id,
            mtype: o.message_type,
            reportId: id,
            payload: sealJson(keys, payloads[k], `outbox.payload_json:${outboxId}`),
            at,
          });
          ins.ref.run({ reportId: id, rid: o.recipient_id, mtype: o.message_type, conv: 'C0DSLPRIV01', ts: `${1_700_000_000 + i}.${k}`, outboxId, at });
        });
        else ins.ref.run({ reportId: id, rid: 'C0DSLPRIV01', mtype: 'dsl_channel_new_report', conv: 'C0DSLPRIV01', ts: `${1_700_000_000 + i}.0`, outboxId: null, at });
        if (recent) {
          ins.idem.run({ key: `slack:VSEED${i}`, result: JSON.stringify({ reportId: id }), at });
          ins.handled.run({ id: `event:EvSEED${i}`, at });
        }
        // One entry a report (its submission), chained with the real keyed hash; the head
        // is written once a batch (what AuditLog.append does, without re-reading it each time).
        for (const a of audits) {
          const entry = { at, actor: String(a.actor), action: String(a.action), reportId: id, details: auditDetails(a) };
          seq += 1;
          const hash = entryHash(seq, prevHash, entry, auditKey);
          ins.audit.run({ seq, at, actor: entry.actor, action: entry.action, reportId: id, details: String(a.details_json), prevHash, hash, keyId: auditKey.id });
          prevHash = hash;
        }
      }
      ins.head.run({ seq, hash: prevHash, keyId: auditKey.id, mac: headMac({ seq, hash: prevHash }, auditKey) });
    });
    if (from % 100_000 < batch) log(`  seeded ${Math.min(n, from + batch - 1)} of ${n} reports (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  log(`  indexing (${Math.round((Date.now() - started) / 1000)} s)`);
  for (const ix of indexes) db.exec(ix.sql);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(tmp, files.db);
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  log(`  seeded ${n} reports in ${Math.round((Date.now() - started) / 1000)} s`);
  return files;
}

/** A working copy of a seeded database (the benchmark writes to it). */
export function workingCopy(seed: { db: string }, dir: string): string {
  const file = path.join(dir, 'bot.db');
  copyFileSync(seed.db, file);
  return file;
}
