import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { AuditEntry, AuditInput } from './ports.js';
import { wellFormedString } from './well-formed.js';

/** The hash before the first entry. */
export const genesisHash = '0'.repeat(64);

/** The first entry of every log: a log without it has been wiped or cut from the start. */
export const auditStartedAction = 'audit.started';
/** Written once, when a log from before keys was first opened with a key: it seals the unkeyed entries before it. */
export const auditKeyedAction = 'audit.keyed';
/** A checkpoint: the head as it was sent out of the database (to the DSL). */
export const auditCheckpointAction = 'audit.checkpoint';


/** Every string in a plain JSON value made well-formed (keys too). */
export function wellFormedDeep<T>(value: T): T {
  if (typeof value === 'string') return wellFormedString(value) as T;
  if (Array.isArray(value)) return value.map(wellFormedDeep) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [wellFormedString(k), wellFormedDeep(v)])) as T;
  return value;
}

/** JSON with object keys sorted, so that the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  // Plain JSON data (what the log and sealed text hold): each object's keys put in order,
  // then the engine's own JSON.stringify, which writes keys in the order they were added.
  const plain = sortedPlain(value);
  return plain === notPlain ? canonicalLoop(value) : (JSON.stringify(plain) as string);
}

const notPlain = Symbol('not plain JSON');
const digits = /^\d+$/;

/**
 * A copy of plain JSON data whose objects' keys are in canonicalJson's order (the value
 * itself when they already are), or `notPlain` for anything JSON.stringify would write
 * otherwise than canonicalLoop: a Date or other class, undefined, a function, a key the
 * engine orders itself (an array index such as "10") or "__proto__".
 */
function sortedPlain(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v !== 'object') return notPlain;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const y = sortedPlain(x);
      if (y === notPlain) return notPlain;
      if (y !== x) (out ??= v.slice())[i] = y;
    }
    return out ?? v;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return notPlain;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  let sorted = true;
  let changed = false;
  const values: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (k === '__proto__' || digits.test(k)) return notPlain;
    if (i > 0 && (keys[i - 1] as string) > k) sorted = false;
    const x = obj[k];
    if (x === undefined) return notPlain;
    const y = sortedPlain(x);
    if (y === notPlain) return notPlain;
    values[i] = y;
    if (y !== x) changed = true;
  }
  if (sorted && !changed) return v;
  const order = keys.map((_, i) => i);
  if (!sorted) order.sort((a, b) => ((keys[a] as string) < (keys[b] as string) ? -1 : 1));
  const out: Record<string, unknown> = {};
  for (const i of order) out[keys[i] as string] = values[i];
  return out;
}

