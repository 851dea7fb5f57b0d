import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { runCli } from '../../src/cli/main.js';
import { tempDir, testEnv } from '../support/harness.js';

// Issue 11, item 6: `backup DIR` while the bot runs under load, and `restore` that checks
// the manifest and the audit chain before it puts anything in place.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const count = (file: string, table: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/** A running bot (its own process: HTTP server, background loop) that keeps submitting reports with evidence. */
async function liveBot() {
  const dir = tempDir('sgbot-backup-');
  const env: Record<string, string> = { ...testEnv(dir), PORT: '0', BACKGROUND_INTERVAL_MS: '100' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/live-bot.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('ready')) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the live bot exited: ${err}`));
      }
    }, 50);
  });
  const reports = () => count(env.DATABASE_PATH as string, 'reports');
  return {
    dir,
    env,
    paths: ['--db', env.DATABASE_PATH as string, '--evidence', env.EVIDENCE_DIR as string, '--key-file', env.KEY_FILE as string],
    reports,
    stopLoad: async () => {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      return Number(/submitted (\d+)/.exec(out)?.[1]);
    },
  };
}

describe('backup and restore', () => {
  it('backs up a running bot under load, and restores a copy that verifies', { timeout: 60_000 }, async () => {
    const bot = await liveBot();
    // Backups while the bot writes: each must be consistent and verify; keep going until
    // one was taken while reports were arriving (the bot's count moved across it).
    let target = '';
    let b = { code: -1, out: '', err: '' };
    let during = 0;
    let backups = 0;
    while (during === 0 && backups < 10) {
      target = path.join(bot.dir, 'backups', `b${++backups}`);
      const before = bot.reports();
      b = await cli('backup', target, ...bot.paths);
      during = bot.reports() - before;
      expect(b.code, b.out + b.err).toBe(0);
    }
    const submitted = await bot.stopLoad();
    expect(b.err).toBe('');
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/^OK: backed up .* \(\d+ audit entries, \d+ evidence files, head \d+:[0-9a-f]{64}\); the copy's audit log verifies/);
    const manifest = JSON.parse(readFileSync(path.join(target, 'manifest.json'), 'utf8')) as { evidence: unknown[]; audit: { entries: number } };
    const backedUp = count(path.join(target, 'safeguarding.db'), 'reports');
    expect(backedUp).toBeGreaterThanOrEqual(20);
    expect(manifest.evidence).toHaveLength(count(path.join(target, 'safeguarding.db'), 'evidence'));
    expect(statSync(path.join(target, 'manifest.json')).mode & 0o777).toBe(0o600);
    expect(statSync(target).mode & 0o777).toBe(0o700);
    // The key file is not in the backup.
    expect(existsSync(path.join(target, 'keys.json'))).toBe(false);
    expect(during).toBeGreaterThan(0); // the bot really was writing while the copy was taken
    console.log(`backup under load: ${backedUp} reports and ${manifest.evidence.length} evidence files copied while ${during} more were submitted (backup ${backups}); ${submitted} submitted in all`);

    const restored = path.join(tempDir('sgbot-restored-'), 'data');
    cleanups.push(() => rmSync(path.dirname(restored), { recursive: true, force: true }));
    const rdb = path.join(restored, 'safeguarding.db');
    const rev = path.join(restored, 'evidence');
    const r = await cli('restore', target, '--db', rdb, '--evidence', rev, '--key-file', bot.env.KEY_FILE as string);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(count(rdb, 'reports')).toBe(backedUp);
    const v = await cli('audit', 'verify', '--db', rdb, '--evidence', rev, '--key-file', bot.env.KEY_FILE as string);
    expect(v.out).toContain(`OK: the audit log of ${rdb} verifies (${manifest.audit.entries} entries, ${manifest.evidence.length} evidence files re-hashed)`);
    // Restoring again over it is refused.
    const again = await cli('restore', target, '--db', rdb, '--evidence', rev, '--key-file', bot.env.KEY_FILE as string);
    expect(again.code).toBe(1);
    expect(again.err).toContain('exists: stop the bot and move the database away');
  });

  it('a backup with a changed file, or an edited audit log, is refused and nothing is put in place', { timeout: 60_000 }, async () => {
    const bot = await liveBot();
    await bot.stopLoad();
    const target = path.join(bot.dir, 'backup');
    expect((await cli('backup', target, ...bot.paths)).code).toBe(0);
    const restoreTo = path.join(bot.dir, 'restored');
    const restoreArgs = ['restore', target, '--db', path.join(restoreTo, 'bot.db'), '--evidence', path.join(restoreTo, 'evidence'), '--key-file', bot.env.KEY_FILE as string];
    // A changed evidence file: its hash is not the manifest's.
    const manifest = JSON.parse(readFileSync(path.join(target, 'manifest.json'), 'utf8')) as { evidence: { file: string }[] };
    const evidenceFile = path.join(target, manifest.evidence[0]!.file);
    const original = readFileSync(evidenceFile);
    writeFileSync(evidenceFile, Buffer.concat([original, Buffer.from('x')]));
    let r = await cli(...restoreArgs);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/does not check; nothing was restored:\n {2}- evidence\/[0-9a-f]{2}\/[0-9a-f]{64}: does not match the manifest's hash/);
    expect(existsSync(restoreTo)).toBe(false);
    writeFileSync(evidenceFile, original);
    // An audit entry edited in the copy, with the manifest's hash updated to match: the chain still says no.
    const copy = path.join(target, 'safeguarding.db');
    const db = new Database(copy);
    db.exec('DROP TRIGGER audit_append_only_update');
    db.prepare(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3`).run();
    db.close();
    const m = JSON.parse(readFileSync(path.join(target, 'manifest.json'), 'utf8')) as { database: { sha256: string } };
    m.database.sha256 = createHash('sha256').update(readFileSync(copy)).digest('hex');
    writeFileSync(path.join(target, 'manifest.json'), JSON.stringify(m));
    r = await cli(...restoreArgs);
    expect(r.code).toBe(1);
    expect(r.err).toContain('audit log: entry 3: its contents do not match its keyed hash');
    expect(existsSync(restoreTo)).toBe(false);
  });

  it('refuses a folder that is not empty, and a missing database', async () => {
    const bot = await liveBot();
    await bot.stopLoad();
    writeFileSync(path.join(bot.dir, 'note.txt'), 'x');
    expect((await cli('backup', bot.dir, ...bot.paths)).err).toContain('is not empty');
    const missing = await cli('backup', path.join(bot.dir, 'b2'), '--db', path.join(bot.dir, 'typo.db'), '--key-file', bot.env.KEY_FILE as string);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('does not exist');
    expect(existsSync(path.join(bot.dir, 'typo.db'))).toBe(false);
  });
});
