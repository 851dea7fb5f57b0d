import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ensurePrivateDir } from './keyring.js';

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
  if (file !== ':memory:') createPrivately(file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    if (file !== ':memory:') for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
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

/**
 * The database (and its -wal and -shm, which SQLite makes with the database's mode) is
 * 0600 in a 0700 folder: only the bot's user can read it.
 */
function createPrivately(file: string): void {
  ensurePrivateDir(path.dirname(path.resolve(file)));
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/**
 * An existing database, read only, for checking (`audit verify`): a missing file is an
 * error and nothing is created; no migration runs (a database from an older version is
 * read as it is).
 */
export function openExistingDatabase(file: string): SqliteDatabase {
  if (!existsSync(file)) throw new Error(`the database ${path.resolve(file)} does not exist (nothing was created; give --db or DATABASE_PATH)`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('SELECT 1 FROM audit_log LIMIT 1').get();
    return db;
  } catch (err) {
    db.close();
    throw new Error(`${path.resolve(file)} is not a safeguarding-bot database (${(err as Error).message})`);
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
