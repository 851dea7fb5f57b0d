import type { SqliteDatabase } from './database.js';
import type { Keyring } from './keyring.js';
import { isSealed, sealJson, sealText } from './sealed.js';

/** Where each sealed value belongs: bound into its ciphertext, so values cannot be swapped between rows. */
export const aad = {
  form: (reportId: string) => `reports.form_json:${reportId}`,
  routing: (reportId: string) => `reports.routing_json:${reportId}`,
  closeReason: (reportId: string) => `reports.close_reason:${reportId}`,
  spec: (dutyId: string) => `duties.spec_json:${dutyId}`,
  result: (dutyId: string) => `duties.result_json:${dutyId}`,
  fileName: (evidenceId: string) => `evidence.file_name:${evidenceId}`,
};

/** The columns sealed at rest, and how each is sealed. */
const columns = [
  { table: 'reports', column: 'form_json', aad: aad.form, json: true },
  { table: 'reports', column: 'routing_json', aad: aad.routing, json: true },
  { table: 'reports', column: 'close_reason', aad: aad.closeReason, json: false },
  { table: 'duties', column: 'spec_json', aad: aad.spec, json: true },
  { table: 'duties', column: 'result_json', aad: aad.result, json: true },
] as const;

/**
 * Seals the values written before encryption (a database from before migration 0005):
 * run at each start, in the start's transaction; a value already sealed is left alone.
 * Evidence file names stay as written (evidence rows are never changed, by trigger).
 */
export function sealExisting(db: SqliteDatabase, keys: Keyring): number {
  // Once a start has sealed everything, nothing plain is ever written again (this version
  // seals as it writes): later starts skip five whole-table scans (seconds at a million
  // reports). `user_version` 1 records it.
  if (Number(db.pragma('user_version', { simple: true })) >= 1) return 0;
  let sealed = 0;
  for (const c of columns) {
    const rows = db.prepare(`SELECT id, ${c.column} AS v FROM ${c.table} WHERE ${c.column} IS NOT NULL AND ${c.column} NOT LIKE 'sg1:%'`).all() as {
      id: string;
      v: string;
    }[];
    const put = db.prepare(`UPDATE ${c.table} SET ${c.column} = @v WHERE id = @id`);
    for (const r of rows) {
      if (isSealed(r.v)) continue;
      const v = c.json ? sealJson(keys, JSON.parse(r.v), c.aad(r.id)) : sealText(keys, r.v, c.aad(r.id));
      sealed += put.run({ id: r.id, v }).changes;
    }
  }
  db.pragma('user_version = 1');
  return sealed;
}
