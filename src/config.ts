import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';

/**
 * The bot's settings from the environment. This is the only module that reads
 * process.env; everything else receives a Config. An invalid environment stops the
 * start with one message that lists every problem.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3978),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  SCHOOL_CONFIG: z.string().trim().min(1).optional(),
  DATABASE_PATH: z.string().trim().min(1).default('data/safeguarding.db'),
  EVIDENCE_DIR: z.string().trim().min(1).default('data/evidence'),
  KEY_FILE: z.string().trim().min(1).optional(),
  AUDIT_CHECKPOINT_HOURS: z.coerce.number({ error: 'must be a number of hours (0: no checkpoints)' }).min(0).default(24),
  EVIDENCE_MAX_BYTES: z.coerce.number({ error: 'must be a number of bytes' }).int().positive().default(10 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BACKGROUND_INTERVAL_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).default(5000),
  DELIVERY_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(200).max(120_000).default(15_000),
  REPORT_LIMIT_PER_PERSON: z.coerce.number({ error: 'must be a whole number (0 turns the limit off)' }).int().min(0).max(1000).default(10),
  MICROSOFT_APP_ID: z.string().trim().min(1).optional(),
  MICROSOFT_APP_PASSWORD: z.string().min(1).optional(),
  MICROSOFT_APP_TENANT_ID: z.string().trim().min(1).optional(),
  TEAMS_ALLOW_UNAUTHENTICATED: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', { error: 'must be a bot token (xoxb-…)' }).optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', { error: 'must be an app-level token (xapp-…)' }).optional(),
  SLACK_API_URL: z.url({ error: 'must be a URL, like http://127.0.0.1:9999/api/' }).optional(),
  SANDBOX: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  // The case console (/console/): OpenID Connect sign-in, its public address, the idle timeout.
  CONSOLE_OIDC_ISSUER: z.url({ error: 'must be the issuer URL, like https://login.microsoftonline.com/<tenant id>/v2.0 or https://slack.com' }).optional(),
  CONSOLE_OIDC_CLIENT_ID: z.string().trim().min(1).optional(),
  CONSOLE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  CONSOLE_OIDC_IDENTITY: z.enum(['entra', 'slack'], { error: 'must be entra or slack' }).optional(),
  CONSOLE_PUBLIC_URL: z.url({ error: 'must be the address people open, like https://bot.example.org' }).optional(),
  CONSOLE_IDLE_MINUTES: z.coerce.number({ error: 'must be a number of minutes' }).int().min(1).max(120).default(15),
});

/** Slack: on when its secrets are set. Socket Mode when an app-level token is set too. */
export interface SlackConfig {
  signingSecret: string;
  botToken: string;
  appToken?: string;
  /** The Web API's base URL (staging, tests); Slack's own when absent. */
  apiUrl?: string;
}

/** Microsoft Teams: on when an app id is set, or (local only) when unauthenticated activities are allowed. */
export interface TeamsConfig {
  /** The bot's Microsoft App ID; absent only in the local unauthenticated mode. */
  appId?: string;
  appPassword?: string;
  /** Set for a single-tenant bot (the usual kind since 2025); absent for a multi-tenant one. */
  tenantId?: string;
  allowUnauthenticated: boolean;
}

/** The case console: sign-in by OpenID Connect (Entra ID or Slack) and, in the sandbox, a person picker. */
export interface ConsoleConfig {
  oidc?: {
    issuer: string;
    clientId: string;
    clientSecret: string;
    /** Which claim names the person: Entra's object id (`oid`, matched to `teams:`) or Slack's user id (matched to `slack:`). */
    identity: 'entra' | 'slack';
  };
  /** The address people open (the redirect URI is <publicUrl>/console/callback); cookies are Secure when it is https. */
  publicUrl?: string;
  /** Signed out after this many minutes without a request. */
  idleMinutes: number;
}

