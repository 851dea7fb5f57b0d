import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DeliveryChannel } from '../../src/core/ports.js';
import type { SchoolConfig } from '../../src/core/school.js';
import { Directory } from '../../src/core/school.js';
import { Workflow } from '../../src/core/workflow.js';
import { loadSchool } from '../../src/files/school-files.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { DiskEvidenceFiles } from '../../src/store/evidence-files.js';
import { Keyring } from '../../src/store/keyring.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { FakeClock } from './fake-clock.js';

export const demoSchool = loadSchool('data/school.example.yaml');

/** Monday 23 November 2026, 10:00 in London (GMT). */
export const monday10 = '2026-11-23T10:00:00.000Z';

/** The environment every server test starts from: files in `dir`, the demo school, quiet logs, a background loop that waits for the test. */
export function testEnv(dir: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_PATH: path.join(dir, 'bot.db'),
    EVIDENCE_DIR: path.join(dir, 'evidence'),
    KEY_FILE: path.join(dir, 'keys', 'keys.json'),
    AUDIT_CHECKPOINT_HOURS: '0',
    SCHOOL_CONFIG: 'data/school.example.yaml',
    LOG_LEVEL: 'silent',
    BACKGROUND_INTERVAL_MS: '3600000',
  };
}

export function tempDir(prefix = 'sgbot-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface Harness {
  dir: string;
  keys: Keyring;
  dbFile: string;
  db: SqliteDatabase;
  store: SqliteStore;
  workflow: Workflow;
  clock: FakeClock;
  /** Reopens the database and builds a new workflow on it, as after a restart. */
  restart(): void;
  outbox(filter?: { type?: string; to?: string }): ReturnType<SqliteStore['listOutbox']>;
  actions(reportId?: string): string[];
  close(): void;
}

/** A workflow on a real SQLite file in a temporary folder, with the demo school and a fake clock. */
export function harness(opts: { start?: string; channels?: DeliveryChannel[]; school?: SchoolConfig; maxBytes?: number } = {}): Harness {
  const dir = tempDir();
  const dbFile = path.join(dir, 'test.db');
  const clock = new FakeClock(opts.start ?? monday10);
  const directory = opts.school ? new Directory(opts.school) : demoSchool.directory;
  const keys = Keyring.loadOrCreate(path.join(dir, 'keys', 'keys.json')).keyring;
  const build = () => {
    const db = openDatabase(dbFile);
    const store = new SqliteStore(db, keys);
    store.prepare(clock.now());
    const workflow = new Workflow({
      store,
      evidenceFiles: new DiskEvidenceFiles(path.join(dir, 'evidence'), keys),
      directory,
      policy: demoSchool.policy,
      clock: clock.now,
      channels: opts.channels ?? ['sandbox'],
      evidenceLimits: { maxBytes: opts.maxBytes ?? 1024 * 1024, maxFilesPerReport: 10 },
    });
    return { db, store, workflow };
  };
  const h = { dir, dbFile, clock, keys, ...build() } as Harness;
  h.restart = () => {
    h.db.close();
    Object.assign(h, build());
  };
  h.outbox = (filter = {}) =>
    h.store
      .listOutbox()
      .filter((o) => (!filter.type || o.messageType === filter.type) && (!filter.to || o.recipientId === filter.to));
  h.actions = (reportId) =>
    (h.db.prepare('SELECT action, report_id FROM audit_log ORDER BY seq').all() as { action: string; report_id: string | null }[])
      .filter((r) => !reportId || r.report_id === reportId)
      .map((r) => r.action);
  h.close = () => {
    if (h.db.open) h.db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return h;
}

/** A worked example's report file from data/examples. */
export function example(n: number): { reporter: string; at: string; report: Record<string, unknown> } {
  const files: Record<number, string> = {
    1: 'worked-example-1-pupil-friend-request.json',
    2: 'worked-example-2-colleague-follows-pupils.json',
    3: 'worked-example-3-headteacher-posted-about-pupil.json',
    4: 'worked-example-4-violent-video-on-school-laptop.json',
    5: 'worked-example-5-cyberbullying-unacknowledged.json',
    6: 'worked-example-6-nude-images-year-10.json',
    7: 'worked-example-7-concern-about-the-dsl.json',
  };
  return JSON.parse(readFileSync(path.join('data/examples', files[n] as string), 'utf8'));
}

/** A key ring of its own, in a temporary folder (for tests that open a store directly). */
export function testKeys(dir: string): Keyring {
  return Keyring.loadOrCreate(path.join(dir, 'keys', 'keys.json')).keyring;
}

/** The smallest valid PNG (1×1). */
export const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
