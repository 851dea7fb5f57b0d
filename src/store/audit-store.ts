import { randomUUID } from 'node:crypto';
import {
  auditKeyedAction,
  auditStartedAction,
  entryHash,
  genesisHash,
  headMac,
  verifyChain,
  wellFormedDeep,
  type AuditKey,
  type ChainCheck,
  type StoredEntry,
  type StoredHead,
} from '../core/audit-chain.js';
import type { AuditEntry, AuditInput } from '../core/ports.js';
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';
import type { Keyring } from './keyring.js';
import { wellFormedString } from '../core/well-formed.js';

type Row = Record<string, unknown>;
const opt = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));
const optNum = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));

function toEntry(r: Row): StoredEntry {
  return {
    seq: Number(r.seq),
    at: String(r.at),
    actor: String(r.actor),
    action: String(r.action),
    reportId: opt(r.report_id),
    details: JSON.parse(String(r.details_json)) as Record<string, unknown>,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
    keyId: optNum(r.key_id),
  };
}

const publicEntry = ({ keyId: _k, ...e }: StoredEntry): AuditEntry => e;

/**
 * G7: the audit log in SQLite. Each entry holds the previous entry's hash and its own
 * HMAC under the audit key (kept outside the database); the head is stored with its own
 * MAC. Works on a database from before migration 0005 too (read only: no key column).
 */
export class AuditLog {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly keys: Keyring | undefined,
  ) {}

  private readonly statements = new Map<string, Database.Statement>();
  /** Prepared once, on first use (a database from before migration 0005 can still be read). */
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) this.statements.set(text, (st = this.db.prepare(text)));
    return st;
  }

  private currentKey(): AuditKey {
    if (!this.keys) throw new Error('the audit log is opened without keys: it can only be read');
    return this.keyFor(this.keys.currentId) as AuditKey;
  }

  keyFor = (id: number): AuditKey | undefined => {
    const key = this.keys?.auditKey(id);
    return key ? { id, key } : undefined;
  };

  head(): StoredHead | undefined {
    const row = this.sql('SELECT * FROM audit_head WHERE id = 1').get() as Row | undefined;
    return row ? { seq: Number(row.seq), hash: String(row.hash), keyId: optNum(row.key_id), mac: opt(row.mac) } : undefined;
  }

  append(input: AuditInput): AuditEntry {
    // Hash exactly what is stored: details as plain JSON (a Date becomes its ISO string),
    // every string well-formed (SQLite would turn a lone surrogate into U+FFFD unseen).
    const entry: AuditInput = {
      at: wellFormedString(input.at),
      actor: wellFormedString(input.actor),
      action: wellFormedString(input.action),
      reportId: input.reportId === undefined ? undefined : wellFormedString(input.reportId),
      details: wellFormedDeep(JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>),
    };
    const key = this.currentKey();
    const head = this.head();
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? genesisHash;
    const hash = entryHash(seq, prevHash, entry, key);
    this
      .sql(
        `INSERT INTO audit_log (seq, at, actor, action, report_id, details_json, prev_hash, hash, key_id)
         VALUES (@seq, @at, @actor, @action, @reportId, @details, @prevHash, @hash, @keyId)`,
      )
      .run({ seq, at: entry.at, actor: entry.actor, action: entry.action, reportId: entry.reportId ?? null, details: JSON.stringify(entry.details), prevHash, hash, keyId: key.id });
    this
      .sql(
        `INSERT INTO audit_head (id, seq, hash, key_id, mac) VALUES (1, @seq, @hash, @keyId, @mac)
         ON CONFLICT (id) DO UPDATE SET seq = @seq, hash = @hash, key_id = @keyId, mac = @mac`,
      )
      .run({ seq, hash, keyId: key.id, mac: headMac({ seq, hash }, key) });
    return { ...entry, seq, prevHash, hash };
  }

  /**
   * At the start: a new log gets its first entry (`audit.started`); a log from before
   * keys whose last entry is unkeyed is sealed by `audit.keyed` once its unkeyed chain
   * verifies (a broken one is left for `audit verify` to report). Never touches a log
   * that has no entries but a head (wiped: left for verify).
   */
  prepare(at: Date): void {
    const head = this.head();
    if (!head) {
      const any = this.sql('SELECT 1 FROM audit_log LIMIT 1').get();
      const reports = this.sql('SELECT 1 FROM reports LIMIT 1').get();
      if (!any && !reports) this.append({ at: at.toISOString(), actor: 'system', action: auditStartedAction, details: { log: randomUUID() } });
      return;
    }
    const last = this.sql('SELECT key_id FROM audit_log WHERE seq = @seq').get({ seq: head.seq }) as Row | undefined;
    if (!last || last.key_id !== null) return;
    const check = verifyChain(this.all(), head, () => undefined);
    if (check.problems.some((p) => !/no entry is keyed|not sealed with the key|does not start/.test(p.problem))) return;
    this.append({ at: at.toISOString(), actor: 'system', action: auditKeyedAction, details: { unkeyedEntries: check.unkeyed, unkeyedHead: head.hash } });
  }

  all(): Iterable<StoredEntry> {
    const rows = this.sql('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<Row>;
    return (function* () {
      for (const r of rows) yield toEntry(r);
    })();
  }

  forReport(reportId: string): AuditEntry[] {
    return (this.sql('SELECT * FROM audit_log WHERE report_id = @reportId ORDER BY seq').all({ reportId }) as Row[]).map((r) => publicEntry(toEntry(r)));
  }

  /** The newest entry (number, hash, time): what a checkpoint anchors. */
  latest(): { seq: number; hash: string; at: string } | undefined {
    return this.sql('SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string; at: string } | undefined;
  }

  lastOf(action: string): AuditEntry | undefined {
    const row = this.sql('SELECT * FROM audit_log WHERE action = @action ORDER BY seq DESC LIMIT 1').get({ action }) as Row | undefined;
    return row ? publicEntry(toEntry(row)) : undefined;
  }

  first(): AuditEntry | undefined {
    const row = this.sql('SELECT * FROM audit_log ORDER BY seq LIMIT 1').get() as Row | undefined;
    return row ? publicEntry(toEntry(row)) : undefined;
  }

  verify(anchor?: { seq: number; hash: string }): ChainCheck {
    return verifyChain(this.all(), this.head(), this.keyFor, anchor);
  }
}
