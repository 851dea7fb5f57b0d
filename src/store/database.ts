import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The numbered migrations shipped with the bot: "0001_init.sql", "0002_….sql", … */
export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file, i) => {
      const version = Number(file.slice(0, 4));
      if (version !== i + 1) throw new Error(`migration ${file} is out of sequence (expected ${String(i + 1).padStart(4, '0')})`);
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return { version, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class DatabaseOutOfSyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseOutOfSyncError';
  }
}

/**
 * Opens the database (WAL, foreign keys on) and brings it up to date. The ledger
 * `schema_migrations` records what was applied; a database whose ledger does not match
 * the migrations shipped (one changed after it was applied, or one this version does
 * not know, i.e. a newer bot wrote it) is refused, never guessed at.
 */
export function openDatabase(file: string, migrations: Migration[] = readMigrations()): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function migrate(db: SqliteDatabase, migrations: Migration[]): { applied: number[] } {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const ledger = db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
    checksum: string;
  }[];
  ledger.forEach((row, i) => {
    const known = migrations[i];
    if (row.version !== i + 1)
      throw new DatabaseOutOfSyncError(`the database's migration ledger has a gap before ${row.name}; refusing to use it`);
    if (!known)
      throw new DatabaseOutOfSyncError(
        `the database has migration ${row.name}, which this version of the bot does not know (was it opened by a newer version?); refusing to use it`,
      );
    if (known.name !== row.name || known.checksum !== row.checksum)
      throw new DatabaseOutOfSyncError(
        `migration ${known.name} differs from the one applied to this database (${row.name}); refusing to use it`,
      );
  });
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, @appliedAt)',
  );
  const applied: number[] = [];
  for (const m of migrations.slice(ledger.length)) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run({ version: m.version, name: m.name, checksum: m.checksum, appliedAt: new Date().toISOString() });
    })();
    applied.push(m.version);
  }
  return { applied };
}
