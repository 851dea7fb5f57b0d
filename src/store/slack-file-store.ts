import type { SqliteDatabase } from './database.js';

export interface PendingFile {
  id: number;
  reportId: string;
  reporterId: string;
  fileId: string;
  name: string;
  url: string;
  meta: Record<string, unknown>;
  attempts: number;
}

type Row = Record<string, unknown>;

/** Slack uploads waiting to be fetched (migration 0004). */
export class SlackFileStore {
  private readonly s;

  constructor(db: SqliteDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      add: p(
        `INSERT OR IGNORE INTO slack_pending_files (report_id, reporter_id, file_id, name, url, meta_json, status, next_attempt_at, created_at)
         VALUES (@reportId, @reporterId, @fileId, @name, @url, @meta, 'pending', @at, @createdAt)`,
      ),
      due: p(`SELECT * FROM slack_pending_files WHERE status = 'pending' AND next_attempt_at <= @now ORDER BY id LIMIT @limit`),
      done: p(`UPDATE slack_pending_files SET status = 'done', attempts = attempts + 1, last_error = NULL WHERE id = @id`),
      failed: p(`UPDATE slack_pending_files SET status = @status, attempts = attempts + 1, next_attempt_at = @next, last_error = @error WHERE id = @id`),
      pendingFor: p(`SELECT count(*) AS n FROM slack_pending_files WHERE report_id = @reportId AND status = 'pending'`),
    };
  }

  add(file: Omit<PendingFile, 'id' | 'attempts'>, now: Date): void {
    this.s.add.run({ ...file, meta: JSON.stringify(file.meta), at: now.getTime(), createdAt: now.toISOString() });
  }

  due(now: Date, limit = 20): PendingFile[] {
    return (this.s.due.all({ now: now.getTime(), limit }) as Row[]).map((r) => ({
      id: Number(r.id),
      reportId: String(r.report_id),
      reporterId: String(r.reporter_id),
      fileId: String(r.file_id),
      name: String(r.name),
      url: String(r.url),
      meta: JSON.parse(String(r.meta_json)) as Record<string, unknown>,
      attempts: Number(r.attempts),
    }));
  }

  markDone(id: number): void {
    this.s.done.run({ id });
  }

  markFailed(id: number, error: string, retryAt: Date | undefined): void {
    this.s.failed.run({ id, status: retryAt ? 'pending' : 'failed', next: retryAt ? retryAt.getTime() : 0, error: error.slice(0, 500) });
  }

  pendingCount(reportId: string): number {
    return Number((this.s.pendingFor.get({ reportId }) as Row).n);
  }
}
