import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadPolicyFile, loadSchoolFile } from '../../src/files/school-files.js';
import { FileProblemError } from '../../src/files/yaml-file.js';
import { tempDir } from '../support/harness.js';

// Config and policy errors give a message that names the field (and, in files, its line).

const schoolText = readFileSync('data/school.example.yaml', 'utf8');
const policyText = readFileSync('data/policies/default.yaml', 'utf8');

let dir: string;
let fileCount = 0;
beforeAll(() => {
  dir = tempDir('sgbot-files-');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes text to a new file in the temporary folder and returns its path. */
function writeTemp(text: string, name = 'file.yaml'): string {
  fileCount += 1;
  const file = path.join(dir, `${fileCount}-${name}`);
  writeFileSync(file, text);
  return file;
}

/** The text with `from` replaced by `to`; fails the test if `from` is not there (once). */
function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`test setup: ${JSON.stringify(from)} is not in the file`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`test setup: ${JSON.stringify(needle)} is not in the file`);
  return i + 1;
}

/** The FileProblemError a call throws (fails the test if it throws anything else, or nothing). */
function problemOf(fn: () => unknown): FileProblemError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FileProblemError);
    return e as FileProblemError;
  }
  throw new Error('expected a FileProblemError, but nothing was thrown');
}

function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

const schoolProblem = (text: string) => problemOf(() => loadSchoolFile(writeTemp(text, 'school.yaml')));
const policyProblem = (text: string) => problemOf(() => loadPolicyFile(writeTemp(text, 'policy.yaml')));

