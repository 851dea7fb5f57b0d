import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { groupCommitFor } from '../../src/store/group-commit.js';
import { tempDir } from '../support/harness.js';

// Group commit: the steps a Slack request makes share one fsync of the WAL, on the thread
// pool, and the request is answered only after it; everywhere else a step commits FULL.

let db: SqliteDatabase | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

function open(): { db: SqliteDatabase; file: string } {
  const file = path.join(tempDir('sgbot-group-'), 'bot.db');
  db = openDatabase(file);
  db.exec('CREATE TABLE t (n INTEGER)');
  return { db, file };
}
const insert = (d: SqliteDatabase, n: number) => () => void d.prepare('INSERT INTO t (n) VALUES (?)').run(n);
const count = (d: SqliteDatabase) => (d.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;

describe('group commit', () => {
  it('answers a request only once its steps are on disk, one fsync for many requests', async () => {
    const { db } = open();
    const g = groupCommitFor(db);
    expect(g.enabled).toBe(true);
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        g.whileAnswering(async () => {
          await new Promise((r) => setImmediate(r));
          g.transaction(insert(db, i));
          seen.push(g.unsynced); // committed, not yet known to be on disk
        }).then(() => expect(g.fsyncs).toBeGreaterThan(0)),
      ),
    );
    expect(g.unsynced).toBe(0);
    expect(count(db)).toBe(20);
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect(g.fsyncs).toBeGreaterThan(0);
    expect(g.fsyncs).toBeLessThan(20);
  });

  it('commits FULL outside a request, and for work a request left running after its answer', async () => {
    const { db } = open();
    const g = groupCommitFor(db);
    g.transaction(insert(db, 1));
    expect(g.unsynced).toBe(0);
    let later: Promise<void> | undefined;
    await g.whileAnswering(async () => {
      later = new Promise<void>((r) => setTimeout(r, 20)).then(() => g.transaction(insert(db, 2)));
    });
    await later;
    expect(g.unsynced).toBe(0);
    expect(g.fsyncs).toBe(0);
    expect(count(db)).toBe(2);
  });

  it('a failed fsync fails the request waiting on it and turns group commit off', async () => {
    const { db, file } = open();
    const g = groupCommitFor(db);
    rmSync(`${file}-wal`); // the WAL cannot be opened: as good as a disk that refuses
    expect(existsSync(`${file}-wal`)).toBe(false);
    await expect(g.whileAnswering(async () => g.transaction(insert(db, 1)))).rejects.toThrow();
    expect(g.enabled).toBe(false);
    await g.whileAnswering(async () => g.transaction(insert(db, 2)));
    expect(g.unsynced).toBe(1); // the failed one is never counted safe; the next went FULL
  });

  it('is off for a database that is not a WAL file', () => {
    db = openDatabase(':memory:');
    expect(groupCommitFor(db).enabled).toBe(false);
  });
});
