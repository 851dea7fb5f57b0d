import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DatabaseOutOfSyncError,
  migrate,
  migrationsDir,
  openDatabase,
  readMigrations,
  type SqliteDatabase,
} from '../../src/store/database.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { tempDir, testKeys } from '../support/harness.js';

// Migrations on real SQLite files in a temporary folder.

let dir: string;
let dbFile: string;
const opened: SqliteDatabase[] = [];

/** Opens and remembers the database, so that afterEach closes it even if a test fails. */
const open = (migrations = readMigrations()): SqliteDatabase => {
  const db = openDatabase(dbFile, migrations);
  opened.push(db);
  return db;
};

/** A migrations folder under the temporary folder with the given files (name → SQL; null copies the shipped file). */
const migrationsFolder = (name: string, files: Record<string, string | null>): string => {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (const [file, sql] of Object.entries(files)) {
    if (sql === null) copyFileSync(path.join(migrationsDir, file), path.join(folder, file));
    else writeFileSync(path.join(folder, file), sql);
  }
  return folder;
};

const init = '0001_init.sql';
const example = { '0002_add_example.sql': 'CREATE TABLE example (id INTEGER PRIMARY KEY);\n' };
const tables = (db: SqliteDatabase): string[] =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
const ledger = (db: SqliteDatabase) =>
  db.prepare('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
    checksum: string;
    applied_at: string;
  }[];

beforeEach(() => {
  dir = tempDir('sgbot-migrations-');
  dbFile = path.join(dir, 'test.db');
});

afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('readMigrations', () => {
  it('reads the shipped migrations in order, numbered from 1, with a sha256 checksum of each file', () => {
    const migrations = readMigrations();
    expect(migrations.length).toBeGreaterThanOrEqual(1);
    expect(migrations.map((m) => m.version)).toEqual([...migrations.map((m) => m.version)].sort((a, b) => a - b));
    expect(new Set(migrations.map((m) => m.version)).size).toBe(migrations.length);
    expect(migrations[0]?.name).toBe(init);
    for (const m of migrations) {
      expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(m.sql).toBe(readFileSync(path.join(migrationsDir, m.name), 'utf8'));
    }
  });

  it('ignores files that are not numbered migrations', () => {
    const folder = migrationsFolder('mixed', { [init]: null, 'README.md': '# notes', 'notes.sql': 'SELECT 1;' });
    expect(readMigrations(folder).map((m) => m.name)).toEqual([init]);
  });

  it('reads numbers handed out in parallel in order, with a gap (0001 and 0003)', () => {
    const folder = migrationsFolder('gap', { [init]: null, '0003_later.sql': 'CREATE TABLE later (id INTEGER PRIMARY KEY);' });
    expect(readMigrations(folder).map((m) => m.version)).toEqual([1, 3]);
  });

  it('refuses a number used twice, and a folder that does not start at 0001', () => {
    const twice = migrationsFolder('twice', { [init]: null, '0002_a.sql': 'SELECT 1;', '0002_b.sql': 'SELECT 2;' });
    expect(() => readMigrations(twice)).toThrow(/0002_b\.sql is out of sequence/);
    const late = migrationsFolder('late', { '0002_a.sql': 'SELECT 1;' });
    expect(() => readMigrations(late)).toThrow(/0002_a\.sql is out of sequence \(expected 0001 first\)/);
  });
});

