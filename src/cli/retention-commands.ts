import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { enabledChannels } from '../app/build-app.js';
import { commandLinePaths, loadConfig } from '../config.js';
import type { DeliveryChannel } from '../core/ports.js';
import { chooseSchoolFile, loadSchool } from '../files/school-files.js';
import { CaseRetentionStore } from '../store/case-retention-store.js';
import { openDatabase } from '../store/database.js';
import { Keyring } from '../store/keyring.js';

interface Paths {
  db?: string;
  evidence?: string;
  keyFile?: string;
  school?: string;
}

async function withRetention<T>(opts: Paths, fn: (store: CaseRetentionStore) => T | Promise<T>): Promise<T> {
  const defaults = commandLinePaths();
  const school = loadSchool(opts.school ?? chooseSchoolFile(loadConfig()).file);
  const keys = Keyring.load(opts.keyFile ?? defaults.keyFile);
  const file = path.resolve(opts.db ?? defaults.databasePath);
  // Holds, disposals and receipts write (and the bot's migrations, 0010 included, apply); a missing database is never created.
  if (!existsSync(file)) throw new Error(`the database ${file} does not exist (nothing was created; give --db or DATABASE_PATH)`);
  const db = openDatabase(file);
  try {
    return await fn(new CaseRetentionStore(db, keys, school.directory, opts.evidence ?? defaults.evidenceDir, channelsFor()));
  } finally {
    db.close();
  }
}

/** The channels the bot runs (to tell the DSL and headteacher there); none when the configuration is incomplete. */
function channelsFor(): DeliveryChannel[] {
  try {
    return enabledChannels(loadConfig());
  } catch {
    return [];
  }
}

const pathOptions = (c: Command) =>
  c
    .option('--db <file>', 'the database (default: DATABASE_PATH, else data/safeguarding.db)')
    .option('--evidence <dir>', 'the evidence folder (default: EVIDENCE_DIR, else data/evidence)')
    .option('--key-file <file>', 'the key file (default: KEY_FILE, else ~/.config/safeguarding-bot/keys.json)')
    .option('--school <file>', 'the school file (default: SCHOOL_CONFIG, data/school.yaml, or the demo school)');

/** `retention review`, `retention dispose` and `transfer confirm` (issue 14, item 7). Ids, references and dates only: never names. */
export function addRetentionCommands(program: Command, out: (s: string) => void): void {
  const retention = program.command('retention').description('case retention: review dates, legal holds, disposal');
  pathOptions(
    retention
      .command('review')
      .description('list the cases whose review date has come (ids, references, dates; no names)')
      .option('--until <YYYY-MM-DD>', 'list what will be due by this date instead (to plan ahead)'),
  ).action(async (opts: Paths & { until?: string }) =>
    withRetention(opts, (store) => {
      if (opts.until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.until)) throw new Error('--until: give a date as YYYY-MM-DD');
      const due = opts.until ? store.dueBy(opts.until) : store.due(new Date());
      if (due.length === 0) out('No case is due for review.');
      for (const c of due)
        out(
          `${c.reference}  ${c.reportId}  ${c.kind}  submitted ${c.submittedAt.slice(0, 10)}  review ${c.reviewDate} (${c.basis === 'date_of_birth' ? '25th birthday' : 'school rule'})` +
            `${c.status !== 'closed' ? '  OPEN: close it before disposal' : ''}${c.held ? '  LEGAL HOLD' : ''}`,
        );
    }),
  );
  pathOptions(
    retention
      .command('dispose')
      .description("dispose of a case past its review date: removes its rows, evidence and text, leaves an audited tombstone")
      .argument('<reference>', 'the case reference, e.g. SG-2026-0042')
      .requiredOption('--by <personId>', "the DSL's id in the school file")
      .requiredOption('--reason <text>', 'why (kept sealed in the tombstone; do not name anyone)'),
  ).action(async (reference: string, opts: Paths & { by: string; reason: string }) => {
    const t = await withRetention(opts, (store) => store.dispose(reference, opts.by, opts.reason, new Date()));
    out(`OK: ${t.reference} (${t.kind}, submitted ${t.submittedAt.slice(0, 10)}, review ${t.reviewDate}) was disposed of by ${t.disposedBy} at ${t.disposedAt}; its tombstone and audit entries remain.`);
  });

  const transfer = program.command('transfer').description("transfers of a pupil's file to the next school");
  pathOptions(
    transfer
      .command('confirm')
      .description("record the receiving school's receipt of a transfer pack")
      .argument('<code>', 'the receipt code, e.g. TR-7KQ2-M9XA')
      .option('--by <who>', 'who confirms (a person id, or a note such as "phone call")', 'cli'),
  ).action(async (code: string, opts: Paths & { by: string }) => {
    await withRetention(opts, (store) => store.confirmTransfer(code, opts.by, new Date()));
    out(`OK: the receipt of ${code.trim().toUpperCase()} is confirmed.`);
  });
}
