import { AsyncLocalStorage } from 'node:async_hooks';
import { close, fsync, open } from 'node:fs';
import { durableTransaction, type SqliteDatabase } from './database.js';

/**
 * Group commit for requests whose answer can wait for the disk without holding the event
 * loop: a workflow step made inside `whileAnswering` commits without its own fsync
 * (synchronous NORMAL in WAL: the commit is in the WAL file, safe from a process crash),
 * and `whileAnswering` resolves only once the WAL file has been fsynced (on libuv's thread
 * pool) after that commit. The caller answers after that, so "persist, then reply" holds
 * for a power cut too, exactly as a FULL commit does: one fsync of the WAL after the
 * commit's frames are written is what FULL does itself. Concurrent requests share one
 * fsync, and nobody waits on the main thread for the disk meanwhile.
 *
 * Outside `whileAnswering` (timers, the outbox, the CLI, Teams and the sandbox), or for a
 * database that is not a WAL file, every step commits with FULL as before. An fsync that
 * fails turns group commit off for good (a later fsync could report success for pages
 * the kernel already dropped), and the requests waiting on it fail: they are not told
 * their report is safe.
 */
export class GroupCommit {
  private readonly context = new AsyncLocalStorage<{ open: boolean }>();
  private readonly walFile: string | undefined;
  private committed = 0;
  private durable = 0;
  private syncing: Promise<void> | undefined;
  private broken = false;
  /** How many shared fsyncs ran (each covering every step committed before it started). */
  fsyncs = 0;

  constructor(private readonly db: SqliteDatabase) {
    const wal = !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    this.walFile = wal ? `${db.name}-wal` : undefined;
  }

  /** Steps committed inside `whileAnswering` and not yet known to be on disk. */
  get unsynced(): number {
    return this.committed - this.durable;
  }

  /** Whether steps made inside `whileAnswering` wait for one shared fsync instead of their own. */
  get enabled(): boolean {
    return this.walFile !== undefined && !this.broken;
  }

  /**
   * Runs `fn` (a request's handling); workflow steps in it commit without their own
   * fsync, and this resolves once all of them are on disk (rejects if that failed).
   */
  async whileAnswering<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.enabled) return fn();
    const ctx = { open: true };
    try {
      return await this.context.run(ctx, fn);
    } finally {
      // Work the request left running (an outbox drain it started) commits durably from now on.
      ctx.open = false;
      await this.synced();
    }
  }

  /** One workflow step: deferred to the shared fsync inside `whileAnswering`, else FULL. */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction || !this.enabled || this.context.getStore()?.open !== true) return durableTransaction(this.db, fn);
    const out = this.db.transaction(fn).immediate();
    this.committed += 1;
    return out;
  }

  /**
   * Before saying anything about what was stored: resolves once it is on disk, at once when
   * nothing waits for the shared fsync. A group commit turned off by a failed fsync answered
   * its request 500 and later steps commit FULL, so nobody is held for ever.
   */
  onDisk(): Promise<void> {
    return this.enabled && this.unsynced > 0 ? this.synced() : Promise.resolve();
  }

  /** Resolves once every step committed so far (inside `whileAnswering`) is on disk. */
  async synced(): Promise<void> {
    const target = this.committed;
    while (this.durable < target) {
      this.syncing ??= this.fsyncOnce().finally(() => (this.syncing = undefined));
      await this.syncing;
    }
  }

  private async fsyncOnce(): Promise<void> {
    const upTo = this.committed; // the commits whose frames are already written
    try {
      // Opened for each fsync (on the thread pool, like the fsync): no descriptor kept
      // open, and never a stale one should SQLite ever make the WAL file anew. Opened for
      // writing (nothing is written): Windows refuses to flush a file opened read-only.
      await new Promise<void>((resolve, reject) =>
        open(this.walFile as string, 'r+', (err, fd) => {
          if (err) return reject(err);
          fsync(fd, (failed) => close(fd, () => (failed ? reject(failed) : resolve())));
        }),
      );
      this.fsyncs += 1;
      this.durable = Math.max(this.durable, upTo);
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }
}

const byDatabase = new WeakMap<SqliteDatabase, GroupCommit>();

/** The one group commit of a database connection (the store's steps and the channel's requests share it). */
export function groupCommitFor(db: SqliteDatabase): GroupCommit {
  let g = byDatabase.get(db);
  if (!g) {
    g = new GroupCommit(db);
    byDatabase.set(db, g);
  }
  return g;
}
