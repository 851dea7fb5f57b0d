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

/**
 * The numbered migrations shipped with the bot: "0001_init.sql", "0002_….sql", … in
 * order, each number once. A number may be skipped (numbers are handed out to work done
 * in parallel, and one may land before another); the ledger still refuses a database
 * whose applied migrations are not exactly the first ones shipped.
 */
export function readMigrations(dir = migrationsDir): Migration[] {
  let last = 0;
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const version = Number(file.slice(0, 4));
      if (version <= last) throw new Error(`migration ${file} is out of sequence (a migration numbered ${String(version).padStart(4, '0')} comes before it)`);
      if (last === 0 && version !== 1) throw new Error(`migration ${file} is out of sequence (expected 0001 first)`);
      last = version;
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
/** The database cannot be opened for writing (a read-only disk or folder, a folder in its place, no room). */
export class DatabaseOpenError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';

  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(
      `The database ${path.resolve(file)} cannot be opened for writing (${reason}). Check DATABASE_PATH, that its folder exists or can be made, is writable by this user and has room, and that the path is not a folder.`,
    );
    this.name = 'DatabaseOpenError';
  }
}

/** The cause of a failed open in a word or two: the system's or SQLite's code. */
function openFailure(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' ? e.code : String(e.message ?? err);
}

export function openDatabase(file: string, migrations: Migration[] = readMigrations()): SqliteDatabase {
  let db: SqliteDatabase | undefined;
  try {
    if (file !== ':memory:') createPrivately(file);
    db = new Database(file);
    db.pragma('journal_mode = WAL');
  } catch (err) {
    db?.close();
    throw new DatabaseOpenError(file, openFailure(err));
  }
  try {
    if (file !== ':memory:') for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    // NORMAL in WAL: a commit is safe from a process crash at any instant (the WAL is in
    // the operating system's hands); only a power cut or OS crash can undo the last
    // commits. The steps that accept or change a report commit with FULL (durably), see
    // `durableTransaction`; NORMAL covers the bookkeeping after the answer (outbox claims
    // and marks, message references, handled events), which a power cut can at worst
    // make happen twice (a card posted again), never lose a report.
    db.pragma('synchronous = NORMAL');
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
    // Checking reads every entry and looks up its report by id: a page cache of up to
    // 128 MB keeps a million reports' index in memory instead of re-reading the disk.
    db.pragma('cache_size = -131072');
    db.prepare('SELECT 1 FROM audit_log LIMIT 1').get();
    return db;
  } catch (err) {
    db.close();
    throw new Error(`${path.resolve(file)} is not a safeguarding-bot database (${(err as Error).message})`);
  }
}

/**
 * Runs `fn` in one IMMEDIATE transaction whose commit reaches the disk before it returns
 * (synchronous = FULL for this commit), so a report accepted and answered survives a
 * power cut too. Inside another transaction it is part of that one.
 */
export function durableTransaction<T>(db: SqliteDatabase, fn: () => T): T {
  if (db.inTransaction) return db.transaction(fn).immediate();
  db.pragma('synchronous = FULL');
  try {
    return db.transaction(fn).immediate();
  } finally {
    db.pragma('synchronous = NORMAL');
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
    if (i > 0 && row.version <= (ledger[i - 1]?.version ?? 0))
      throw new DatabaseOutOfSyncError(`the database's migration ledger is out of order at ${row.name}; refusing to use it`);
    if (known && row.version > known.version)
      throw new DatabaseOutOfSyncError(`the database's migration ledger has a gap before ${row.name} (${known.name} was never applied); refusing to use it`);
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
