import { Worker } from 'node:worker_threads';
import { finishChain, type AuditProblem, type ChainCheck } from '../core/audit-chain.js';
import { AuditLog } from './audit-store.js';
import { checkSegment, seamBefore, type SegmentResult, type SegmentTask } from './audit-verify-segment.js';
import type { SqliteDatabase } from './database.js';
import { DiskEvidenceFiles } from './evidence-files.js';
import type { Keyring } from './keyring.js';

export interface FullCheck {
  chain: ChainCheck;
  /** Report text, reasons, actions and evidence files that do not match the hashes in the log. */
  content: { where: string; problem: string }[];
  evidenceChecked: number;
  /** Cases disposed of (migration 0010): their entries stay, the content they hash is gone by design. */
  disposed: { reference: string; entries: number }[];
  /** How the log was checked: in how many parts, how many of them by a worker thread. */
  parts: number;
  workers: number;
  ok: boolean;
}

type Row = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** How `audit verify` shares its work: a log this long or longer is split in two, the second half checked by a worker thread. */
export interface VerifyOptions {
  /** The key file, read again by the worker thread (without it the log is checked in one part). */
  keyFile?: string;
  /** Split from this many entries (default 100,000); 0 always splits a file database with a key file. */
  splitFrom?: number;
}

/**
 * `audit verify`: the keyed chain (every problem, see verifyChain), then what the log's
 * content hashes cover, against what is stored now: each report's form, each decision
 * reason, ICT action and closing reason (decrypted), and each evidence file (decrypted
 * and re-hashed). A report or evidence record the log never mentions is a problem too.
 * Reads only; messages name entry numbers and references, never text.
 *
 * A long log is checked in two parts at once (this machine's two cores): entries up to
 * the middle here, the rest in a worker thread, each part walked from the stored entry
 * before it (audit-chain.ts walkChain) and finished together, so the parts find exactly
 * what one walk finds, in the same order.
 */
export async function verifyAll(
  db: SqliteDatabase,
  keys: Keyring,
  evidenceDir: string,
  anchor?: { seq: number; hash: string },
  opts: VerifyOptions = {},
): Promise<FullCheck> {
  const log = new AuditLog(db, keys);
  const content: FullCheck['content'] = [];
  const report = db.prepare('SELECT id, reference FROM reports WHERE id = @id');
  const refOf = (id: string | undefined) => String((id && (report.get({ id }) as Row | undefined)?.reference) ?? id ?? '?');
  // The head and the log's extent as one snapshot (entries appended meanwhile are left to the next check).
  const { head, first, last } = db.transaction(() => {
    const range = db.prepare('SELECT MIN(seq) AS first, MAX(seq) AS last FROM audit_log').get() as { first: number | null; last: number | null };
    return { head: log.head(), first: range.first ?? 0, last: range.last ?? 0 };
  })();
  const disposed = disposedCases(db, content);
  const disposedList: [string, string][] = [...disposed].map(([id, d]) => [id, d.reference]);
  const entries = last - first + 1;
  const split = opts.keyFile !== undefined && !db.memory && db.name !== '' && last > 0 && entries >= Math.max(2, opts.splitFrom ?? 100_000);
  const mid = split ? first + Math.floor(entries / 2) : last + 1;
  const tasks: SegmentTask[] = [{ from: first, to: mid - 1, seam: seamBefore(db, first), anchor, disposed: disposedList }];
  if (split) tasks.push({ from: mid, to: last, seam: seamBefore(db, mid), anchor, disposed: disposedList });
  // The second part starts in a worker thread first, then the first part runs here meanwhile.
  const second = split ? inWorker(db.name, opts.keyFile as string, tasks[1] as SegmentTask) : undefined;
  const results = [checkSegment(db, keys, tasks[0] as SegmentTask)];
  let workers = 0;
  if (second) {
    const r = await second;
    // A worker that could not start (or failed) leaves its part to this thread: the same check, slower.
    if (r instanceof Error) results.push(checkSegment(db, keys, tasks[1] as SegmentTask));
    else {
      results.push(r);
      workers = 1;
    }
  }
  const chain = finishChain(
    results.map((r) => r.walk),
    head,
    log.keyFor,
    anchor,
  );
  for (const r of results) content.push(...r.content);
  for (const r of results) for (const [id, n] of r.disposedEntries) (disposed.get(id) as { entries: number }).entries += n;
  const submitted = new Set<string>();
  const legacy = new Set<string>(); // reports logged before content hashes: their evidence is counted, not hashed
  const auditedEvidence = new Set<string>();
  for (const r of results) {
    for (const id of r.submitted) submitted.add(id);
    for (const id of r.legacy) legacy.add(id);
    for (const k of r.auditedEvidence) auditedEvidence.add(k);
  }
  // Every report must be in the log: their ids read from the ids' own index (not the
  // reports' rows), those missing named in the order they were stored.
  const unlogged: { rowid: number; reference: string }[] = [];
  const whereId = db.prepare('SELECT rowid, reference FROM reports WHERE id = ?');
  for (const id of db.prepare('SELECT id FROM reports').pluck().iterate() as Iterable<string>)
    if (!submitted.has(id)) unlogged.push(whereId.get(id) as { rowid: number; reference: string });
  unlogged.sort((a, b) => a.rowid - b.rowid);
  for (const r of unlogged) content.push({ where: `report ${r.reference}`, problem: 'it is not in the audit log (the log was cut or wiped)' });

  const files = new DiskEvidenceFiles(evidenceDir, keys);
  let evidenceChecked = 0;
  const hashedOk = new Set<string>();
  for (const ev of db.prepare('SELECT report_id, sha256 FROM evidence ORDER BY rowid').all() as Row[]) {
    const sha = String(ev.sha256);
    const where = `evidence ${sha.slice(0, 12)}… (${refOf(str(ev.report_id))})`;
    if (!legacy.has(String(ev.report_id)) && !auditedEvidence.has(`${String(ev.report_id)}:${sha}`)) content.push({ where, problem: 'it is not in the audit log' });
    if (hashedOk.has(sha)) continue;
    const read = await files.read(sha).then(
      () => undefined,
      (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'the file is missing' : 'the file does not match its hash (replaced or altered)'),
    );
    evidenceChecked += 1;
    if (read) content.push({ where, problem: read });
    else hashedOk.add(sha);
  }
  return { chain, content, evidenceChecked, disposed: [...disposed.values()], parts: results.length, workers, ok: chain.ok && content.length === 0 };
}

