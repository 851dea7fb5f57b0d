import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { commandLinePaths, loadConfig } from '../config.js';
import { governorsReport } from '../core/governors-report.js';
import { chooseSchoolFile, loadSchool } from '../files/school-files.js';
import { openExistingDatabase } from '../store/database.js';
import { Keyring } from '../store/keyring.js';
import { casesAround } from '../store/report-period.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { governorsCharts } from '../views/governors-charts.js';
import { governorsPdf } from '../views/governors-pdf.js';

const schoolDate = z.iso.date({ error: 'give a date as YYYY-MM-DD' });

/** `governors-report --from YYYY-MM-DD --to YYYY-MM-DD --out DIR`: the PDF and the charts (SVG) into DIR. */
export function addGovernorsReportCommand(program: Command, out: (s: string) => void): void {
  const defaults = commandLinePaths();
  program
    .command('governors-report')
    .description("the governors' report for a term or a year: counts and times, no names, small counts suppressed (PDF and SVG charts)")
    .requiredOption('--from <YYYY-MM-DD>', 'the first school day of the period')
    .requiredOption('--to <YYYY-MM-DD>', 'the last school day of the period (included)')
    .requiredOption('--out <dir>', 'the folder to write the PDF and the charts into')
    .option('--db <file>', 'the database (default: DATABASE_PATH, else data/safeguarding.db)')
    .option('--key-file <file>', 'the key file (default: KEY_FILE, else ~/.config/safeguarding-bot/keys.json)')
    .option('--school <file>', 'the school file (default: SCHOOL_CONFIG, data/school.yaml, or the demo school)')
    .action(async (opts: { from: string; to: string; out: string; db?: string; keyFile?: string; school?: string }) => {
      const from = schoolDate.safeParse(opts.from);
      const to = schoolDate.safeParse(opts.to);
      if (!from.success) throw new Error(`--from: give a date as YYYY-MM-DD (not "${opts.from}")`);
      if (!to.success) throw new Error(`--to: give a date as YYYY-MM-DD (not "${opts.to}")`);
      if (to.data < from.data) throw new Error('--to: the period must end on or after --from');
      const school = loadSchool(opts.school ?? chooseSchoolFile(loadConfig()).file);
      const keys = Keyring.load(opts.keyFile ?? defaults.keyFile);
      const db = openExistingDatabase(path.resolve(opts.db ?? defaults.databasePath));
      try {
        const store = new SqliteStore(db, keys);
        const report = governorsReport({
          from: from.data,
          to: to.data,
          schoolName: school.config.school.name,
          timeZone: school.directory.timeZone,
          rules: school.policy.rules.map((r) => ({ id: r.id, title: r.title })),
          cases: casesAround(db, store, from.data, to.data),
        });
        const charts = governorsCharts(report);
        mkdirSync(opts.out, { recursive: true });
        const base = `governors-report-${from.data}-to-${to.data}`;
        const pdfFile = path.join(opts.out, `${base}.pdf`);
        writeFileSync(pdfFile, await governorsPdf(report, charts, new Date()));
        for (const c of charts) writeFileSync(path.join(opts.out, c.file), c.svg);
        writeFileSync(path.join(opts.out, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
        out(`OK: ${pdfFile}, ${charts.map((c) => c.file).join(', ')} and ${base}.json in ${path.resolve(opts.out)} (${report.total.shown} reports; counts under ${report.threshold} suppressed)`);
      } finally {
        db.close();
      }
    });
}
