import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/build-app.js';
import { createLogger } from '../../src/logger.js';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { checkpointAudit } from '../../src/core/audit-checkpoint.js';
import { DiskEvidenceFiles } from '../../src/store/evidence-files.js';
import { Keyring } from '../../src/store/keyring.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { openDatabase } from '../../src/store/database.js';
import { messageView } from '../../src/views/message-views.js';
import { demoSchool, example, harness, tempDir, testEnv, tinyPng, type Harness } from '../support/harness.js';
import { slackHarness, type SlackHarness } from '../support/slack-harness.js';
import { buttonOf, buttonPress, fileReport } from '../slack/slack-flow.js';

// Issue 9, item 10: nothing personal on disk in the clear, or in any log; and the
// checkpoint that anchors the audit log outside the database.

const mode = (file: string) => statSync(file).mode & 0o777;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

/** Every name in the demo school: none may be logged. */
const names = demoSchool.config.people.map((p) => p.name);

describe('logs at every level carry no report text and no names', () => {
  for (const level of ['debug', 'trace'] as const)
    it(`a Slack report, delivered, acknowledged and viewed at LOG_LEVEL=${level}`, { timeout: 30_000 }, async () => {
      const logs = capture();
      const h: SlackHarness = await slackHarness({ log: createLogger(level, logs.stream) });
      cleanups.push(() => h.close());
      const ex = example(1);
      const report = { ...ex.report, platform: 'Zebedee Quartermain app', pupil: { name: 'Yasmin Ollerenshaw', yearGroup: 'Year 8' } };
      await fileReport(h, ex.reporter, report);
      await h.deliver();
      const card = h.api.postedTo('C0DSLPRIV01')[0];
      await h.interaction(buttonPress('jo-patel', 'acknowledge', buttonOf(card, 'acknowledge'), { channel: 'C0DSLPRIV01', ts: card!.ts! }));
      await h.interaction(buttonPress('jo-patel', 'view', buttonOf(card, 'view'), { channel: 'C0DSLPRIV01', ts: card!.ts! }));
      await h.deliver();
      // The flow ran, and there was something to log…
      expect(JSON.stringify(h.api.of('views.open').at(-1)?.body)).toContain('Zebedee Quartermain');
      const text = logs.text();
      expect(text.length).toBeGreaterThan(0);
      // …but none of it is personal.
      for (const secret of ['Zebedee', 'Quartermain', 'Ollerenshaw', ...names]) expect(text, secret).not.toContain(secret);
    });

  it('an HTTP client error carrying the request it sent is logged without it', () => {
    const logs = capture();
    const log = createLogger('trace', logs.stream);
    const err = Object.assign(new Error('Request failed with status code 500'), {
      config: { data: JSON.stringify({ text: 'Report about Zebedee' }) },
      request: { body: 'Zebedee' },
      response: { status: 500, config: { data: 'Zebedee' } },
    });
    log.error({ err, reportId: 'r1' }, 'message delivery failed; will retry');
    log.debug({ body: { text: 'Zebedee' }, form: { description: 'Zebedee' } }, 'a request');
    expect(logs.text()).toContain('message delivery failed');
    expect(logs.text()).toContain('"reportId":"r1"');
    expect(logs.text()).not.toContain('Zebedee');
  });
});

