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
  EVIDENCE_MAX_BYTES: z.coerce.number({ error: 'must be a number of bytes' }).int().positive().default(10 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BACKGROUND_INTERVAL_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).default(5000),
});

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
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  backgroundIntervalMs: number;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(['The environment has problems:', ...problems.map((p) => `  - ${p}`)].join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable counts as unset, as in most .env files.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = result.data;
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    schoolConfig: e.SCHOOL_CONFIG ?? 'data/school.yaml',
    schoolConfigExplicit: e.SCHOOL_CONFIG !== undefined,
    databasePath: e.DATABASE_PATH,
    evidenceDir: e.EVIDENCE_DIR,
    evidenceMaxBytes: e.EVIDENCE_MAX_BYTES,
    logLevel: e.LOG_LEVEL,
    backgroundIntervalMs: e.BACKGROUND_INTERVAL_MS,
  };
}