/** One part checked in a worker thread; an Error if the worker could not start or failed. */
function inWorker(file: string, keyFile: string, task: SegmentTask): Promise<SegmentResult | Error> {
  // Compiled (dist/): the worker's JavaScript. From TypeScript (tsx, tests): the worker's
  // TypeScript, loaded through tsx.
  const ts = import.meta.url.endsWith('.ts');
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL(ts ? './audit-verify-worker.ts' : './audit-verify-worker.js', import.meta.url), {
        workerData: { file, keyFile, task },
        ...(ts ? { execArgv: ['--import', 'tsx'] } : {}),
      });
    } catch (err) {
      resolve(err as Error);
      return;
    }
    let result: SegmentResult | undefined;
    worker.once('message', (m: SegmentResult) => void (result = m));
    worker.once('error', (err) => resolve(err));
    worker.once('exit', (code) => resolve(result ?? new Error(`the verify worker exited (${code}) without a result`)));
  });
}

/**
 * Cases disposed of under the retention rules: a tombstone (migration 0010) together with
 * the log's own "report.disposed" entry. A tombstone the log does not back is a problem
 * (it could hide a deleted report), and its entries are checked as usual.
 */
function disposedCases(db: SqliteDatabase, content: FullCheck['content']): Map<string, { reference: string; entries: number }> {
  const out = new Map<string, { reference: string; entries: number }>();
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'disposals'").get() !== undefined;
  if (!hasTable) return out;
  // The log's own disposal of each tombstone's case, by the log's index of reports (not a read of the whole log).
  const logged = db.prepare(`SELECT 1 FROM audit_log WHERE report_id = ? AND action = 'report.disposed' LIMIT 1`);
  for (const t of db.prepare('SELECT report_id, reference FROM disposals ORDER BY rowid').all() as Row[]) {
    const id = String(t.report_id);
    if (logged.get(id) !== undefined) out.set(id, { reference: String(t.reference), entries: 0 });
    else content.push({ where: `tombstone ${String(t.reference)}`, problem: 'the case is marked disposed but the audit log has no disposal for it' });
  }
  return out;
}

export type { AuditProblem };
