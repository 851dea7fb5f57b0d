import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, chooseSchoolFile, startApp } from '../../src/app/build-app.js';
import { createLogger } from '../../src/logger.js';
import { loadConfig, type Config } from '../../src/config.js';
import { FileProblemError } from '../../src/files/yaml-file.js';
import { tempDir } from '../support/harness.js';
import { botFolder, freePort, startRealBot, waitForOutput, type RealBot } from '../support/real-bot.js';
import { capturingLogger } from '../support/capturing-logger.js';

// The one HTTP server, for real over 127.0.0.1: in process, and once as the real process.

const exampleSchool = 'data/school.example.yaml';
const schoolText = readFileSync(exampleSchool, 'utf8');
/** The example school with a role nobody has heard of, for Sam Okafor (people[1], line 17). */
const brokenSchoolText = schoolText.replace('roles: [deputy_dsl]', 'roles: [deputy]');

let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  dir = tempDir('sgbot-server-');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: '0',
    DATABASE_PATH: path.join(dir, 'db.sqlite'),
    EVIDENCE_DIR: path.join(dir, 'evidence'),
    KEY_FILE: path.join(dir, 'keys', 'keys.json'),
    AUDIT_CHECKPOINT_HOURS: '0',
    SCHOOL_CONFIG: exampleSchool,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

function writeBrokenSchool(): string {
  const file = path.join(dir, 'school.yaml');
  writeFileSync(file, brokenSchoolText);
  return file;
}


