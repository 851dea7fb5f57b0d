import { stringify } from 'csv-stringify/sync';
import type { Response, Router } from 'express';
import { z } from 'zod';
import { governorsReport } from '../core/governors-report.js';
import type { Role } from '../core/school.js';
import type { CaseFacts } from '../core/governors-report.js';
import { auditLogForExport, filteringLog, mayExportAuditLog, mayExportFilteringLog } from '../core/filtering-log.js';
import type { AuditEntry } from '../core/ports.js';
import { mayExportReputationLog, reputationLog } from '../core/reputation-log.js';
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
  d: CaseConsoleDeps & {
    policy: Policy;
    log: Logger;
    schoolName: string;
    casesWithTasks: () => CaseFacts[];
    casesAround: (from: string, to: string) => CaseFacts[];
    allCases: () => CaseFacts[];
    auditLog: () => Promise<{ entries: (AuditEntry & { reference?: string | undefined })[]; check: { ok: boolean; chain: { problems: { seq: number; problem: string }[] }; content: { where: string; problem: string }[] } }>;
    forbidden: (res: Response) => void;
    badRequest: (res: Response, message: string) => void;
  },
  sessionOf: (res: Response) => Session,
): void {
  // The audit log with its verification (as `audit verify`): ids, actions and hashes, never report text.
  router.get('/exports/audit-log.csv', async (_req, res) => {
    const session = sessionOf(res);
    if (!mayExportAuditLog(d.directory, session.p)) return d.forbidden(res);
    const { entries, check } = await d.auditLog();
    const shown = auditLogForExport({ directory: d.directory, actorId: session.p, entries, subjectsOf: (id) => d.store.getReport(id)?.routing.subjects ?? [] });
    const problems = [...check.chain.problems.map((p) => (p.seq > 0 ? `entry ${p.seq}: ${p.problem}` : p.problem)), ...check.content.map((c) => `${c.where}: ${c.problem}`)];
    recordConsoleEvent(d, session.p, 'console.exported', { export: 'audit_log', entries: shown.length, verified: problems.length === 0 });
    const csv = stringify(
      [
        ...shown.map((e) => [String(e.seq), e.at, e.actor, e.action, e.reference ?? '', JSON.stringify(e.details), e.hash].map(spreadsheetSafe)),
        ['verification', d.clock().toISOString(), 'system', problems.length === 0 ? 'OK: the audit log verifies' : `BROKEN: ${problems.length} problem(s)`, '', problems.join('; '), ''].map(spreadsheetSafe),
      ],
      { header: true, columns: ['Entry', 'At (UTC)', 'Actor', 'Action', 'Report', 'Details', 'Hash'], bom: true, record_delimiter: 'windows' },
    );
    res.set('Content-Disposition', `attachment; filename="audit-log-${d.clock().toISOString().slice(0, 10)}.csv"`);
    return res.type('text/csv; charset=utf-8').send(csv);
  });

  router.get('/exports/reputation-log.csv', (_req, res) => {
    const session = sessionOf(res);
    if (!mayExportReputationLog(d.directory, session.p)) return d.forbidden(res);
    const rows = reputationLog({ directory: d.directory, actorId: session.p, cases: d.allCases() });
    recordConsoleEvent(d, session.p, 'console.exported', { export: 'reputation_log', rows: rows.length });
    const cols = [
      ['reference', 'Reference'], ['reportedAt', 'Reported at (UTC)'], ['kind', 'Kind'], ['postedBy', 'Posted by'], ['platform', 'Platform'],
      ['where', 'Where'], ['postedOn', 'Posted on'], ['rules', 'Rules'], ['status', 'Status'], ['decision', 'Decision'],
      ['decidedBy', 'Decided by'], ['decidedAt', 'Decided at (UTC)'], ['closedWith', 'Closed with'],
    ] as const;
    const csv = stringify(rows.map((r) => cols.map(([key]) => spreadsheetSafe(String(r[key])))), { header: true, columns: cols.map(([, l]) => l), bom: true, record_delimiter: 'windows' });
    res.set('Content-Disposition', `attachment; filename="reputation-log-${d.clock().toISOString().slice(0, 10)}.csv"`);
    return res.type('text/csv; charset=utf-8').send(csv);
  });

  // The governors' report, as the CLI writes it: no names, small counts suppressed.
  router.get('/exports/governors-report.pdf', async (req, res) => {
    const session = sessionOf(res);
    if (!mayGetGovernorsReport(d, session.p)) return d.forbidden(res);
    const q = z.object({ from: z.iso.date(), to: z.iso.date() }).safeParse(req.query);
    if (!q.success || q.data.to < q.data.from) return d.badRequest(res, 'Give the first and last dates of the period (the last on or after the first).');
    const report = governorsReport({
      ...q.data,
      schoolName: d.schoolName,
      timeZone: d.directory.timeZone,
      rules: d.policy.rules.map((r) => ({ id: r.id, title: r.title })),
      cases: d.casesAround(q.data.from, q.data.to),
    });
    // The charts (echarts) and PDF (PDFKit, fonts) are loaded when a governors' report is
    // first made, never at start: together ~120 MB of memory the bot otherwise never uses.
    const [{ governorsCharts }, { governorsPdf }] = await Promise.all([import('../views/governors-charts.js'), import('../views/governors-pdf.js')]);
    const pdf = await governorsPdf(report, governorsCharts(report), d.clock());
    recordConsoleEvent(d, session.p, 'console.exported', { export: 'governors_report', from: q.data.from, to: q.data.to });
    res.set('Content-Disposition', `attachment; filename="governors-report-${q.data.from}-to-${q.data.to}.pdf"`);
    return res.type('application/pdf').send(pdf);
  });

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

/** The governors' report: for the DSL, the deputies, the headteacher and the chair of governors. */
export const governorsReportRoles: readonly Role[] = ['dsl', 'deputy_dsl', 'headteacher', 'chair_of_governors'];

export function mayGetGovernorsReport(d: Pick<CaseConsoleDeps, 'directory'>, personId: string): boolean {
  return d.directory.has(personId) && d.directory.rolesOf(personId).some((r) => governorsReportRoles.includes(r));
}
