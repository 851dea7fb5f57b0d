import { randomUUID } from 'node:crypto';
import type { DeliveryChannel, OutboxInput, OutboxItem } from '../core/ports.js';
import type { SqliteDatabase } from './database.js';
import { groupCommitFor } from './group-commit.js';
import type { Keyring } from './keyring.js';
import { isSealed, openJson, sealJson } from './sealed.js';

type Row = Record<string, unknown>;

const opt = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

/** What the payload of an outbox row is bound to when sealed: its own row. */
const payloadAad = (id: string) => `outbox.payload_json:${id}`;

/**
 * The one place the outbox payload is written and read: sealed with the keyring (it holds
 * names and web addresses), or, with no keyring (the CLI's ids-and-codes listing), never
 * opened: a sealed payload then reads as empty.
 */
function writePayload(keys: Keyring | undefined, id: string, payload: Record<string, unknown>): string {
  return keys ? sealJson(keys, payload ?? null, payloadAad(id)) : JSON.stringify(payload ?? null);
}
function readPayload(keys: Keyring | undefined, id: string, value: unknown): Record<string, unknown> {
  const stored = String(value);
  if (!keys) return isSealed(stored) ? {} : (JSON.parse(stored) as Record<string, unknown>);
  return openJson<Record<string, unknown>>(keys, stored, payloadAad(id));
}

function toOutbox(r: Row, keys: Keyring | undefined): OutboxItem {
  return {
    id: String(r.id),
    dedupeKey: String(r.dedupe_key),
    channel: r.channel as OutboxItem['channel'],
    recipientType: r.recipient_type as OutboxItem['recipientType'],
    recipientId: String(r.recipient_id),
    messageType: String(r.message_type),
    reportId: opt(r.report_id),
    payload: readPayload(keys, String(r.id), r.payload_json),
    attempts: Number(r.attempts),
    createdAt: String(r.created_at),
  };
}

export type OutboxStatus = 'pending' | 'sent' | 'dead';

export interface OutboxRow extends OutboxItem {
  status: OutboxStatus;
  lastError?: string | undefined;
  errorCode?: string | undefined;
  nextAttemptAt: number;
  claimedBy?: string | undefined;
}

/** A row not (yet) delivered, as the CLI and /healthz show it: ids and codes, never the message. */
export interface OutboxProblem {
  id: string;
  reportId?: string | undefined;
  channel: DeliveryChannel;
  recipientType: OutboxItem['recipientType'];
  recipientId: string;
  messageType: string;
  state: 'waiting' | 'retrying' | 'failed';
  attempts: number;
  nextAttemptAt?: string | undefined;
  errorCode?: string | undefined;
  createdAt: string;
}

export interface AttemptRecord {
  attempt: number;
  at: string;
  outcome: 'sent' | 'transient' | 'permanent';
  code?: string | undefined;
  durationMs?: number | undefined;
}

/** Due rows in outbox_due's own order (see `claimDue`), optionally only some of them. */
const dueSql = (only: string) =>
  `SELECT o.* FROM outbox o INDEXED BY outbox_due
   WHERE o.status = 'pending' AND o.next_attempt_at <= @now ${only}
     AND (o.claim_until IS NULL OR o.claim_until <= @wall)
     AND o.channel IN (SELECT value FROM json_each(@channels))
     AND NOT EXISTS (SELECT 1 FROM outbox e
       WHERE e.channel = o.channel AND e.recipient_id = o.recipient_id AND e.report_id IS o.report_id
         AND e.status = 'pending' AND e.rowid < o.rowid)
   ORDER BY o.next_attempt_at, o.rowid LIMIT @limit`;

/**
 * The outbox: messages queued in the same transaction as the step that caused them
 * (transactional outbox), claimed by one sender at a time (a lease, so a crashed
 * process's rows are taken up again), in order per channel, recipient and report, with
 * every attempt logged.
 */
export class OutboxStore {
  private readonly s;

  /**
   * Resolves once every step committed so far is on disk. A Slack request's steps share
   * one fsync after they commit (group-commit.ts), so a row can be visible here a moment
   * before it is durable: nothing is sent until it is (persist, then reply, power cut
   * included). Immediate when nothing waits for that fsync.
   */
  durable(): Promise<void> {
    return groupCommitFor(this.db).onDisk();
  }

