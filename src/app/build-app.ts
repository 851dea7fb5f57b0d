import type { Server } from 'node:http';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { CaseRetentionStore } from '../store/case-retention-store.js';
import { PupilIdentityStore } from '../store/pupil-identity-store.js';
import { SandboxClock } from '../channels/sandbox/sandbox-clock.js';
import { mountSandbox } from '../channels/sandbox/sandbox-channel.js';
import type { ChannelDeps } from '../channels/channel-deps.js';
import { mountSlack } from '../channels/slack/slack-channel.js';
import { wellFormedJsonBodies } from '../channels/wire-body.js';
import type { AuthOverrides } from '../channels/teams/teams-connector.js';
import type { Config } from '../config.js';
import { DomainError } from '../core/errors.js';
import type { DeliveryChannel } from '../core/ports.js';
import type { Clock } from '../core/working-time.js';
import { Workflow } from '../core/workflow.js';
import { chooseSchoolFile as chooseSchool, loadSchool, type LoadedSchool } from '../files/school-files.js';
import { checkpointAudit } from '../core/audit-checkpoint.js';
import { openDatabase } from '../store/database.js';
import { tombstoneType } from '../store/disposal-cards.js';
import { DiskEvidenceFiles } from '../store/evidence-files.js';
import { openKeys } from './open-keys.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { startBackgroundLoop } from './background-loop.js';
import { pruneExpired } from '../store/retention.js';
import { mountPublicPages } from './public-pages.js';
import type { Logger } from '../logger.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { health } from './health.js';
import { mountConsole } from '../console/console-routes.js';
import { allCases, auditLogWithCheck, casesAround, casesWithTasks } from '../store/report-period.js';

export interface App {
  config: Config;
  school: LoadedSchool;
  store: SqliteStore;
  workflow: Workflow;
  /** Retention, legal holds, disposal and transfers (issue 14, item 7). */
  retention: CaseRetentionStore;
  dispatcher: OutboxDispatcher;
  http: Express;
  /** What time it is for the workflow (the real time, except in tests and the sandbox). */
  clock: Clock;
  /** Channel parts with a life of their own: started and stopped with the server, and run by the background loop. */
  services: Service[];
  /** Channels loaded on demand (Teams), mounted by startApp before the server listens. */
  mounts: (() => Promise<void>)[];
  close: () => Promise<void>;
}

export interface Service {
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Work the background loop runs each time round (e.g. fetching Slack uploads). */
  runDue?(): Promise<void>;
}

/** The school file to use; the demo school (with a warning) when the school has none yet. */
export function chooseSchoolFile(config: Config, log: Logger): string {
  const { file, demo } = chooseSchool(config);
  if (demo) log.warn({ file }, `no ${config.schoolConfig}: using the demo school`);
  return file;
}

