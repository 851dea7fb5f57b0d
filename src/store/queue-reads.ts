import type { DutyRecord, OpenCase, ReportRecord } from '../core/ports.js';
import type { SqliteDatabase } from './database.js';
import type { Keyring } from './keyring.js';
import { aad } from './seal-existing.js';
import { openJson } from './sealed.js';

type Row = Record<string, unknown>;

/**
 * The open-case list and a person's receipts, read for a million stored reports: a page
 * at a time along an index (migration 0009's partial index of open reports), only the
 * columns shown; the form is never read, the routing only for its subjects (G1).
 */
export class QueueReads {
  private readonly s;

  constructor(
    db: SqliteDatabase,
    private readonly keys: Keyring,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      openPage: p(
        `SELECT id, reference, kind, urgent, submitted_at, routing_json FROM reports
         WHERE status <> 'closed'
           AND (@after IS NULL OR (submitted_at, reference) > (SELECT submitted_at, reference FROM reports WHERE id = @after))
         ORDER BY submitted_at, reference LIMIT @limit`,
      ),
      duties: p('SELECT type, status, levels_json, reach, rules_json, created_at FROM duties WHERE report_id = @reportId ORDER BY rowid'),
      nextDue: p(`SELECT due_at FROM timers WHERE report_id = @reportId AND status = 'pending' ORDER BY due_at LIMIT 1`),
      receipts: p(
        `SELECT id, reference, kind, status, submitted_at FROM reports WHERE reporter_id = @reporterId
         ORDER BY submitted_at DESC, reference DESC LIMIT @limit`,
      ),
    };
  }

  openCases(page: { after?: string | undefined; limit: number }): OpenCase[] {
    return (this.s.openPage.all({ after: page.after ?? null, limit: page.limit }) as Row[]).map((r) => {
      const id = String(r.id);
      const routing = openJson<{ subjects?: string[] }>(this.keys, String(r.routing_json), aad.routing(id));
      const next = this.s.nextDue.get({ reportId: id }) as Row | undefined;
      return {
        id,
        reference: String(r.reference),
        kind: r.kind as ReportRecord['kind'],
        urgent: r.urgent === 1,
        submittedAt: String(r.submitted_at),
        subjects: routing.subjects ?? [],
        duties: (this.s.duties.all({ reportId: id }) as Row[]).map((d) => ({
          type: d.type as DutyRecord['type'],
          status: d.status as DutyRecord['status'],
          levels: JSON.parse(String(d.levels_json)) as DutyRecord['levels'],
          reach: Number(d.reach),
          rules: JSON.parse(String(d.rules_json)) as DutyRecord['rules'],
          createdAt: String(d.created_at),
        })),
        ...(next ? { nextDueAt: Number(next.due_at) } : {}),
      };
    });
  }

  receipts(reporterId: string, limit: number): Pick<ReportRecord, 'id' | 'reference' | 'kind' | 'status' | 'submittedAt'>[] {
    return (this.s.receipts.all({ reporterId, limit }) as Row[]).map((r) => ({
      id: String(r.id),
      reference: String(r.reference),
      kind: r.kind as ReportRecord['kind'],
      status: r.status as ReportRecord['status'],
      submittedAt: String(r.submitted_at),
    }));
  }
}