describe('on disk: 0600 files in 0700 folders, text and evidence encrypted', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('the database (-wal, -shm), the evidence and the key file', async () => {
    const dir = tempDir('sgbot-modes-');
    const env = { ...testEnv(dir), DATABASE_PATH: path.join(dir, 'db', 'bot.db'), EVIDENCE_DIR: path.join(dir, 'ev'), KEY_FILE: path.join(dir, 'secret', 'keys.json') };
    const logs = capture();
    const app = buildApp(loadConfig(env), createLogger('info', logs.stream));
    cleanups.push(() => app.close());
    const ex = example(5);
    await app.workflow.submit({ reporterId: ex.reporter, form: { ...ex.report, description: 'Zebedee was named in the chat.' }, evidence: [{ bytes: tinyPng, meta: { fileName: 'Zebedee chat.png' } }] });
    // The key file: made at the first start, 0600 in a 0700 folder, its path said, never its contents.
    expect(mode(env.KEY_FILE)).toBe(0o600);
    expect(mode(path.dirname(env.KEY_FILE))).toBe(0o700);
    expect(logs.text()).toContain(env.KEY_FILE);
    expect(logs.text()).toContain('back it up');
    const secret = (JSON.parse(readFileSync(env.KEY_FILE, 'utf8')) as { keys: { secret: string }[] }).keys[0]?.secret as string;
    expect(logs.text()).not.toContain(secret);
    // The database and its companions.
    expect(mode(path.dirname(env.DATABASE_PATH))).toBe(0o700);
    for (const f of [env.DATABASE_PATH, `${env.DATABASE_PATH}-wal`, `${env.DATABASE_PATH}-shm`]) expect(existsSync(f) ? mode(f) : 0o600, f).toBe(0o600);
    // Evidence: folders 0700, files 0600, and encrypted.
    const files = readdirSync(env.EVIDENCE_DIR, { recursive: true, withFileTypes: true });
    expect(mode(env.EVIDENCE_DIR)).toBe(0o700);
    for (const f of files) expect(mode(path.join(f.parentPath, f.name))).toBe(f.isDirectory() ? 0o700 : 0o600);
    // No report text, file name or reason in the clear anywhere in the database files.
    app.store.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of [env.DATABASE_PATH, `${env.DATABASE_PATH}-wal`].filter(existsSync)) {
      const raw = readFileSync(f).toString('latin1');
      expect(raw).not.toContain('Zebedee');
      expect(raw).not.toContain('violent');
    }
  });

  it('keys rotate: new data uses the new key, old data stays readable, the log verifies', async () => {
    h = harness();
    const r1 = await h.workflow.submit({ reporterId: 'amy-clarke', form: example(5).report, evidence: [{ bytes: tinyPng }] });
    const keyFile = path.join(h.dir, 'keys', 'keys.json');
    const out: string[] = [];
    expect(await runCli(['keys', 'rotate', '--key-file', keyFile], (s) => out.push(s))).toBe(0);
    expect(out.join('\n')).toContain('OK: key 2 added');
    expect(mode(keyFile)).toBe(0o600);
    h.db.close();
    const keys = Keyring.load(keyFile);
    expect(keys.currentId).toBe(2);
    const store = new SqliteStore(openDatabase(h.dbFile), keys);
    store.prepare(new Date());
    expect(store.getReport(r1.reportId)?.form).toMatchObject({ kind: 'cyberbullying' });
    const files = new DiskEvidenceFiles(path.join(h.dir, 'evidence'), keys);
    expect(Buffer.compare(await files.read(store.listEvidence(r1.reportId)[0]?.sha256 as string), tinyPng)).toBe(0);
    const row = store.db.prepare(`SELECT key_id FROM audit_log ORDER BY seq DESC LIMIT 1`).get() as { key_id: number };
    store.appendAudit({ at: new Date().toISOString(), actor: 'system', action: 'test.after_rotation', details: {} });
    expect((store.db.prepare(`SELECT key_id FROM audit_log ORDER BY seq DESC LIMIT 1`).get() as { key_id: number }).key_id).toBe(2);
    expect(row.key_id).toBe(1);
    expect(store.verifyAudit()).toMatchObject({ ok: true });
    store.db.close();
    const verified: string[] = [];
    expect(await runCli(['audit', 'verify', '--db', h.dbFile, '--evidence', path.join(h.dir, 'evidence'), '--key-file', keyFile], (s) => verified.push(s))).toBe(0);
  });
});

describe('the audit checkpoint: the head sent to the DSL, and checked against', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('is sent once a day when something was written, to the DSL, and is on the record; verify --head checks it', async () => {
    h = harness();
    const run = () => checkpointAudit({ store: h!.store, directory: demoSchool.directory, channels: ['sandbox'], clock: h!.clock.now, everyHours: 24 });
    await h.workflow.submit({ reporterId: 'amy-clarke', form: example(1).report });
    expect(run()).toBeUndefined(); // not a day yet
    h.clock.advanceMinutes(24 * 60);
    const anchored = run();
    expect(anchored).toMatchObject({ seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(run()).toBeUndefined(); // nothing new since
    const sent = h.outbox({ type: 'audit.checkpoint' });
    expect(sent.map((o) => o.recipientId)).toEqual(['jo-patel']);
    expect(sent[0]?.payload).toMatchObject({ seq: anchored?.seq, hash: anchored?.hash });
    expect(h.actions().at(-1)).toBe('audit.checkpoint');
    const view = messageView(sent[0]!, 'Europe/London');
    expect(view.paragraphs.join(' ')).toContain(`audit verify --head ${anchored?.seq}:${anchored?.hash}`);
    // A day later with more written: another.
    h.workflow.acknowledge({ reportId: h.store.listReportsByReporter('amy-clarke')[0]!.id, actorId: 'jo-patel' });
    h.clock.advanceMinutes(24 * 60);
    expect(run()?.seq).toBeGreaterThan(anchored!.seq);
    h.db.close();
    const args = ['audit', 'verify', '--db', h.dbFile, '--evidence', path.join(h.dir, 'evidence'), '--key-file', path.join(h.dir, 'keys', 'keys.json'), '--head', `${anchored?.seq}:${anchored?.hash}`];
    expect(await runCli(args, () => {})).toBe(0);
    expect(await runCli([...args.slice(0, -1), `${anchored?.seq}:${'f'.repeat(64)}`], () => {})).toBe(2);
  });

  it('reaches the DSL over the wire (Slack), from the background loop\'s jobs', { timeout: 30_000 }, async () => {
    const sh = await slackHarness({ env: { AUDIT_CHECKPOINT_HOURS: '24' } });
    cleanups.push(() => sh.close());
    await fileReport(sh, 'amy-clarke', example(1).report);
    const runJobs = async () => {
      for (const s of sh.app.services) await s.runDue?.();
      await sh.deliver();
    };
    await runJobs();
    const toDsl = () => sh.api.postedTo(`D${'U0DSL000001'}`).filter((c) => JSON.stringify(c.body).includes('Audit log checkpoint'));
    expect(toDsl()).toEqual([]);
    sh.clock.advanceMinutes(24 * 60);
    await runJobs();
    expect(toDsl()).toHaveLength(1);
    expect(JSON.stringify(toDsl()[0]?.body)).toMatch(/audit verify --head \d+:[0-9a-f]{64}/);
    await runJobs();
    expect(toDsl()).toHaveLength(1);
  });
});
