// A CPU profile of the bot under one kind of load (for finding what to fix, not a figure):
//   npx tsx bench/profile.ts view_submission 10   → .cache/bench/profile/*.cpuprofile
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BenchSlackApi } from './fake-slack.js';
import { load } from './load.js';
import { freePort, startProcess } from './processes.js';
import { acknowledgePress, appHomeOpened, reportFormSent, signingSecret, slashReport } from './slack-requests.js';

const [request = 'view_submission', conns = '10', seconds = '5'] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'sgbot-prof-'));
const out = path.resolve('.cache/bench/profile');
mkdirSync(out, { recursive: true });
const api = new BenchSlackApi();
const apiUrl = await api.start();
const r = await startProcess(['--cpu-prof', `--cpu-prof-dir=${out}`, 'dist/main.js'], {
  NODE_ENV: 'production',
  DATABASE_PATH: path.join(dir, 'bot.db'),
  EVIDENCE_DIR: path.join(dir, 'evidence'),
  KEY_FILE: path.join(dir, 'keys', 'keys.json'),
  SCHOOL_CONFIG: 'data/school.example.yaml',
  LOG_LEVEL: 'silent',
  AUDIT_CHECKPOINT_HOURS: '0',
  REPORT_LIMIT_PER_PERSON: '0',
  SLACK_SIGNING_SECRET: signingSecret,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_API_URL: apiUrl,
}, await freePort());
const next = { '/report': () => slashReport(), view_submission: () => reportFormSent(), app_home: () => appHomeOpened(), acknowledge: () => acknowledgePress({ reportId: 'none' }) }[request] ?? (() => reportFormSent());
const f = await load({ url: r.url, path: '/slack/events', connections: Number(conns), seconds: Number(seconds), next });
console.log(request, conns, f);
await r.stop();
await api.stop();
rmSync(dir, { recursive: true, force: true });
