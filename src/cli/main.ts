import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { DomainError } from '../core/errors.js';
import { route } from '../core/policy-engine.js';
import { makeReportSchema } from '../core/report-schemas.js';
import { localDate } from '../core/working-time.js';
import { toFieldIssues } from '../core/issues.js';
import { chooseSchoolFile, loadPolicyFile, loadSchool } from '../files/school-files.js';
import { FileProblemError } from '../files/yaml-file.js';
import { addAuditCommands } from './audit-commands.js';
import { addBackupCommands } from './backup-commands.js';
import { explainText } from './explain-text.js';
import { addGovernorsReportCommand } from './governors-report-command.js';
import { addOutboxCommands } from './outbox-status.js';
import { addRetentionCommands } from './retention-commands.js';
import { buildTeamsPackage, teamsPackageOptionsSchema } from './teams-package.js';

/** A report file for `policy explain`: the form, or { reporter, at, report }. */
const explainFileSchema = z.union([
  z.object({
    reporter: z.string().default('staff'),
    at: z.iso.datetime({ offset: true }).optional(),
    report: z.record(z.string(), z.unknown()),
  }),
  z.record(z.string(), z.unknown()).transform((report) => ({ reporter: 'staff', at: undefined, report })),
]);

function schoolFile(option: string | undefined): string {
  return option ?? chooseSchoolFile(loadConfig()).file;
}

export function buildCli(out: (s: string) => void, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('safeguarding-bot').description('safeguarding-bot command line').exitOverride();
  const policy = program.command('policy').description('check and explain escalation policies');

  policy
    .command('explain')
    .description('print who a report would go to, and the rule that sends it there')
    .argument('<report.json>', 'a report: the form, or { "reporter", "at", "report" }')
    .option('--school <file>', 'the school file (default: SCHOOL_CONFIG, data/school.yaml, or the demo school)')
    .option('--at <iso-time>', 'the time of the report (default: the file\'s "at", or now)')
    .option('--json', 'print the routing as JSON')
    .action((file: string, opts: { school?: string; at?: string; json?: boolean }) => {
      const school = loadSchool(schoolFile(opts.school));
      const input = explainFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      const at = new Date(opts.at ?? input.at ?? new Date().toISOString());
      if (Number.isNaN(at.getTime())) throw new Error(`--at: not a time: ${opts.at}`);
      const parsed = makeReportSchema({ today: localDate(at, school.directory.timeZone) }).safeParse(input.report);
      if (!parsed.success) throw new DomainError('VALIDATION_FAILED', 'the report has problems', toFieldIssues(parsed.error));
      const routing = route({ form: parsed.data, reporterId: input.reporter }, school.policy, school.directory, at);
      out(opts.json ? JSON.stringify(routing, null, 2) : explainText(parsed.data.kind, routing, school.policy, school.directory));
    });

  policy
    .command('check')
    .description('validate a policy file')
    .argument('<file>', 'the policy file (YAML)')
    .action((file: string) => {
      const p = loadPolicyFile(file);
      out(`OK: ${file} is a valid policy ("${p.name}", ${p.rules.length} rules, guards ${p.guards.join(' ')})`);
    });

  addAuditCommands(program, out, setExitCode);
  addBackupCommands(program, out, setExitCode);
  addOutboxCommands(program, out);
  addGovernorsReportCommand(program, out);
  addRetentionCommands(program, out);

  const teams = program.command('teams').description('Microsoft Teams');
  teams
    .command('package')
    .description('build the Teams app package (zip) to upload in Teams or the Teams admin centre')
    .option('--app-id <guid>', "the bot's Microsoft App ID (default: MICROSOFT_APP_ID)")
    .requiredOption('--domain <host>', 'the host name the bot is reached at, e.g. bot.ourschool.sch.uk')
    .option('--manifest-id <guid>', "the app's id in Teams (default: the bot's app id)")
    .option('--app-version <x.y.z>', 'the app version; raise it for each upload that changes the manifest')
    .option('--website <url>', 'support page (default: https://<domain>/)')
    .option('--privacy <url>', 'privacy page (default: https://<domain>/privacy)')
    .option('--terms <url>', 'terms of use page (default: https://<domain>/terms)')
    .option('--out <file>', 'where to write the zip', 'build/teams/safeguarding-bot-teams.zip')
    .action((o: { appId?: string; domain: string; manifestId?: string; appVersion?: string; website?: string; privacy?: string; terms?: string; out: string }) => {
      const appId = o.appId ?? loadConfig().teams?.appId;
      if (!appId) throw new Error('--app-id: give the bot\'s Microsoft App ID, or set MICROSOFT_APP_ID');
      const parsed = teamsPackageOptionsSchema.safeParse({
        appId,
        domain: o.domain,
        manifestId: o.manifestId,
        version: o.appVersion,
        websiteUrl: o.website,
        privacyUrl: o.privacy,
        termsUrl: o.terms,
        out: o.out,
      });
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
      const { file } = buildTeamsPackage(parsed.data);
      out(`OK: ${file} (upload it in Teams: Apps → Manage your apps → Upload an app)`);
    });
  return program;
}

export async function runCli(argv: string[], out = (s: string) => console.log(s), err = (s: string) => console.error(s)): Promise<number> {
  let code = 0;
  try {
    await buildCli(out, (c) => (code = c)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof FileProblemError) err(e.message);
    else if (e instanceof DomainError) err([`${e.message}:`, ...e.issues.map((i) => `  - ${i.path}: ${i.message}`)].join('\n'));
    else err(e instanceof Error ? e.message : String(e));
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) process.exitCode = await runCli(process.argv.slice(2));