export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /** The school file; `schoolConfigExplicit` says whether SCHOOL_CONFIG named it. */
  schoolConfig: string;
  schoolConfigExplicit: boolean;
  databasePath: string;
  evidenceDir: string;
  evidenceMaxBytes: number;
  /** The key file (audit HMAC and encryption keys): outside the data folder; created at the first start. */
  keyFile: string;
  /** How often the audit log's head is sent to the DSL (hours; 0: never). */
  auditCheckpointHours: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  backgroundIntervalMs: number;
  /** Each outgoing platform call's deadline (one slow message never holds the others back). */
  deliveryTimeoutMs: number;
  /** New reports one person may make in 10 minutes (0: no limit). */
  reportLimitPerPerson: number;
  teams?: TeamsConfig;
  slack?: SlackConfig;
  /** The local sandbox: on when no Slack or Teams credentials are set, or with SANDBOX=true. */
  sandbox: boolean;
  /** The settings file that was read (`.env` in the working folder), if any; never its values. */
  envFile?: string;
  console: ConsoleConfig;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(['The environment has problems:', ...problems.map((p) => `  - ${p}`)].join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * The bot's settings: from `env` when given (tests), else from the process's environment
 * and the `.env` file in the working folder, where one exists (a variable set in the
 * environment wins over the file).
 */
export function loadConfig(env?: Record<string, string | undefined>): Config {
  const source = env ? { env, file: undefined } : withEnvFile(process.env);
  // An empty variable counts as unset, as in most .env files.
  const present = Object.fromEntries(Object.entries(source.env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(present);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  problems.push(...crossChecks(present));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const e = result.data;
  const allowUnauthenticated = e.TEAMS_ALLOW_UNAUTHENTICATED === 'true';
  const teamsOn = e.MICROSOFT_APP_ID !== undefined || allowUnauthenticated;
  const sandbox = sandboxOn(present);
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    schoolConfig: e.SCHOOL_CONFIG ?? 'data/school.yaml',
    schoolConfigExplicit: e.SCHOOL_CONFIG !== undefined,
    // The sandbox keeps its own files, so demo data never mixes with a school's records.
    databasePath: present.DATABASE_PATH ? e.DATABASE_PATH : sandbox ? 'data/sandbox.db' : e.DATABASE_PATH,
    evidenceDir: present.EVIDENCE_DIR ? e.EVIDENCE_DIR : sandbox ? 'data/sandbox-evidence' : e.EVIDENCE_DIR,
    evidenceMaxBytes: e.EVIDENCE_MAX_BYTES,
    keyFile: e.KEY_FILE ?? defaultKeyFile,
    auditCheckpointHours: e.AUDIT_CHECKPOINT_HOURS,
    logLevel: e.LOG_LEVEL,
    backgroundIntervalMs: e.BACKGROUND_INTERVAL_MS,
    deliveryTimeoutMs: e.DELIVERY_TIMEOUT_MS,
    reportLimitPerPerson: e.REPORT_LIMIT_PER_PERSON,
    sandbox,
    ...(source.file ? { envFile: source.file } : {}),
    console: consoleConfig(e),
    ...(e.SLACK_SIGNING_SECRET && e.SLACK_BOT_TOKEN
      ? {
          slack: {
            signingSecret: e.SLACK_SIGNING_SECRET,
            botToken: e.SLACK_BOT_TOKEN,
            ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
            ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
          },
        }
      : {}),
    ...(teamsOn
      ? {
          teams: {
            ...(e.MICROSOFT_APP_ID ? { appId: e.MICROSOFT_APP_ID } : {}),
            ...(e.MICROSOFT_APP_PASSWORD ? { appPassword: e.MICROSOFT_APP_PASSWORD } : {}),
            ...(e.MICROSOFT_APP_TENANT_ID ? { tenantId: e.MICROSOFT_APP_TENANT_ID } : {}),
            allowUnauthenticated,
          },
        }
      : {}),
  };
}

function consoleConfig(e: z.infer<typeof envSchema>): ConsoleConfig {
  const issuer = e.CONSOLE_OIDC_ISSUER;
  return {
    idleMinutes: e.CONSOLE_IDLE_MINUTES,
    ...(e.CONSOLE_PUBLIC_URL ? { publicUrl: e.CONSOLE_PUBLIC_URL.replace(/\/+$/, '') } : {}),
    ...(issuer && e.CONSOLE_OIDC_CLIENT_ID && e.CONSOLE_OIDC_CLIENT_SECRET
      ? {
          oidc: {
            issuer,
            clientId: e.CONSOLE_OIDC_CLIENT_ID,
            clientSecret: e.CONSOLE_OIDC_CLIENT_SECRET,
            identity: e.CONSOLE_OIDC_IDENTITY ?? (new URL(issuer).hostname === 'slack.com' ? 'slack' : 'entra'),
          },
        }
      : {}),
  };
}

/** A loopback address: the only place plain http is accepted for the console's sign-in (local testing). */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Outside the data folder, so a copy of the data alone does not open it. */
export const defaultKeyFile = path.join(homedir(), '.config', 'safeguarding-bot', 'keys.json');

/**
 * The files the command line works on: DATABASE_PATH, EVIDENCE_DIR and KEY_FILE when set,
 * else the school's defaults (never the sandbox's: give --db data/sandbox.db for that).
 */
export function commandLinePaths(env: Record<string, string | undefined> = withEnvFile(process.env).env): { databasePath: string; evidenceDir: string; keyFile: string } {
  return {
    databasePath: env.DATABASE_PATH?.trim() || 'data/safeguarding.db',
    evidenceDir: env.EVIDENCE_DIR?.trim() || 'data/evidence',
    keyFile: env.KEY_FILE?.trim() || defaultKeyFile,
  };
}

/**
 * The environment with `.env` (as .env.example says: "Copy to .env") beneath it: the
 * file's values fill in what the environment does not set (an empty variable counts as
 * unset). A file that cannot be read stops the start, naming it.
 */
export function withEnvFile(
  env: Record<string, string | undefined>,
  file = '.env',
): { env: Record<string, string | undefined>; file: string | undefined } {
  const full = path.resolve(file);
  if (!existsSync(full)) return { env, file: undefined };
  let values: Record<string, string | undefined>;
  try {
    values = parseEnv(readFileSync(full, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${full}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return { env: { ...values, ...set }, file: full };
}

/** Credentials for Slack or Teams: with none, the bot runs the sandbox. */
function sandboxOn(env: Record<string, string | undefined>): boolean {
  if (env.SANDBOX === 'true') return true;
  if (env.SANDBOX === 'false') return false;
  return !env.MICROSOFT_APP_ID?.trim() && !env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET;
}

/** The Slack or Teams credentials that are set (names only). */
function realCredentials(env: Record<string, string | undefined>): string[] {
  const names = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'MICROSOFT_APP_ID', 'MICROSOFT_APP_PASSWORD'] as const;
  return names.filter((n) => Boolean(env[n]?.trim()));
}

/** Problems that involve more than one variable; checked even when single ones fail. */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production' && sandboxOn(env))
    problems.push(
      env.SANDBOX === 'true'
        ? 'SANDBOX: must not be true with NODE_ENV=production (anyone who can reach the sandbox can act as anyone)'
        : 'NODE_ENV=production needs Teams or Slack credentials (MICROSOFT_APP_ID, or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET): without them the bot would run the local sandbox, which production refuses',
    );
  // The sandbox's API lets anyone who reaches the port act as anyone: never beside real credentials.
  const credentials = realCredentials(env);
  if (env.SANDBOX === 'true' && credentials.length > 0)
    problems.push(
      `SANDBOX: must not be true while Slack or Teams credentials are set (${credentials.join(', ')}): anyone who can reach the sandbox could read real reports and act as the DSL. Unset SANDBOX to run the bot, or unset the credentials to run the sandbox`,
    );
  const allowUnauthenticated = env.TEAMS_ALLOW_UNAUTHENTICATED === 'true';
  const appId = env.MICROSOFT_APP_ID?.trim();
  if (allowUnauthenticated && env.NODE_ENV === 'production')
    problems.push('TEAMS_ALLOW_UNAUTHENTICATED: must not be true with NODE_ENV=production (it is for local testing only)');
  if (allowUnauthenticated && appId)
    problems.push('TEAMS_ALLOW_UNAUTHENTICATED: must not be true when MICROSOFT_APP_ID is set (with an app id every request is authenticated)');
  if (appId && !env.MICROSOFT_APP_PASSWORD)
    problems.push("MICROSOFT_APP_PASSWORD: is required when MICROSOFT_APP_ID is set (the client secret of the bot's app registration)");
  if (Boolean(env.SLACK_BOT_TOKEN) !== Boolean(env.SLACK_SIGNING_SECRET))
    problems.push(
      env.SLACK_BOT_TOKEN
        ? 'SLACK_SIGNING_SECRET: is required with SLACK_BOT_TOKEN (Basic Information → App Credentials → Signing Secret)'
        : 'SLACK_BOT_TOKEN: is required with SLACK_SIGNING_SECRET (OAuth & Permissions → Bot User OAuth Token)',
    );
  if (env.SLACK_APP_TOKEN && !env.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: is required with SLACK_APP_TOKEN');
  if (!appId && (env.MICROSOFT_APP_PASSWORD || env.MICROSOFT_APP_TENANT_ID))
    problems.push('MICROSOFT_APP_ID: is required when MICROSOFT_APP_PASSWORD or MICROSOFT_APP_TENANT_ID is set');
  problems.push(...consoleChecks(env));
  return problems;
}

/** The console's sign-in: all three OpenID Connect settings or none; https except on loopback. */
function consoleChecks(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const names = ['CONSOLE_OIDC_ISSUER', 'CONSOLE_OIDC_CLIENT_ID', 'CONSOLE_OIDC_CLIENT_SECRET'] as const;
  const set = names.filter((n) => Boolean(env[n]?.trim()));
  if (set.length > 0 && set.length < names.length)
    for (const n of names.filter((x) => !set.includes(x))) problems.push(`${n}: is required with ${set.join(' and ')} (the console's OpenID Connect sign-in)`);
  if (set.length === names.length && !env.CONSOLE_PUBLIC_URL)
    problems.push('CONSOLE_PUBLIC_URL: is required with CONSOLE_OIDC_ISSUER (the sign-in returns to <CONSOLE_PUBLIC_URL>/console/callback)');
  for (const n of ['CONSOLE_OIDC_ISSUER', 'CONSOLE_PUBLIC_URL'] as const) {
    const v = env[n];
    if (!v || !URL.canParse(v)) continue;
    if (new URL(v).protocol !== 'https:' && !isLoopbackUrl(v)) problems.push(`${n}: must be https (plain http only on this machine's loopback, for testing)`);
  }
  return problems;
}