describe('a fresh database', () => {
  it('gets every migration, with a ledger row (version, name, checksum) for each', () => {
    const migrations = readMigrations();
    const db = open(migrations);
    expect(ledger(db).map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(
      migrations.map(({ version, name, checksum }) => ({ version, name, checksum })),
    );
    for (const row of ledger(db)) expect(Number.isNaN(Date.parse(row.applied_at))).toBe(false);
    expect(tables(db)).toEqual(
      expect.arrayContaining(['reports', 'duties', 'evidence', 'audit_log', 'audit_head', 'outbox', 'timers', 'idempotency_keys']),
    );
  });

  it('migrate() on a bare database reports every version as applied', () => {
    const migrations = readMigrations();
    const db = new Database(dbFile);
    opened.push(db);
    expect(migrate(db, migrations)).toEqual({ applied: migrations.map((m) => m.version) });
    expect(ledger(db)).toHaveLength(migrations.length);
  });

  it('is in WAL mode with foreign keys on', () => {
    const db = open();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // Foreign keys are enforced: a duty for a report that does not exist is refused.
    expect(() =>
      db
        .prepare(
          `INSERT INTO duties (id, report_id, type, rules_json, nominal_role, levels_json, reach, via, spec_json, status, created_at)
           VALUES ('d1', 'no-such-report', 'acknowledge', '[]', 'dsl', '[]', 0, 'dsl_channel', '{}', 'open', '2026-11-23T10:00:00.000Z')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });
});

describe('an existing database', () => {
  it('applies nothing again when it is up to date', () => {
    const db = open();
    expect(migrate(db, readMigrations())).toEqual({ applied: [] });
    expect(ledger(db)).toHaveLength(readMigrations().length);
  });

  it('keeps its data when it is closed and reopened', () => {
    const db = open();
    const first = new SqliteStore(db, testKeys(dir));
    first.prepare(new Date('2026-11-23T09:00:00.000Z')); // a new log starts with "audit.started"
    const entry = first.appendAudit({
      at: '2026-11-23T10:00:00.000Z',
      actor: 'amy-clarke',
      action: 'report.submitted',
      reportId: 'r1',
      details: { kind: 'cyberbullying' },
    });
    db.close();

    const again = open();
    const store = new SqliteStore(again, testKeys(dir));
    expect(store.listAudit('r1')).toEqual([entry]);
    expect(store.verifyAudit()).toMatchObject({ ok: true, count: 2, head: { seq: 2, hash: entry.hash }, problems: [] });
    expect(migrate(again, readMigrations())).toEqual({ applied: [] });
  });

  it('gets only a new migration, and keeps its data', () => {
    const only1 = migrationsFolder('only1', { [init]: null });
    const both = migrationsFolder('both', { [init]: null, ...example });

    const first = open(readMigrations(only1));
    expect(tables(first)).not.toContain('example');
    first.prepare(`INSERT INTO reference_counters (year, last) VALUES (2026, 7)`).run();
    first.close();

    const db = new Database(dbFile);
    opened.push(db);
    expect(migrate(db, readMigrations(both))).toEqual({ applied: [2] });
    expect(tables(db)).toContain('example');
    expect(ledger(db).map((r) => [r.version, r.name])).toEqual([
      [1, init],
      [2, '0002_add_example.sql'],
    ]);
    expect(db.prepare('SELECT last FROM reference_counters WHERE year = 2026').pluck().get()).toBe(7);
    db.close();

    // And through openDatabase: nothing more to apply.
    const reopened = open(readMigrations(both));
    expect(migrate(reopened, readMigrations(both))).toEqual({ applied: [] });
  });
});

describe('a database that does not match the code is refused', () => {
  it('when an applied migration has changed since (checksum differs)', () => {
    const original = migrationsFolder('original', { [init]: null });
    const changed = migrationsFolder('changed', {
      [init]: `-- an extra comment line\n${readFileSync(path.join(migrationsDir, init), 'utf8')}`,
    });
    open(readMigrations(original)).close();

    let error: unknown;
    try {
      open(readMigrations(changed));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseOutOfSyncError);
    expect((error as Error).message).toContain(init);
    expect((error as Error).message).toMatch(/differs/);
  });

  it('when the ledger has a migration this code does not know (written by a newer version)', () => {
    const both = migrationsFolder('both', { [init]: null, ...example });
    const only1 = migrationsFolder('only1', { [init]: null });
    open(readMigrations(both)).close();

    expect(() => open(readMigrations(only1))).toThrow(DatabaseOutOfSyncError);
    expect(() => open(readMigrations(only1))).toThrow(/0002_add_example\.sql/);
  });

  it('when the ledger has a gap', () => {
    const both = migrationsFolder('both', { [init]: null, ...example });
    const db = open(readMigrations(both));
    db.prepare('DELETE FROM schema_migrations WHERE version = 1').run();
    db.close();

    expect(() => open(readMigrations(both))).toThrow(DatabaseOutOfSyncError);
    expect(() => open(readMigrations(both))).toThrow(/gap/);
  });

  it('and the refusal changes nothing in the database', () => {
    const both = migrationsFolder('both', { [init]: null, ...example });
    const only1 = migrationsFolder('only1', { [init]: null });
    open(readMigrations(only1)).close();
    const changed = migrationsFolder('changed', { [init]: '-- changed\nCREATE TABLE should_not_exist (id INTEGER);\n', ...example });

    expect(() => open(readMigrations(changed))).toThrow(DatabaseOutOfSyncError);
    const db = open(readMigrations(only1));
    expect(tables(db)).not.toContain('example');
    expect(tables(db)).not.toContain('should_not_exist');
    expect(ledger(db)).toHaveLength(1);
    // Still usable by the right code afterwards.
    db.close();
    expect(migrate(open(readMigrations(both)), readMigrations(both))).toEqual({ applied: [] });
  });
});