describe('loadConfig', () => {
  it('turns Teams on with an app id (authenticated) or, locally, with TEAMS_ALLOW_UNAUTHENTICATED', () => {
    expect(loadConfig({}).teams).toBeUndefined();
    expect(loadConfig({ MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'secret', MICROSOFT_APP_TENANT_ID: 'tenant' }).teams).toEqual({
      appId: 'app',
      appPassword: 'secret',
      tenantId: 'tenant',
      allowUnauthenticated: false,
    });
    expect(loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: 'true' }).teams).toEqual({ allowUnauthenticated: true });
    expect(loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: 'false' }).teams).toBeUndefined();
  });

  it('refuses unauthenticated Teams in production or beside an app id, and lists every problem at once', () => {
    const e = configErrorOf({ NODE_ENV: 'production', TEAMS_ALLOW_UNAUTHENTICATED: 'true', MICROSOFT_APP_ID: 'app', PORT: 'abc' });
    expect(e.problems).toEqual([
      'PORT: must be a port number',
      'TEAMS_ALLOW_UNAUTHENTICATED: must not be true with NODE_ENV=production (it is for local testing only)',
      'TEAMS_ALLOW_UNAUTHENTICATED: must not be true when MICROSOFT_APP_ID is set (with an app id every request is authenticated)',
      "MICROSOFT_APP_PASSWORD: is required when MICROSOFT_APP_ID is set (the client secret of the bot's app registration)",
    ]);
    expect(configErrorOf({ MICROSOFT_APP_PASSWORD: 'x' }).problems).toEqual(['MICROSOFT_APP_ID: is required when MICROSOFT_APP_PASSWORD or MICROSOFT_APP_TENANT_ID is set']);
    expect(configErrorOf({ TEAMS_ALLOW_UNAUTHENTICATED: 'yes' }).problems).toEqual(['TEAMS_ALLOW_UNAUTHENTICATED: must be true or false']);
  });

  it('gives the defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3978,
      host: '127.0.0.1',
      schoolConfig: 'data/school.yaml',
      schoolConfigExplicit: false,
      databasePath: 'data/sandbox.db',
      evidenceDir: 'data/sandbox-evidence',
      sandbox: true,
      evidenceMaxBytes: 10 * 1024 * 1024,
      logLevel: 'info',
      nodeEnv: 'development',
      backgroundIntervalMs: 5000,
    });
  });

  it('reads the variables it is given', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      SCHOOL_CONFIG: 'data/our-school.yaml',
      DATABASE_PATH: '/var/lib/sg/db.sqlite',
      EVIDENCE_MAX_BYTES: '2048',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      schoolConfig: 'data/our-school.yaml',
      schoolConfigExplicit: true,
      databasePath: '/var/lib/sg/db.sqlite',
      evidenceMaxBytes: 2048,
      logLevel: 'warn',
    });
  });

  it('lists every bad variable in one ConfigError, each by name', () => {
    const err = configErrorOf({ PORT: 'abc', LOG_LEVEL: 'loud', EVIDENCE_MAX_BYTES: '-1' });
    expect(err.problems).toHaveLength(3);
    expect(err.message).toContain('PORT');
    expect(err.message).toContain('LOG_LEVEL');
    expect(err.message).toContain('EVIDENCE_MAX_BYTES');
    // Each problem starts with the variable it is about.
    expect(err.problems.map((p) => p.split(':')[0]).sort()).toEqual(['EVIDENCE_MAX_BYTES', 'LOG_LEVEL', 'PORT']);
    expect(err.problems.find((p) => p.startsWith('PORT'))).toContain('must be a port number');
    expect(err.message.split('\n')[0]).toBe('The environment has problems:');
  });

  it('refuses a port out of range', () => {
    const err = configErrorOf({ PORT: '70000' });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^PORT: /);
  });

  it('counts empty strings as unset', () => {
    const config = loadConfig({ PORT: '', HOST: '', SCHOOL_CONFIG: '', LOG_LEVEL: '', EVIDENCE_MAX_BYTES: '', DATABASE_PATH: '' });
    expect(config.port).toBe(3978);
    expect(config.host).toBe('127.0.0.1');
    expect(config.schoolConfig).toBe('data/school.yaml');
    expect(config.schoolConfigExplicit).toBe(false);
    expect(config.logLevel).toBe('info');
    expect(config.databasePath).toBe('data/sandbox.db');
    expect(config.evidenceMaxBytes).toBe(10 * 1024 * 1024);
  });

  it('runs the sandbox when no Slack or Teams credentials are set, or with SANDBOX=true, with its own files', () => {
    expect(loadConfig({})).toMatchObject({ sandbox: true, databasePath: 'data/sandbox.db', evidenceDir: 'data/sandbox-evidence' });
    const teams = { MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'secret' };
    expect(loadConfig(teams)).toMatchObject({ sandbox: false, databasePath: 'data/safeguarding.db', evidenceDir: 'data/evidence' });
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).sandbox).toBe(false);
    expect(() => loadConfig({ ...teams, SANDBOX: 'true' })).toThrowError(/SANDBOX: must not be true while Slack or Teams credentials are set/);
    expect(loadConfig({ SANDBOX: 'false' })).toMatchObject({ sandbox: false, databasePath: 'data/safeguarding.db' });
    expect(loadConfig({ DATABASE_PATH: 'x.db' }).databasePath).toBe('x.db');
    // The local Teams test mode is not a credential: the sandbox runs beside it.
    expect(loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: 'true' }).sandbox).toBe(true);
  });

  it('turns Slack on with both secrets, Socket Mode with an app token too, and names a missing half', () => {
    expect(loadConfig({}).slack).toBeUndefined();
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9999/api/' }).slack).toEqual({
      botToken: 'xoxb-1',
      signingSecret: 's',
      apiUrl: 'http://127.0.0.1:9999/api/',
    });
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_APP_TOKEN: 'xapp-1' }).slack?.appToken).toBe('xapp-1');
    expect(configErrorOf({ SLACK_BOT_TOKEN: 'xoxb-1' }).problems).toEqual(['SLACK_SIGNING_SECRET: is required with SLACK_BOT_TOKEN (Basic Information → App Credentials → Signing Secret)']);
    expect(configErrorOf({ SLACK_BOT_TOKEN: 'token', SLACK_SIGNING_SECRET: 's' }).problems).toEqual(['SLACK_BOT_TOKEN: must be a bot token (xoxb-…)']);
  });

  it('refuses the sandbox in production', () => {
    expect(configErrorOf({ NODE_ENV: 'production', SANDBOX: 'true', MICROSOFT_APP_ID: 'a', MICROSOFT_APP_PASSWORD: 'b' }).problems).toEqual([
      'SANDBOX: must not be true with NODE_ENV=production (anyone who can reach the sandbox can act as anyone)',
      expect.stringMatching(/^SANDBOX: must not be true while Slack or Teams credentials are set \(MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD\)/),
    ]);
    expect(configErrorOf({ NODE_ENV: 'production' }).problems[0]).toMatch(/^NODE_ENV=production needs Teams or Slack credentials/);
    expect(loadConfig({ NODE_ENV: 'production', MICROSOFT_APP_ID: 'a', MICROSOFT_APP_PASSWORD: 'b' }).sandbox).toBe(false);
  });
});