describe('the HTTP server in process', () => {
  it('serves /healthz with the school name, 404s unknown paths, and stops', async () => {
    const log = createLogger('silent');
    const app = buildApp(testConfig(), log);
    const running = await startApp(app, log);
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await running.stop();
    });

    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(running.url).not.toBe('http://127.0.0.1:0/');

    const health = await fetch(`${running.url}healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(health.headers.get('x-powered-by')).toBeNull();
    const body = (await health.json()) as { ok: boolean; school: string; database: unknown; channels: Record<string, { state: string }>; outbox: unknown };
    expect(body).toMatchObject({ ok: true, school: 'Example Primary School', database: { writable: true }, outbox: { waiting: 0, retrying: 0, failed: 0 } });
    expect(Object.keys(body.channels)).toEqual(['sandbox']);
    expect(body.channels.sandbox?.state).toBe('running');

    const missing = await fetch(`${running.url}no-such-page`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ ok: false, error: 'not found' });

    // The database was created where DATABASE_PATH says.
    expect(existsSync(path.join(dir, 'db.sqlite'))).toBe(true);

    await running.stop();
    stopped = true;
    expect(running.server.listening).toBe(false);
    await expect(fetch(`${running.url}healthz`)).rejects.toThrow();
  });

  // Bug (see the report): Express 5's app.listen also calls its callback on 'error' (with
  // the error), and startApp's callback resolves regardless, so a port in use "starts":
  // main prints "running at" and the process then exits 0 with nothing listening.
  it('startApp rejects when the port is already in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const log = createLogger('silent');
    const app = buildApp(testConfig({ PORT: String(port) }), log);
    let outcome: 'resolved' | Error;
    try {
      const running = await startApp(app, log);
      outcome = 'resolved';
      await running.stop();
    } catch (e) {
      outcome = e as Error;
      await app.close();
    }
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
  });

  it('an invalid school file makes buildApp throw FileProblemError, before the database is opened', () => {
    const broken = writeBrokenSchool();
    let thrown: unknown;
    try {
      buildApp(testConfig({ SCHOOL_CONFIG: broken }), createLogger('silent'));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FileProblemError);
    const err = thrown as FileProblemError;
    expect(err.file).toBe(broken);
    expect(err.message).toContain('people[1].roles[0] (line 17)');
    expect(existsSync(path.join(dir, 'db.sqlite'))).toBe(false);
  });

  it('a school file named by SCHOOL_CONFIG that does not exist stops the start (no fallback to the demo school)', () => {
    const missing = path.join(dir, 'our-school.yaml');
    const config = testConfig({ SCHOOL_CONFIG: missing });
    expect(chooseSchoolFile(config, createLogger('silent'))).toBe(missing);
    expect(() => buildApp(config, createLogger('silent'))).toThrowError(/the file does not exist/);
  });

  it('a school file whose policy is broken stops the start and names the policy field', () => {
    const policy = path.join(dir, 'policy.yaml');
    writeFileSync(policy, readFileSync('data/policies/default.yaml', 'utf8').replace('guards: [G1, G2, G3, G4, G5, G6, G7]', 'guards: [G1]'));
    const school = path.join(dir, 'school.yaml');
    writeFileSync(school, schoolText.replace('policy: data/policies/default.yaml', `policy: ${JSON.stringify(policy)}`));
    expect(() => buildApp(testConfig({ SCHOOL_CONFIG: school }), createLogger('silent'))).toThrowError(
      expect.objectContaining({ name: 'FileProblemError', file: policy, message: expect.stringContaining('guard G2 cannot be removed') }),
    );
  });

  it.skipIf(existsSync('data/school.yaml'))(
    'chooseSchoolFile falls back to the demo school when SCHOOL_CONFIG is not set and data/school.yaml does not exist',
    () => {
      const { log, lines } = capturingLogger();
      const config = loadConfig({});
      expect(config.schoolConfigExplicit).toBe(false);
      expect(chooseSchoolFile(config, log)).toBe('data/school.example.yaml');
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, file: 'data/school.example.yaml' }));
    },
  );

  it('chooseSchoolFile uses SCHOOL_CONFIG when it is set', () => {
    const { log, lines } = capturingLogger();
    expect(chooseSchoolFile(loadConfig({ SCHOOL_CONFIG: exampleSchool }), log)).toBe(exampleSchool);
    expect(lines).toEqual([]);
  });
});

/** Starts the real bot (as `npm run dev` runs it: the same code `npm start` runs compiled) in a clean folder, with the given environment on top of this one. */
function spawnBot(env: Record<string, string>): RealBot {
  const bot = startRealBot(botFolder(dir), env);
  cleanups.push(async () => void (await bot.stop()));
  return bot;
}

describe('the real process (npm run dev: node --import tsx src/main.ts)', () => {
  it('starts, answers /healthz, and exits 0 on SIGTERM', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const bot = spawnBot({
      PORT: String(port),
      DATABASE_PATH: path.join(dir, 'db.sqlite'),
      EVIDENCE_DIR: path.join(dir, 'evidence'),
      LOG_LEVEL: 'silent',
    });
    const line = await waitForOutput(bot, 'safeguarding-bot is running at');
    expect(line).toContain(`http://127.0.0.1:${port}/`);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    expect(existsSync(path.join(dir, 'db.sqlite'))).toBe(true);

    bot.child.kill('SIGTERM');
    const { code } = await bot.exited;
    expect(code).toBe(0);
    expect(bot.stderr()).toBe('');
  });

  it('exits 1 with a broken school file, naming the field', { timeout: 30_000 }, async () => {
    const broken = writeBrokenSchool();
    const bot = spawnBot({
      PORT: String(await freePort()),
      SCHOOL_CONFIG: broken,
      DATABASE_PATH: path.join(dir, 'db.sqlite'),
      EVIDENCE_DIR: path.join(dir, 'evidence'),
      LOG_LEVEL: 'silent',
    });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.stderr()).toContain(`The school file ${broken} has a problem:`);
    expect(bot.stderr()).toContain('people[1].roles[0] (line 17)');
    expect(bot.stdout()).not.toContain('is running');
    expect(existsSync(path.join(dir, 'db.sqlite'))).toBe(false);
  });

  it('exits 1 with a database that cannot be opened for writing, naming it (no stack trace)', { timeout: 30_000 }, async () => {
    // A folder where the database file should be: the start cannot write it (as on a read-only disk).
    const where = path.join(dir, 'db-is-a-folder');
    mkdirSync(where, { recursive: true });
    const bot = spawnBot({
      PORT: String(await freePort()),
      SCHOOL_CONFIG: 'data/school.example.yaml',
      DATABASE_PATH: where,
      EVIDENCE_DIR: path.join(dir, 'evidence'),
      LOG_LEVEL: 'silent',
    });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.stderr()).toContain(`The database ${where} cannot be opened for writing (`);
    expect(bot.stderr()).not.toMatch(/\n\s+at /);
    expect(bot.stdout()).not.toContain('is running');
  });

  it('exits 1 with a bad environment, naming every variable', { timeout: 30_000 }, async () => {
    const bot = spawnBot({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      DATABASE_PATH: path.join(dir, 'db.sqlite'),
    });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.stderr()).toContain('The environment has problems:');
    expect(bot.stderr()).toContain('PORT');
    expect(bot.stderr()).toContain('LOG_LEVEL');
  });
});