/** canonicalJson for any value: plain loops; default sort orders strings by UTF-16 code units, as `<` does. */
function canonicalLoop(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalLoop(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalLoop(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** SHA-256 of a value as it is stored (plain JSON, keys sorted): put in audit details for report text, reasons, actions. */
export function contentSha256(value: unknown): string {
  const stored = typeof value === 'string' ? wellFormedString(value) : canonicalJson(JSON.parse(JSON.stringify(value ?? null)));
  return createHash('sha256').update(stored, 'utf8').digest('hex');
}

/** The key an entry is sealed with: its version (kept in the entry) and the HMAC key. */
export interface AuditKey {
  id: number;
  key: Uint8Array;
}

/** A key as OpenSSL holds it, made once a key (an HMAC with a raw key costs several times more). */
const keyObjects = new WeakMap<object, KeyObject>();
function keyObject(raw: AuditKey['key']): KeyObject {
  let k = keyObjects.get(raw);
  if (!k) keyObjects.set(raw, (k = createSecretKey(raw)));
  return k;
}

/**
 * The entry's hash. Keyed (HMAC-SHA256 with the audit key, its version in the hashed
 * body) for every entry written with a key; plain SHA-256 only for entries written
 * before keys existed, which verify accepts only as sealed by an `audit.keyed` entry.
 */
export function entryHash(seq: number, prevHash: string, entry: AuditInput, key?: AuditKey): string {
  const body = entryBody(seq, prevHash, entry, key?.id);
  return key ? createHmac('sha256', keyObject(key.key)).update(body).digest('hex') : createHash('sha256').update(body).digest('hex');
}

/**
 * What an entry's hash covers: canonicalJson of { seq, prevHash, at, actor, action,
 * reportId, details, keyId }, written out in its sorted key order (it runs for every entry
 * `audit verify` checks; the same string as canonicalJson of that object).
 */
function entryBody(seq: number, prevHash: string, entry: AuditInput, keyId: number | undefined): string {
  let out = '';
  const add = (name: string, v: unknown) => {
    if (v !== undefined) out += `${out ? ',' : ''}"${name}":${canonicalJson(v)}`;
  };
  add('action', entry.action);
  add('actor', entry.actor);
  add('at', entry.at);
  add('details', entry.details);
  add('keyId', keyId);
  add('prevHash', prevHash);
  add('reportId', entry.reportId ?? null);
  add('seq', seq);
  return `{${out}}`;
}

/** The stored head's own MAC, so that moving the head back needs the key too. */
export function headMac(head: { seq: number; hash: string }, key: AuditKey): string {
  return createHmac('sha256', keyObject(key.key)).update(`audit head ${key.id} ${head.seq} ${head.hash}`).digest('hex');
}

/**
 * An entry from before keys, checked by its plain hash. Those entries were hashed before
 * they were stored, so a lone surrogate in the actor or report id was hashed as itself
 * but read back from SQLite as U+FFFD (three of them: its three stored bytes), and the
 * entry could never verify again. When the hash does not match and there is one such run
 * in those fields, each lone surrogate it could have been is tried (2,048), so such an
 * entry verifies for good rather than failing for good; any other change still fails.
 */
function legacyHashMatches(e: StoredEntry): boolean {
  if (entryHash(e.seq, e.prevHash, e) === e.hash) return true;
  const runs = (['actor', 'reportId'] as const).flatMap((f) => [...(e[f] ?? '').matchAll(/\uFFFD{1,3}/g)].map((m) => ({ f, m })));
  if (runs.length !== 1) return false;
  const { f, m } = runs[0] as (typeof runs)[number];
  const value = e[f] ?? '';
  const at = m.index ?? 0;
  for (let code = 0xd800; code <= 0xdfff; code++) {
    const candidate = { ...e, [f]: `${value.slice(0, at)}${String.fromCharCode(code)}${value.slice(at + m[0].length)}` };
    if (entryHash(e.seq, e.prevHash, candidate) === e.hash) return true;
  }
  return false;
}

export interface AuditProblem {
  seq: number;
  problem: string;
}

export interface ChainCheck {
  ok: boolean;
  /** Entries that verified. */
  count: number;
  /** The last entry in the log, to anchor outside the database. */
  head: { seq: number; hash: string } | undefined;
  /** Every problem found, in log order. */
  problems: AuditProblem[];
  /** Entries written before keys (sealed by `audit.keyed`). */
  unkeyed: number;
}

export interface StoredHead {
  seq: number;
  hash: string;
  keyId?: number | undefined;
  mac?: string | undefined;
}

export type StoredEntry = AuditEntry & { keyId?: number | undefined };

/** Where a walk of the log starts: genesis, or just after the entry before a part of the log. */
export interface ChainSeam {
  /** The stored hash of the entry before (genesis at the start). */
  prevHash: string;
  /** The entry number expected next (one after the entry before). */
  expectedSeq: number;
  /** Whether any entry before is keyed, and how many before are not (read only while none is). */
  keyedSeen: boolean;
  unkeyedBefore: number;
}

export const genesisSeam: ChainSeam = { prevHash: genesisHash, expectedSeq: 1, keyedSeen: false, unkeyedBefore: 0 };

/** One part of the log walked: its problems in log order, and what the next part and the end need. */
export interface ChainWalk {
  problems: AuditProblem[];
  count: number;
  unkeyed: number;
  keyedSeen: boolean;
  last: { seq: number; hash: string } | undefined;
  anchorFound: boolean;
}

/**
 * Walks the whole log and lists every problem: each entry must follow the one before it
 * (no gap, its prevHash the stored hash before it) and carry the HMAC of its contents
 * under a key the key file holds; the log must start with `audit.started` (or with
 * unkeyed entries sealed by `audit.keyed`); the stored head must be the last entry and
 * carry its MAC; an anchor given from outside (a checkpoint) must be in the log as given.
 * An entry that fails is reported and the walk goes on from its stored hash.
 */
export function verifyChain(
  entries: Iterable<StoredEntry>,
  head: StoredHead | undefined,
  keyFor: (id: number) => AuditKey | undefined,
  anchor?: { seq: number; hash: string },
): ChainCheck {
  return finishChain([walkChain(entries, keyFor, anchor, genesisSeam)], head, keyFor, anchor);
}

/**
 * Walks one part of the log (in order), from its seam: the whole log from genesis, or a
 * range of it from the entry before (an entry that fails goes on from its stored hash, so
 * a part's start is its stored predecessor either way). Parts walked apart and finished
 * together find exactly what one walk finds.
 */
export function walkChain(
  entries: Iterable<StoredEntry>,
  keyFor: (id: number) => AuditKey | undefined,
  anchor: { seq: number; hash: string } | undefined,
  from: ChainSeam,
): ChainWalk {
  const problems: AuditProblem[] = [];
  let prevHash = from.prevHash;
  let expectedSeq = from.expectedSeq;
  let count = 0;
  let unkeyed = 0;
  let keyedSeen = from.keyedSeen;
  let last: { seq: number; hash: string } | undefined;
  let anchorFound = false;
  for (const e of entries) {
    const problemsBefore = problems.length;
    if (e.seq !== expectedSeq)
      problems.push({ seq: e.seq, problem: e.seq > expectedSeq ? `entries ${expectedSeq}–${e.seq - 1} are missing (deleted)` : 'it is out of order' });
    if (e.prevHash !== prevHash) problems.push({ seq: e.seq, problem: 'it does not follow the entry before it (deleted, reordered or inserted)' });
    if (e.keyId === undefined || e.keyId === null) {
      if (keyedSeen) problems.push({ seq: e.seq, problem: 'it is not keyed, after keyed entries (written without the key)' });
      else if (!legacyHashMatches(e)) problems.push({ seq: e.seq, problem: 'its contents do not match its hash (edited)' });
      unkeyed += 1;
    } else {
      const key = keyFor(e.keyId);
      if (!key) problems.push({ seq: e.seq, problem: `it is keyed with key ${e.keyId}, which the key file does not hold` });
      else if (entryHash(e.seq, e.prevHash, e, key) !== e.hash)
        problems.push({ seq: e.seq, problem: 'its contents do not match its keyed hash (edited, or rewritten without the key)' });
      const unkeyedSoFar = from.unkeyedBefore + unkeyed;
      if (!keyedSeen && problems.length === problemsBefore) {
        if (unkeyedSoFar === 0 && e.action !== auditStartedAction && e.seq === 1)
          problems.push({ seq: e.seq, problem: `the log does not start with "${auditStartedAction}" (cut from the start, or rewritten)` });
        if (unkeyedSoFar > 0 && (e.action !== auditKeyedAction || e.details.unkeyedEntries !== unkeyedSoFar || e.details.unkeyedHead !== prevHash))
          problems.push({ seq: e.seq, problem: `the ${unkeyedSoFar} unkeyed entries before it are not sealed by "${auditKeyedAction}" (written without the key)` });
      }
      keyedSeen = true;
    }
    if (anchor && e.seq === anchor.seq) {
      anchorFound = true;
      if (e.hash !== anchor.hash) problems.push({ seq: e.seq, problem: 'its hash is not the one anchored outside the database (rewritten since)' });
    }
    if (problems.length === problemsBefore) count += 1;
    prevHash = e.hash;
    expectedSeq = Math.max(expectedSeq, e.seq) + 1;
    last = { seq: e.seq, hash: e.hash };
  }
  return { problems, count, unkeyed, keyedSeen, last, anchorFound };
}

/** The walks of the log's parts (in log order) together, with the checks of the whole: its end, head and anchor. */
export function finishChain(
  walks: ChainWalk[],
  head: StoredHead | undefined,
  keyFor: (id: number) => AuditKey | undefined,
  anchor?: { seq: number; hash: string },
): ChainCheck {
  const problems = walks.flatMap((w) => w.problems);
  const last = walks.reduce<ChainWalk['last']>((l, w) => w.last ?? l, undefined);
  const keyedSeen = walks.some((w) => w.keyedSeen);
  const count = walks.reduce((n, w) => n + w.count, 0);
  const unkeyed = walks.reduce((n, w) => n + w.unkeyed, 0);
  const anchorFound = walks.some((w) => w.anchorFound);
  if (!last) problems.push({ seq: 0, problem: `the log is empty: every log starts with "${auditStartedAction}" (wiped)` });
  else if (!keyedSeen) problems.push({ seq: last.seq, problem: `no entry is keyed: the log was never sealed with the key (written without the key)` });
  const lastSeq = last?.seq ?? 0;
  if (!head) {
    if (last) problems.push({ seq: lastSeq, problem: 'the recorded head is missing' });
  } else {
    if (head.seq !== lastSeq || head.hash !== (last?.hash ?? ''))
      problems.push({ seq: head.seq, problem: `the log ends at entry ${lastSeq} but the recorded head is entry ${head.seq} (entries removed from the end, or the head moved)` });
    const key = head.keyId !== undefined && head.keyId !== null ? keyFor(head.keyId) : undefined;
    if (keyedSeen && (!key || head.mac !== headMac(head, key)))
      problems.push({ seq: head.seq, problem: 'the recorded head is not sealed with the key (moved back without the key)' });
  }
  if (anchor && !anchorFound)
    problems.push({ seq: anchor.seq, problem: `the anchored entry ${anchor.seq} is not in the log (entries removed from the end, or the log replaced)` });
  return { ok: problems.length === 0, count, head: last, problems, unkeyed };
}
