import { createHash } from 'node:crypto';
import type { AuditEntry, AuditInput } from './ports.js';

/** The hash before the first entry. */
export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted, so that the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function entryHash(seq: number, prevHash: string, entry: AuditInput): string {
  const body = canonicalJson({
    seq,
    prevHash,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    reportId: entry.reportId ?? null,
    details: entry.details,
  });
  return createHash('sha256').update(body).digest('hex');
}

export type ChainCheck =
  | { ok: true; count: number }
  | { ok: false; count: number; seq: number; problem: string };

/**
 * Walks the log in order: each entry must follow the one before it (no gap), hold its
 * hash, and hash to what it says; the last must be the recorded head. An edited,
 * deleted or reordered entry breaks the chain at the first place it touches.
 */
export function verifyChain(entries: Iterable<AuditEntry>, head: { seq: number; hash: string } | undefined): ChainCheck {
  let prevHash = genesisHash;
  let expectedSeq = 1;
  let count = 0;
  for (const e of entries) {
    if (e.seq !== expectedSeq)
      return { ok: false, count, seq: e.seq, problem: `entry ${expectedSeq} is missing (the next entry is ${e.seq})` };
    if (e.prevHash !== prevHash)
      return { ok: false, count, seq: e.seq, problem: 'it does not follow the entry before it (deleted or reordered)' };
    if (entryHash(e.seq, e.prevHash, e) !== e.hash)
      return { ok: false, count, seq: e.seq, problem: 'its contents do not match its hash (edited)' };
    prevHash = e.hash;
    expectedSeq += 1;
    count += 1;
  }
  const headSeq = head?.seq ?? 0;
  if (headSeq !== count || (head && head.hash !== prevHash))
    return { ok: false, count, seq: headSeq, problem: `the log ends at entry ${count} but the recorded last entry is ${headSeq} (entries removed from the end)` };
  return { ok: true, count };
}
