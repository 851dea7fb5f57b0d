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
import Database from 'better-sqlite3';
import { Workflow } from '../src/core/workflow.js';
import { loadSchool } from '../src/files/school-files.js';
import { openDatabase } from '../src/store/database.js';
import { DiskEvidenceFiles } from '../src/store/evidence-files.js';
import { Keyring } from '../src/store/keyring.js';
import { aad } from '../src/store/seal-existing.js';
import { openJson } from '../src/store/sealed.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { cloneRows } from './seed-clone.js';


type Row = Record<string, unknown>;
export const cacheDir = path.resolve('.cache/bench');


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

  db.close();

  // While the clones go in: no journal (a connection of its own: the store's would stay in
  // WAL, and one statement a table would pile gigabytes into the WAL), no foreign-key
  // checks, no secondary indexes (rebuilt below, each in one sorted pass).
  const raw = new Database(tmp);
  raw.unsafeMode(true); // better-sqlite3's defensive mode refuses journal_mode = OFF
  raw.pragma('journal_mode = DELETE');
  if (String(raw.pragma('journal_mode = OFF', { simple: true })) !== 'off') throw new Error('seed: could not turn the journal off');
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -262144'); // 256 MB
  raw.pragma('foreign_keys = OFF');
  raw.pragma('temp_store = MEMORY');
  const seededTables = ['reports', 'duties', 'timers', 'outbox', 'message_refs', 'idempotency_keys', 'handled_events', 'audit_log'];
  const indexes = raw
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${seededTables.map(() => '?').join(',')})`)
    .all(...seededTables) as { name: string; sql: string }[];
  for (const ix of indexes) raw.exec(`DROP INDEX "${ix.name.replaceAll('"', '""')}"`);
  cloneRows({ db: raw, keys, n, report, form, routing, duties, specs, timers, outbox, payloads, audits, log: (s) => log(`  ${s} (${Math.round((Date.now() - started) / 1000)} s)`) });
  log(`  indexing (${Math.round((Date.now() - started) / 1000)} s)`);
  for (const ix of indexes) raw.exec(ix.sql);
  raw.pragma('journal_mode = WAL');
  raw.close();
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
