import type { DigestEntry } from '../core/ports.js';
import type { SqliteDatabase } from './database.js';

type Row = Record<string, unknown>;

/**
 * DSL-channel posts held back during a flood, to go out as one listing (core's
 * `dsl-digest.ts` decides). The rows carry ids, a message type and times only.
 */
export class DigestStore {
  private readonly s;

  constructor(db: SqliteDatabase) {
    this.s = {
      recentPosts: db.prepare(
        `SELECT COUNT(DISTINCT report_id) AS n FROM outbox
          WHERE recipient_type = 'dsl_channel' AND created_at >= @since
            AND message_type IN ('report.for_acknowledgement', 'ack.reminder', 'report.escalated')`,
      ),
      recentHeld: db.prepare('SELECT COUNT(*) AS n FROM dsl_digest WHERE added_at >= @since'),
      pendingFlush: db.prepare('SELECT MIN(flush_at) AS at FROM dsl_digest WHERE flushed_at IS NULL'),
      add: db.prepare(
        `INSERT INTO dsl_digest (report_id, duty_id, message, extra_json, added_at, flush_at)
         VALUES (@reportId, @dutyId, @message, @extra, @addedAt, @flushAt)`,
      ),
      due: db.prepare('SELECT * FROM dsl_digest WHERE flushed_at IS NULL AND flush_at <= @now ORDER BY id LIMIT @limit'),
      markFlushed: db.prepare('UPDATE dsl_digest SET flushed_at = @now WHERE id = @id AND flushed_at IS NULL'),
    };
  }

  /** DSL-channel duty posts (queued or held) for distinct reports since `since`. */
  recentDslPosts(since: Date): number {
    const iso = since.toISOString();
    const posts = Number((this.s.recentPosts.get({ since: iso }) as Row).n);
    const held = Number((this.s.recentHeld.get({ since: since.getTime() }) as Row).n);
    return posts + held;
  }

  /** When the held posts go out (the earliest), if any are held. */
  pendingDigestAt(): number | undefined {
    const at = (this.s.pendingFlush.get() as Row).at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  holdForDigest(entry: Omit<DigestEntry, 'id'>): void {
    this.s.add.run({
      reportId: entry.reportId,
      dutyId: entry.dutyId,
      message: entry.message,
      extra: JSON.stringify(entry.extra),
      addedAt: entry.addedAt,
      flushAt: entry.flushAt,
    });
  }

  /** Held posts whose time has come, oldest first; each is taken once (marked in the caller's transaction). */
  takeDueDigest(now: Date, limit: number): DigestEntry[] {
    const rows = this.s.due.all({ now: now.getTime(), limit }) as Row[];
    return rows
      .filter((r) => this.s.markFlushed.run({ id: r.id, now: now.getTime() }).changes === 1)
      .map((r) => ({
        id: Number(r.id),
        reportId: String(r.report_id),
        dutyId: String(r.duty_id),
        message: String(r.message) as DigestEntry['message'],
        extra: JSON.parse(String(r.extra_json)) as Record<string, unknown>,
        addedAt: Number(r.added_at),
        flushAt: Number(r.flush_at),
      }));
  }
}
