import type { CaseEntryRecord } from '../core/ports.js';
import type { SqliteDatabase } from './database.js';
import type { Keyring } from './keyring.js';
import { openText, sealText } from './sealed.js';

type Row = Record<string, unknown>;

/** Where a case entry's sealed values belong (bound into their ciphertext). */
export const caseEntryAad = {
  text: (id: string) => `case_entries.text:${id}`,
  externalRef: (id: string) => `case_entries.external_ref:${id}`,
};

/**
 * A case's notes, recorded actions, closings and reopenings (migration 0008): appended,
 * never changed. Their text and external references are sealed with the keyring.
 */
export class CaseEntryStore {
  private readonly insert;
  private readonly list;

  constructor(
    db: SqliteDatabase,
    private readonly keys: Keyring,
  ) {
    this.insert = db.prepare(
      `INSERT INTO case_entries (id, report_id, kind, what, actor, at, text, external_ref)
       VALUES (@id, @reportId, @kind, @what, @actor, @at, @text, @externalRef)`,
    );
    this.list = db.prepare('SELECT * FROM case_entries WHERE report_id = @reportId ORDER BY at, rowid');
  }

  add(e: CaseEntryRecord): void {
    this.insert.run({
      id: e.id,
      reportId: e.reportId,
      kind: e.kind,
      what: e.what ?? null,
      actor: e.actor,
      at: e.at,
      text: e.text === undefined ? null : sealText(this.keys, e.text, caseEntryAad.text(e.id)),
      externalRef: e.externalRef === undefined ? null : sealText(this.keys, e.externalRef, caseEntryAad.externalRef(e.id)),
    });
  }

  forReport(reportId: string): CaseEntryRecord[] {
    return (this.list.all({ reportId }) as Row[]).map((r) => {
      const id = String(r.id);
      const opt = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
      return {
        id,
        reportId: String(r.report_id),
        kind: r.kind as CaseEntryRecord['kind'],
        what: opt(r.what),
        actor: String(r.actor),
        at: String(r.at),
        text: r.text === null || r.text === undefined ? undefined : openText(this.keys, String(r.text), caseEntryAad.text(id)),
        externalRef: r.external_ref === null || r.external_ref === undefined ? undefined : openText(this.keys, String(r.external_ref), caseEntryAad.externalRef(id)),
      };
    });
  }
}
