import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { verifyAll, type FullCheck } from './audit-verify.js';
import { openExistingDatabase } from './database.js';
import { ensurePrivateDir, type Keyring } from './keyring.js';

/**
 * Backups a school can trust (issue 11): a consistent copy taken while the bot runs
 * (SQLite's online backup API, from a read-only connection), then the evidence files the
 * copy refers to (they are written before their records and never deleted, so every one
 * the copy names is there), then a manifest of SHA-256 hashes, written last. The key
 * file is NOT in the backup: it is kept apart (see README, Security). `restore` checks
 * the manifest and the audit chain of the copy before it puts anything in place, and
 * never overwrites a database.
 */
const manifestSchema = z.object({
  format: z.literal('safeguarding-bot backup'),
  version: z.literal(1),
  createdAt: z.string(),
  source: z.string(),
  database: z.object({ file: z.literal('safeguarding.db'), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int() }),
  evidence: z.array(z.object({ file: z.string().regex(/^evidence\/[0-9a-f]{2}\/[0-9a-f]{64}$/), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int() })),
  audit: z.object({ entries: z.number().int(), head: z.object({ seq: z.number().int(), hash: z.string() }).nullable() }),
  keyIds: z.array(z.number().int()),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

const fileSha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const dbFileName = 'safeguarding.db';

export interface BackupResult {
  manifest: BackupManifest;
  check: FullCheck;
}

export async function backup(opts: { dir: string; databasePath: string; evidenceDir: string; keys: Keyring; now?: Date }): Promise<BackupResult> {
  const dir = path.resolve(opts.dir);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new BackupError(`${dir} is not empty: give a new folder for each backup`);
  const source = openExistingDatabase(opts.databasePath); // a missing database is an error, and nothing is created
  const copy = path.join(dir, dbFileName);
  try {
    ensurePrivateDir(dir);
    // Big steps: a write by the bot between steps restarts the copy, so finish in as few as possible.
    await source.backup(copy, { progress: () => 1_000_000 });
  } finally {
    source.close();
  }
  chmodSync(copy, 0o600);
  const db = new Database(copy, { readonly: true, fileMustExist: true });
  try {
    const evidence: BackupManifest['evidence'] = [];
    for (const { sha256 } of db.prepare('SELECT DISTINCT sha256 FROM evidence ORDER BY sha256').all() as { sha256: string }[]) {
      const rel = `evidence/${sha256.slice(0, 2)}/${sha256}`;
      const from = path.join(opts.evidenceDir, sha256.slice(0, 2), sha256);
      const to = path.join(dir, rel);
      ensurePrivateDir(path.dirname(to));
      if (existsSync(from)) {
        copyFileSync(from, to);
        chmodSync(to, 0o600);
        evidence.push({ file: rel, sha256: fileSha256(to), size: statSync(to).size });
      }
    }
    const check = await verifyAll(db, opts.keys, path.join(dir, 'evidence'));
    const manifest: BackupManifest = {
      format: 'safeguarding-bot backup',
      version: 1,
      createdAt: (opts.now ?? new Date()).toISOString(),
      source: path.resolve(opts.databasePath),
      database: { file: dbFileName, sha256: fileSha256(copy), size: statSync(copy).size },
      evidence,
      audit: { entries: check.chain.count, head: check.chain.head ?? null },
      keyIds: opts.keys.ids,
    };
    writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return { manifest, check };
  } finally {
    db.close();
  }
}

/** Checks a backup folder: the manifest, every file's hash, and the copy's audit chain and content. */
export async function checkBackup(dirIn: string, keys: Keyring): Promise<{ manifest: BackupManifest; problems: string[] }> {
  const dir = path.resolve(dirIn);
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new BackupError(`${dir} has no manifest.json: not a complete backup`);
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(manifestFile, 'utf8')));
  if (!parsed.success) throw new BackupError(`${manifestFile} is damaged (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`);
  const manifest = parsed.data;
  const problems: string[] = [];
  for (const f of [{ file: manifest.database.file, sha256: manifest.database.sha256 }, ...manifest.evidence]) {
    const file = path.join(dir, f.file);
    if (!existsSync(file)) problems.push(`${f.file}: missing`);
    else if (fileSha256(file) !== f.sha256) problems.push(`${f.file}: does not match the manifest's hash`);
  }
  if (problems.length > 0) return { manifest, problems };
  const db = new Database(path.join(dir, manifest.database.file), { readonly: true, fileMustExist: true });
  try {
    const check = await verifyAll(db, keys, path.join(dir, 'evidence'));
    for (const p of check.chain.problems) problems.push(`audit log: ${p.seq > 0 ? `entry ${p.seq}: ` : ''}${p.problem}`);
    for (const c of check.content) problems.push(`audit log: ${c.where}: ${c.problem}`);
    const head = check.chain.head ?? null;
    if (JSON.stringify(head) !== JSON.stringify(manifest.audit.head)) problems.push('audit log: its head is not the one in the manifest');
  } finally {
    db.close();
  }
  return { manifest, problems };
}

/**
 * Puts a checked backup in place: only when the manifest, every file and the audit chain
 * check, and only where no database is (stop the bot and move the old one away first).
 * Evidence files already there are kept if they are the same bytes; a different one stops
 * the restore before anything is written.
 */
export async function restore(opts: { dir: string; databasePath: string; evidenceDir: string; keys: Keyring }): Promise<BackupManifest> {
  const dir = path.resolve(opts.dir);
  const { manifest, problems } = await checkBackup(dir, opts.keys);
  if (problems.length > 0) throw new BackupError([`the backup in ${dir} does not check; nothing was restored:`, ...problems.map((p) => `  - ${p}`)].join('\n'));
  const target = path.resolve(opts.databasePath);
  for (const f of [target, `${target}-wal`, `${target}-shm`])
    if (existsSync(f)) throw new BackupError(`${f} exists: stop the bot and move the database away before restoring; nothing was restored`);
  for (const e of manifest.evidence) {
    const to = path.join(opts.evidenceDir, e.file.slice('evidence/'.length));
    if (existsSync(to) && fileSha256(to) !== e.sha256) throw new BackupError(`${to} exists with other bytes; nothing was restored`);
  }
  for (const e of manifest.evidence) {
    const to = path.join(opts.evidenceDir, e.file.slice('evidence/'.length));
    if (existsSync(to)) continue;
    ensurePrivateDir(path.dirname(to));
    placeCopy(path.join(dir, e.file), to);
  }
  ensurePrivateDir(path.dirname(target));
  placeCopy(path.join(dir, manifest.database.file), target);
  return manifest;
}

/** Copies to a temporary name in the target folder, then renames: never a half-written file in place. */
function placeCopy(from: string, to: string): void {
  const temp = path.join(path.dirname(to), `.restoring-${randomUUID()}`);
  try {
    copyFileSync(from, temp);
    chmodSync(temp, 0o600);
    renameSync(temp, to);
  } finally {
    rmSync(temp, { force: true });
  }
}