describe('loadSchoolFile', () => {
  it('reads the example school file', () => {
    const school = loadSchoolFile('data/school.example.yaml');
    expect(school.school.name).toBe('Example Primary School');
    expect(school.school.timezone).toBe('Europe/London');
    expect(school.people).toHaveLength(10);
    expect(school.policy).toBe('data/policies/default.yaml');
    expect(school.contacts).toEqual({ outOfHours: 'sam-okafor', viceChair: 'dana-frost' });
  });

  it('a copy of the example written to a temporary file reads the same', () => {
    expect(loadSchoolFile(writeTemp(schoolText))).toEqual(loadSchoolFile('data/school.example.yaml'));
  });

  it('a bad role names people[1].roles[0] and its line', () => {
    const text = edit(schoolText, 'roles: [deputy_dsl]', 'roles: [deputy]');
    const err = schoolProblem(text);
    expect(err.problems).toHaveLength(1);
    const line = lineOf(text, 'id: sam-okafor');
    expect(line).toBe(17);
    expect(err.message).toContain(`people[1].roles[0] (line ${line})`);
    expect(err.message).toContain('a role is one of');
    expect(err.message).toMatch(/^The school file .*school\.yaml has a problem:/);
  });

  it('a bad timezone names school.timezone and its line', () => {
    const text = edit(schoolText, 'timezone: Europe/London', 'timezone: Europe/Londn');
    const err = schoolProblem(text);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain(`school.timezone (line ${lineOf(text, 'timezone:')})`);
    expect(err.message).toContain('not a known time zone');
  });

  it('a working day that ends before it starts names school.workingHours.end', () => {
    const text = edit(schoolText, 'end: "17:00"', 'end: "07:00"');
    const err = schoolProblem(text);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain(`school.workingHours.end (line ${lineOf(text, 'workingHours:')})`);
    expect(err.message).toContain('the working day must end after it starts');
  });

  it('a time that is not HH:MM names the field', () => {
    const err = schoolProblem(edit(schoolText, 'start: "08:00"', 'start: "8am"'));
    expect(err.message).toContain('school.workingHours.start');
    expect(err.message).toContain('24-hour');
  });

  it('a duplicate person id names people[k].id and says it is used twice', () => {
    const text = edit(schoolText, 'id: ben-hughes', 'id: amy-clarke');
    const err = schoolProblem(text);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain(`people[7].id (line ${lineOf(text, 'name: Ben Hughes')})`);
    expect(err.message).toContain('"amy-clarke" is used twice');
  });

  it('a duplicate Slack id names people[k].slack', () => {
    const err = schoolProblem(edit(schoolText, 'slack: U0STAFF0002', 'slack: U0STAFF0001'));
    expect(err.message).toContain('people[7].slack');
    expect(err.message).toContain('used twice');
  });

  it('an unknown key (a typo) is reported', () => {
    const text = edit(schoolText, 'workingHours:', 'workinghours:');
    const err = schoolProblem(text);
    // The unknown key is named at its own line…
    expect(err.message).toContain(`school.workinghours (line ${lineOf(text, 'workinghours:')}): unknown setting "workinghours" (check the spelling)`);
    // …and the key it should have been is missing.
    expect(err.problems.some((p) => p.startsWith('school.workingHours') && p.endsWith('is missing'))).toBe(true);
  });

  it('contacts.viceChair naming nobody is reported', () => {
    const text = edit(schoolText, 'viceChair: dana-frost', 'viceChair: dana-frosty');
    const err = schoolProblem(text);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain(`contacts.viceChair (line ${lineOf(text, 'viceChair:')})`);
    expect(err.message).toContain('"dana-frosty" is not the id of anyone under people');
  });

  it('contacts.outOfHours naming nobody is reported', () => {
    const err = schoolProblem(edit(schoolText, 'outOfHours: sam-okafor', 'outOfHours: nobody'));
    expect(err.message).toContain('contacts.outOfHours');
    expect(err.message).toContain('"nobody" is not the id of anyone');
  });

  it('a school with no headteacher is reported', () => {
    const err = schoolProblem(edit(schoolText, 'roles: [headteacher]', 'roles: [staff]'));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^people \(line \d+\): nobody has the role headteacher/);
  });

  it('a school with no DSL and no chair lists both', () => {
    const text = edit(edit(schoolText, 'roles: [dsl]', 'roles: [staff]'), 'roles: [chair_of_governors]', 'roles: [staff]');
    const err = schoolProblem(text);
    expect(err.problems).toHaveLength(2);
    expect(err.message).toContain('nobody has the role dsl');
    expect(err.message).toContain('nobody has the role chair_of_governors');
    expect(err.message).toContain('has 2 problems:');
  });

  it('several problems at once are all listed, each with its path and line', () => {
    let text = edit(schoolText, 'roles: [deputy_dsl]', 'roles: [deputy]');
    text = edit(text, 'timezone: Europe/London', 'timezone: Mars/Olympus');
    text = edit(text, 'end: "17:00"', 'end: "07:00"');
    text = edit(text, 'referencePrefix: SG', 'referencePrefix: sg');
    const err = schoolProblem(text);
    expect(err.problems).toHaveLength(4);
    expect(err.message).toContain('has 4 problems:');
    const paths = err.problems.map((p) => p.split(' ')[0]).sort();
    expect(paths).toEqual(['people[1].roles[0]', 'school.referencePrefix', 'school.timezone', 'school.workingHours.end']);
    for (const p of err.problems) expect(p).toMatch(/ \(line \d+\): /);
    // Every problem is on its own line of the message.
    expect(err.message.split('\n')).toHaveLength(5);
  });

  // Known gap (see the report): the checks across the whole file (duplicate ids, missing
  // roles, contacts) run only once every field is valid, so they are not listed together
  // with field problems. This documents the behaviour a school admin would want.
  it('lists a duplicate id together with a bad role (cross-field checks with field checks)', () => {
    let text = edit(schoolText, 'roles: [deputy_dsl]', 'roles: [deputy]');
    text = edit(text, 'id: ben-hughes', 'id: amy-clarke');
    const err = schoolProblem(text);
    expect(err.problems).toHaveLength(2);
  });

  it('invalid YAML syntax is a FileProblemError that says what is wrong', () => {
    const text = edit(schoolText, 'name: Example Primary School', 'name: [Example Primary School');
    const err = schoolProblem(text);
    expect(err.problems.length).toBeGreaterThanOrEqual(1);
    expect(err.message).toMatch(/Flow sequence|flow collection|\]/);
  });

  // Bug (see the report): yaml-file.ts reads `e.linePos`, which the yaml library only
  // fills in when `prettyErrors` is true; with `prettyErrors: false` the syntax error has
  // no line or column.
  it('invalid YAML syntax gives the line and column', () => {
    const text = edit(schoolText, 'name: Example Primary School', 'name: [Example Primary School');
    const err = schoolProblem(text);
    expect(err.problems[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('a missing file says the file does not exist', () => {
    const missing = path.join(dir, 'no-such-school.yaml');
    const err = problemOf(() => loadSchoolFile(missing));
    expect(err.problems).toEqual(['the file does not exist']);
    expect(err.file).toBe(missing);
    expect(err.message).toContain(missing);
    expect(err.message).toContain('the file does not exist');
  });

  it('an empty file is reported at the top level', () => {
    const err = schoolProblem('');
    expect(err.problems).toEqual(['the file is empty']);
  });
});

describe('loadPolicyFile', () => {
  it('reads the default policy: 12 rules and all seven guards', () => {
    const policy = loadPolicyFile('data/policies/default.yaml');
    expect(policy.rules).toHaveLength(12);
    expect(policy.rules.map((r) => r.id)).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10', 'R11', 'R12']);
    expect(policy.guards).toEqual(['G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7']);
    // The YAML anchor for the staff choices is shared by R2, R3 and R5.
    expect(policy.rules[2]?.decision?.choices.map((c) => c.id)).toEqual([
      'investigate_code_of_conduct',
      'refer_to_lado',
      'no_further_action',
    ]);
  });

  it('a copy written to a temporary file reads the same', () => {
    expect(loadPolicyFile(writeTemp(policyText))).toEqual(loadPolicyFile('data/policies/default.yaml'));
  });

  it('removing guard G2 is refused', () => {
    const text = edit(policyText, 'guards: [G1, G2, G3, G4, G5, G6, G7]', 'guards: [G1, G3, G4, G5, G6, G7]');
    const err = policyProblem(text);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain(`guards (line ${lineOf(text, 'guards:')})`);
    expect(err.message).toContain('guard G2 cannot be removed');
  });

  it('deleting rule R11 is refused', () => {
    const start = policyText.indexOf('  - id: R11');
    const end = policyText.indexOf('  - id: R12');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const text = policyText.slice(0, start) + policyText.slice(end);
    const err = policyProblem(text);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^rules \(line \d+\): /);
    expect(err.message).toContain('rule R11 is missing');
  });

  it('R10 no longer urgent names rules[9].urgent and G3', () => {
    // R10 is the first rule with `urgent: true`.
    const r10 = policyText.indexOf('  - id: R10');
    const urgentAt = policyText.indexOf('urgent: true', r10);
    expect(policyText.indexOf('urgent: true')).toBe(urgentAt);
    const text = policyText.slice(0, urgentAt) + 'urgent: false' + policyText.slice(urgentAt + 'urgent: true'.length);
    const err = policyProblem(text);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain(`rules[9].urgent (line ${lineOf(text, 'urgent: false')})`);
    expect(err.message).toContain('rule R10 must stay urgent (G3)');
  });

  it("R2's dueWorkingDays removed names rules[1].decision.dueWorkingDays and G4", () => {
    // R2's is the first dueWorkingDays in the file.
    const r2 = policyText.indexOf('  - id: R2');
    expect(policyText.indexOf('      dueWorkingDays: 1\n')).toBeGreaterThan(r2);
    expect(policyText.indexOf('      dueWorkingDays: 1\n')).toBeLessThan(policyText.indexOf('  - id: R3'));
    const text = edit(policyText, '      dueWorkingDays: 1\n', '');
    const err = policyProblem(text);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^rules\[1\]\.decision\.dueWorkingDays \(line \d+\): /);
    expect(err.message).toContain('rule R2');
    expect(err.message).toContain('(G4)');
  });

  it('an unknown fact under when names rules[k].when[0]', () => {
    const text = edit(policyText, 'when: [staff_victim]', 'when: [staff_victims]');
    const err = policyProblem(text);
    expect(err.problems).toHaveLength(1);
    // R8 is the eighth rule.
    expect(err.message).toContain(`rules[7].when[0] (line ${lineOf(text, 'staff_victims')})`);
  });

  it("an urgent clock of 'working_hours' is refused with G3", () => {
    const text = edit(policyText, 'escalateAfterMinutes: 20, clock: always', 'escalateAfterMinutes: 20, clock: working_hours');
    const err = policyProblem(text);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain(`deadlines.acknowledge.urgent.clock (line ${lineOf(text, 'urgent: { remind')})`);
    expect(err.message).toContain('(G3)');
  });

  it('an escalation before the reminder is refused with G3', () => {
    const text = edit(policyText, 'remindAfterMinutes: 30, escalateAfterMinutes: 120', 'remindAfterMinutes: 30, escalateAfterMinutes: 20');
    const err = policyProblem(text);
    expect(err.message).toContain('deadlines.acknowledge.normal.escalateAfterMinutes');
    expect(err.message).toContain('(G3)');
  });

  it('a rule listed twice is refused', () => {
    const text = edit(policyText, '  - id: R9\n', '  - id: R8\n');
    const err = policyProblem(text);
    expect(err.message).toContain('rules[8].id');
    expect(err.message).toContain('rule R8 appears twice');
    expect(err.message).toContain('rule R9 is missing');
  });

  // Known gap (see the report): the guard checks (G1–G7, R1–R12) run only once every
  // field is valid, so a guard problem is not listed with a field problem.
  it('lists a guard problem together with a field problem', () => {
    let text = edit(policyText, 'escalateAfterMinutes: 20, clock: always', 'escalateAfterMinutes: 20, clock: working_hours');
    text = edit(text, 'when: [pupil_concern]', 'when: [pupil]');
    const err = policyProblem(text);
    expect(err.problems).toHaveLength(2);
  });

  it('a version other than 1 is refused', () => {
    const err = policyProblem(edit(policyText, 'version: 1', 'version: 2'));
    expect(err.message).toContain('version');
    expect(err.message).toContain('"version: 1"');
  });
});