  constructor(
    private readonly db: SqliteDatabase,
    private readonly keys?: Keyring,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      enqueue: p(
        `INSERT INTO outbox (id, dedupe_key, channel, recipient_type, recipient_id, message_type, report_id, payload_json,
           status, attempts, next_attempt_at, created_at)
         VALUES (@id, @dedupeKey, @channel, @recipientType, @recipientId, @messageType, @reportId, @payload,
           'pending', 0, @nextAttemptAt, @createdAt)
         ON CONFLICT (dedupe_key) DO NOTHING`,
      ),
      // Due, not claimed by a live sender, on a running channel, and the first pending
      // row of its (channel, recipient, report): a later message never overtakes an earlier one.
      // Read along outbox_due (status, next_attempt_at) in its own order, so a claim stops
      // at its first few rows instead of checking and sorting every pending row (under load
      // thousands wait, and each claim was reading them all). The DSL channel's cards are
      // asked for first (under load they are what must not wait), then everything due.
      dueDsl: p(dueSql("AND o.recipient_type = 'dsl_channel'")),
      due: p(dueSql('')),
      claim: p(
        `UPDATE outbox SET claimed_by = @owner, claim_until = @until
         WHERE id = @id AND status = 'pending' AND (claim_until IS NULL OR claim_until <= @wall)`,
      ),
      sent: p(
        `UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = @at, last_error = NULL, error_code = NULL,
           claimed_by = NULL, claim_until = NULL
         WHERE id = @id AND status = 'pending' AND claimed_by = @owner`,
      ),
      failed: p(
        `UPDATE outbox SET status = @status, attempts = attempts + 1, next_attempt_at = @nextAttemptAt, last_error = @error,
           error_code = @code, claimed_by = NULL, claim_until = NULL
         WHERE id = @id AND status = 'pending' AND claimed_by = @owner`,
      ),
      attempt: p(
        `INSERT INTO outbox_attempts (outbox_id, attempt, at, outcome, code, detail, duration_ms)
         VALUES (@id, (SELECT attempts FROM outbox WHERE id = @id), @at, @outcome, @code, @detail, @durationMs)`,
      ),
      attempts: p('SELECT attempt, at, outcome, code, duration_ms FROM outbox_attempts WHERE outbox_id = @id ORDER BY id'),
      list: p('SELECT * FROM outbox ORDER BY rowid'),
      get: p('SELECT * FROM outbox WHERE id = @id'),
      problems: p(
        `SELECT id, report_id, channel, recipient_type, recipient_id, message_type, status, attempts, next_attempt_at,
           error_code, created_at FROM outbox WHERE status <> 'sent' ORDER BY rowid LIMIT @limit`,
      ),
      counts: p(
        `SELECT channel, status, attempts > 0 AS tried, COUNT(*) AS n FROM outbox WHERE status <> 'sent'
         GROUP BY channel, status, tried`,
      ),
    };
  }

  enqueue(item: OutboxInput, now: Date): void {
    const id = randomUUID();
    this.s.enqueue.run({
      id,
      dedupeKey: item.dedupeKey,
      channel: item.channel,
      recipientType: item.recipientType,
      recipientId: item.recipientId,
      messageType: item.messageType,
      reportId: item.reportId ?? null,
      payload: writePayload(this.keys, id, item.payload),
      nextAttemptAt: now.getTime(),
      createdAt: now.toISOString(),
    });
  }

  /**
   * Claims up to `limit` due rows of the running channels for `owner` until `wall + leaseMs`
   * (wall-clock time, so a claim expires even when the workflow's clock is a test's).
   */
  claimDue(opts: { now: Date; channels: DeliveryChannel[]; owner: string; leaseMs: number; limit: number; wall?: number }): OutboxItem[] {
    if (opts.channels.length === 0 || opts.limit <= 0) return [];
    const wall = opts.wall ?? Date.now();
    return this.db
      .transaction(() => {
        const args = { now: opts.now.getTime(), wall, channels: JSON.stringify(opts.channels), limit: opts.limit };
        const rows = this.s.dueDsl.all(args) as Row[];
        if (rows.length < opts.limit) {
          const taken = new Set(rows.map((r) => r.id));
          for (const r of this.s.due.all(args) as Row[]) if (rows.length < opts.limit && !taken.has(r.id)) rows.push(r);
        }
        return rows.filter((r) => this.s.claim.run({ id: r.id, owner: opts.owner, until: wall + opts.leaseMs, wall }).changes === 1).map((r) => toOutbox(r, this.keys));
      })
      .immediate();
  }

  /** Marks a claimed row sent; false when this sender no longer holds it. */
  markSent(id: string, owner: string, at: Date, durationMs?: number): boolean {
    return this.db.transaction(() => {
      const changed = this.s.sent.run({ id, owner, at: at.toISOString() }).changes === 1;
      if (changed) this.s.attempt.run({ id, at: at.toISOString(), outcome: 'sent', code: null, detail: null, durationMs: durationMs ?? null });
      return changed;
    })();
  }

  /** Marks several claimed rows sent in one commit; how many this sender still held. */
  markSentMany(owner: string, rows: { id: string; at: Date; durationMs?: number }[]): number {
    if (rows.length === 0) return 0;
    return this.db.transaction(() => {
      let n = 0;
      for (const r of rows) {
        if (this.s.sent.run({ id: r.id, owner, at: r.at.toISOString() }).changes !== 1) continue;
        this.s.attempt.run({ id: r.id, at: r.at.toISOString(), outcome: 'sent', code: null, detail: null, durationMs: r.durationMs ?? null });
        n += 1;
      }
      return n;
    })();
  }

  /** Gives claimed rows back (not sent, not tried) so another sender may take them at once. */
  release(owner: string, ids: string[]): void {
    const stmt = this.db.prepare(`UPDATE outbox SET claimed_by = NULL, claim_until = NULL WHERE id = @id AND claimed_by = @owner AND status = 'pending'`);
    this.db.transaction(() => {
      for (const id of ids) stmt.run({ id, owner });
    })();
  }

  /** Records a failed attempt: retried at `retryAt`, or failed for good (status 'dead') without one. */
  markFailed(id: string, owner: string, f: { at: Date; code: string; detail: string; retryAt?: Date | undefined; durationMs?: number }): boolean {
    return this.db.transaction(() => {
      const changed =
        this.s.failed.run({
          id,
          owner,
          status: f.retryAt ? 'pending' : 'dead',
          nextAttemptAt: f.retryAt ? f.retryAt.getTime() : 0,
          error: f.detail.slice(0, 300),
          code: f.code.slice(0, 80),
        }).changes === 1;
      if (changed)
        this.s.attempt.run({
          id,
          at: f.at.toISOString(),
          outcome: f.retryAt ? 'transient' : 'permanent',
          code: f.code.slice(0, 80),
          detail: f.detail.slice(0, 300),
          durationMs: f.durationMs ?? null,
        });
      return changed;
    })();
  }

  get(id: string): OutboxRow | undefined {
    const r = this.s.get.get({ id }) as Row | undefined;
    return r ? toRow(r, this.keys) : undefined;
  }

  list(): OutboxRow[] {
    return (this.s.list.all() as Row[]).map((r) => toRow(r, this.keys));
  }

  attempts(id: string): AttemptRecord[] {
    return (this.s.attempts.all({ id }) as Row[]).map((r) => ({
      attempt: Number(r.attempt),
      at: String(r.at),
      outcome: r.outcome as AttemptRecord['outcome'],
      code: opt(r.code),
      durationMs: r.duration_ms === null ? undefined : Number(r.duration_ms),
    }));
  }

  /** Rows not delivered: waiting (never tried), retrying, or failed for good. */
  problems(limit = 200): OutboxProblem[] {
    return (this.s.problems.all({ limit }) as Row[]).map((r) => ({
      id: String(r.id),
      reportId: opt(r.report_id),
      channel: r.channel as DeliveryChannel,
      recipientType: r.recipient_type as OutboxItem['recipientType'],
      recipientId: String(r.recipient_id),
      messageType: String(r.message_type),
      state: r.status === 'dead' ? 'failed' : Number(r.attempts) > 0 ? 'retrying' : 'waiting',
      attempts: Number(r.attempts),
      nextAttemptAt: r.status === 'dead' ? undefined : new Date(Number(r.next_attempt_at)).toISOString(),
      errorCode: opt(r.error_code),
      createdAt: String(r.created_at),
    }));
  }

  /** How many messages wait, retry or failed, per channel. */
  counts(): Record<string, { waiting: number; retrying: number; failed: number }> {
    const out: Record<string, { waiting: number; retrying: number; failed: number }> = {};
    for (const r of this.s.counts.all() as Row[]) {
      const c = (out[String(r.channel)] ??= { waiting: 0, retrying: 0, failed: 0 });
      const n = Number(r.n);
      if (r.status === 'dead') c.failed += n;
      else if (Number(r.tried) === 1) c.retrying += n;
      else c.waiting += n;
    }
    return out;
  }
}

function toRow(r: Row, keys: Keyring | undefined): OutboxRow {
  return {
    ...toOutbox(r, keys),
    status: r.status as OutboxStatus,
    lastError: opt(r.last_error),
    errorCode: opt(r.error_code),
    nextAttemptAt: Number(r.next_attempt_at),
    claimedBy: opt(r.claimed_by),
  };
}
