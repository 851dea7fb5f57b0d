import { stringify } from 'csv-stringify/sync';
import type { Router } from 'express';
import type { CaseFacts } from '../core/governors-report.js';
import { filteringLog, mayExportFilteringLog } from '../core/filtering-log.js';
import { recordConsoleEvent, type CaseConsoleDeps } from '../core/case-console.js';
import type { Policy } from '../core/policy-schema.js';
import type { Logger } from '../logger.js';
import type { Session } from './console-session.js';

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, return) is kept as text. */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const columns = [
  ['reference', 'Reference'],
  ['reportedAt', 'Reported at (UTC)'],
  ['kind', 'Kind'],
  ['category', 'Content category'],
  ['webAddresses', 'Web addresses'],
  ['rules', 'Rules'],
  ['why', 'Why'],
  ['status', 'Status'],
  ['blockedBy', 'Blocked by'],
  ['blockedAt', 'Blocked at (UTC)'],
  ['actionTaken', 'Action taken'],
] as const;

/** The console's exports: the filtering and blocking log as CSV (csv-stringify); each export audited. */
export function mountExports(
  router: Router,
  d: CaseConsoleDeps & { policy: Policy; log: Logger; casesWithTasks: () => CaseFacts[]; forbidden: (res: import('express').Response) => void },
  sessionOf: (res: import('express').Response) => Session,
): void {
  router.get('/exports/filtering-log.csv', (_req, res) => {
    const session = sessionOf(res);
    if (!mayExportFilteringLog(d.directory, session.p)) return d.forbidden(res);
    const rows = filteringLog({ directory: d.directory, policy: d.policy, actorId: session.p, cases: d.casesWithTasks() });
    recordConsoleEvent(d, session.p, 'console.exported', { export: 'filtering_log', rows: rows.length });
    d.log.info({ personId: session.p, rows: rows.length }, 'console export: filtering log');
    const csv = stringify(
      rows.map((r) => columns.map(([key]) => spreadsheetSafe(String(r[key])))),
      { header: true, columns: columns.map(([, label]) => label), bom: true, record_delimiter: 'windows' },
    );
    res.set('Content-Disposition', `attachment; filename="filtering-log-${d.clock().toISOString().slice(0, 10)}.csv"`);
    return res.type('text/csv; charset=utf-8').send(csv);
  });
}