describe('policy check (CLI)', () => {
  async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, (s) => out.push(s), (s) => err.push(s));
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('accepts the default policy', async () => {
    const r = await cli(['policy', 'check', 'data/policies/default.yaml']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('OK:');
    expect(r.out).toContain('data/policies/default.yaml');
    expect(r.out).toContain('12 rules');
    expect(r.out).toContain('guards G1 G2 G3 G4 G5 G6 G7');
  });

  it('refuses a broken policy and lists the field', async () => {
    const file = writeTemp(edit(policyText, 'guards: [G1, G2, G3, G4, G5, G6, G7]', 'guards: [G1, G2, G3, G4, G5, G6]'), 'policy.yaml');
    const r = await cli(['policy', 'check', file]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(file);
    expect(r.err).toContain('guards (line');
    expect(r.err).toContain('guard G7 cannot be removed');
  });

  it('lists every field problem of a policy with several, one line each', async () => {
    let text = edit(policyText, 'when: [pupil_concern]', 'when: [pupil]');
    text = edit(text, 'owner: by_accessor', 'owner: whoever');
    const r = await cli(['policy', 'check', writeTemp(text, 'policy.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('has 2 problems:');
    expect(r.err).toContain(`rules[0].when[0] (line ${lineOf(text, 'when: [pupil]')})`);
    expect(r.err).toContain(`rules[6].owner (line ${lineOf(text, 'owner: whoever')})`);
  });

  it('says a missing policy file does not exist', async () => {
    const r = await cli(['policy', 'check', path.join(dir, 'nope.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('the file does not exist');
  });
});