/** Wires config, school, store and workflow, and the one HTTP app the channels mount on. */
export function buildApp(
  config: Config,
  log: Logger,
  /** clock: tests only (refused with NODE_ENV=production); the sandbox's "skip ahead" builds on it. */
  opts: { clock?: Clock; channels?: DeliveryChannel[]; teamsAuthOverrides?: AuthOverrides } = {},
): App {
  // A test clock moves the time of every report: never in production.
  if (opts.clock && config.nodeEnv === 'production')
    throw new DomainError('CONFIG_INVALID', 'A test clock was given with NODE_ENV=production: production always reads the real time.');
  // The sandbox's clock can skip ahead; everything else reads the time as it is.
  const sandboxClock = config.sandbox ? new SandboxClock(opts.clock) : undefined;
  const clock = sandboxClock?.now ?? opts.clock ?? (() => new Date());
  const school = loadSchool(chooseSchoolFile(config, log));
  const keys = openKeys(config, log);
  const db = openDatabase(config.databasePath);
  const store = new SqliteStore(db, keys);
  store.prepare(clock());
  const channels = opts.channels ?? enabledChannels(config);
  const evidenceFiles = new DiskEvidenceFiles(config.evidenceDir, keys);
  const workflow = new Workflow({
    store,
    evidenceFiles,
    directory: school.directory,
    policy: school.policy,
    clock,
    channels,
    evidenceLimits: { maxBytes: config.evidenceMaxBytes, maxFilesPerReport: 10 },
    submitLimit: { max: config.reportLimitPerPerson, windowMinutes: 10 },
  });
  const retention = new CaseRetentionStore(db, keys, school.directory, config.evidenceDir, channels);
  const dispatcher = new OutboxDispatcher(store.outbox, clock, log, {
    itemTimeoutMs: config.deliveryTimeoutMs,
    // A disposed case's card that cannot become its tombstone has no case to put it on: the retention store tells the DSL.
    onFailed: (item, code) => (item.messageType === tombstoneType ? retention.tombstoneNotDelivered(item, code, clock()) : workflow.deliveryFailed({ ...item, code })),
  });

  const http = express();
  http.disable('x-powered-by');
  http.get('/healthz', (_req, res) => {
    const body = health({ store, dispatcher, schoolName: school.config.school.name });
    res.status(body.ok ? 200 : 503).json(body);
  });

  const services: Service[] = [];
  mountPublicPages(http, { home: !config.sandbox });
  const channelDeps: ChannelDeps = { http, db, workflow, directory: school.directory, dispatcher, clock, log, maxEvidenceBytes: config.evidenceMaxBytes, deliveryTimeoutMs: config.deliveryTimeoutMs };
  if (config.slack) {
    const slack = mountSlack({ ...channelDeps, config: config.slack });
    services.push({ start: () => slack.start(), stop: () => slack.stop(), runDue: () => slack.fetchPendingFiles() });
  }
  // The sandbox API's JSON is depth-limited and made well-formed before its routes read it.
  if (sandboxClock) http.use('/sandbox/api', wellFormedJsonBodies('1mb'));
  if (sandboxClock)
    mountSandbox({
      ...channelDeps,
      clock: sandboxClock,
      schoolName: school.config.school.name,
      databasePath: config.databasePath,
    });
  // Teams (botbuilder, MSAL: about a second of every start) is loaded only when it is
  // configured, and mounted by startApp before the server listens: no request meets a
  // bot without it, and its deliverer is registered before the outbox is first drained.
  const mounts: App['mounts'] = [];
  const teamsConfig = config.teams;
  if (teamsConfig)
    mounts.push(async () => {
      const { mountTeams } = await import('../channels/teams/teams-channel.js');
      mountTeams({
        ...channelDeps,
        config: teamsConfig,
        ...(opts.teamsAuthOverrides ? { authOverrides: opts.teamsAuthOverrides } : {}),
      });
    });

  // The private case console at /console/ (src/console/).
  mountConsole({
    retention,
    identities: new PupilIdentityStore(db, keys),
    http,
    workflow,
    store,
    files: evidenceFiles,
    directory: school.directory,
    clock,
    keys,
    log,
    config: config.console,
    sandbox: config.sandbox,
    schoolName: school.config.school.name,
    casesWithTasks: () => casesWithTasks(db, store),
    casesAround: (from, to) => casesAround(db, store, from, to),
    allCases: () => allCases(db, store),
    auditLog: () => auditLogWithCheck(db, store, keys, config.evidenceDir),
  });

  // The audit log's head goes to the DSL every AUDIT_CHECKPOINT_HOURS (see core/audit-checkpoint.ts).
  services.push({
    runDue: async () => {
      const anchored = checkpointAudit({ store, directory: school.directory, channels, clock, everyHours: config.auditCheckpointHours });
      if (anchored) log.info({ auditSeq: anchored.seq }, 'audit checkpoint sent to the DSL');
    },
  });

  // A transfer's receipt not confirmed within five school days: the DSL is reminded once (issue 14, item 7).
  services.push({
    runDue: async () => {
      const overdue = retention.takeOverdueTransfers(clock());
      if (overdue.length > 0) log.info({ transfers: overdue.map((t) => t.code) }, 'overdue transfer receipts reminded to the DSL');
    },
  });

  return {
    config,
    school,
    store,
    workflow,
    retention,
    dispatcher,
    http,
    clock,
    services,
    mounts,
    close: async () => {
      db.close();
    },
  };
}

/** The channels this configuration runs: each one queues and delivers its own messages. */
export function enabledChannels(config: Config): DeliveryChannel[] {
  return [
    ...(config.slack ? (['slack'] as const) : []),
    ...(config.teams ? (['teams'] as const) : []),
    ...(config.sandbox ? (['sandbox'] as const) : []),
  ];
}

/** Bad JSON, a body too large, a malformed URI: a 4xx with a short reason, never a stack trace. */
function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: { status?: number; statusCode?: number; type?: string }, _req, res, _next) => {
    // A malformed percent-encoding ("URI malformed") is the client's mistake, not ours.
    const status = err instanceof URIError ? 400 : (err.status ?? err.statusCode ?? 500);
    if (status >= 500) log.error({ err }, 'request failed');
    res.status(status).json({ ok: false, error: status >= 500 ? 'internal error' : (err.type ?? 'bad request') });
  };
}

/** Starts the HTTP server and the background loop; resolves once listening. */
export async function startApp(app: App, log: Logger): Promise<{ server: Server; url: string; stop: () => Promise<void> }> {
  for (const mount of app.mounts.splice(0)) await mount();
  app.http.use((_req, res) => {
    res.status(404).json({ ok: false, error: 'not found' });
  });
  app.http.use(errorHandler(log));
  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 calls back with the error when listening fails (a port in use).
    const s = app.http.listen(app.config.port, app.config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : app.config.port;
  const host = app.config.host.includes(':') ? `[${app.config.host}]` : app.config.host;
  for (const s of app.services) await s.start?.();
  const loop = startBackgroundLoop({
    workflow: app.workflow,
    dispatcher: app.dispatcher,
    jobs: app.services.flatMap((s) => (s.runDue ? [() => s.runDue?.() ?? Promise.resolve()] : [])),
    intervalMs: app.config.backgroundIntervalMs,
    log,
    maintenance: () => {
      const pruned = pruneExpired(app.store.db, app.clock());
      if (pruned.outbox + pruned.handledEvents + pruned.idempotencyKeys > 0) log.info(pruned, 'housekeeping: pruned past the retention');
    },
  });
  return {
    server,
    url: `http://${host}:${port}/`,
    stop: async () => {
      await loop.stop();
      for (const s of app.services) await s.stop?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}
