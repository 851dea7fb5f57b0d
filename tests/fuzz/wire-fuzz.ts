import fc from 'fast-check';
import { demoSchool } from '../support/harness.js';
import { sign, slackHarness, slackSample, type SlackHarness } from '../support/slack-harness.js';
import { sample, teamsHarness, type TeamsHarness } from '../support/teams-harness.js';

/**
 * A fuzz run over the wire: payloads built from the platform samples
 * (tests/fixtures/platform-samples) with structured mutations chosen by fast-check,
 * sent to the whole bot on 127.0.0.1 (Slack signed, Teams in its local unauthenticated
 * mode). Counts the answers by status; a 5xx or an answer slower than `slowMs` is a finding.
 * Every URL in a payload is pointed at the fakes on loopback, so nothing leaves the machine.
 */

type Json = Record<string, unknown>;
type Target = 'slack' | 'teams';

export interface FuzzOptions {
  count: number;
  seed?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  slowMs?: number;
  /** Stop after this long even if `count` is not reached. */
  maxMs?: number;
  onProgress?: (done: number, stats: FuzzStats) => void;
}

export interface Finding {
  target: Target;
  status: number;
  ms: number;
  body: string;
  answer: string;
}

export interface FuzzStats {
  sent: number;
  byStatus: Record<string, Record<string, number>>;
  serverErrors: Finding[];
  slow: Finding[];
  seconds: number;
}

// ---- what to mutate ----

const schoolSlackIds = demoSchool.directory.people.flatMap((p) => (p.slack ? [p.slack] : []));
const schoolTeamsIds = demoSchool.directory.people.flatMap((p) => (p.teams ? [p.teams] : []));

const knownWords = [
  'acknowledge', 'view', 'decide', 'complete_task', 'report_form', 'report_kind', 'choose_kind', 'submit_report',
  'block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion', 'event_callback',
  'url_verification', 'app_home_opened', 'message', 'invoke', 'installationUpdate', 'conversationUpdate',
  'adaptiveCard/action', 'Action.Execute', 'Action.Submit', 'personal', 'channel', 'nude_images', 'cyberbullying',
  'friend_request', 'report', 'my reports', 'whoami', '/report', 'evidence.files', 'value',
];

const junkStrings = [
  '', ' ', '%', '%E0%A4%A', '%ZZ', '\ud800', 'a\udc00b', '\ud83d', '💥', 'é', 'Ω≈ç√', '\u0000', '\u202e', '__proto__',
  'constructor', '{', '{"reportId":', '{"kind":"nude_images"}', '{"reportId":"x","choices":5}', '[]', 'null', 'true',
  '1e309', '-0', 'NaN', '<at>Safeguarding</at> report', 'javascript:alert(1)', 'ftp://127.0.0.1/x', 'file:///etc/passwd',
  '29:ünïcødé', '19:x;messageid=\u00e9', 'a'.repeat(20_000), '9'.repeat(400),
];

function nested(depth: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...junkStrings) },
  { weight: 3, arbitrary: fc.constantFrom(...knownWords) },
  { weight: 2, arbitrary: fc.constantFrom(...schoolSlackIds, ...schoolTeamsIds) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, {}, [], [null], [{}], { id: 5 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(20, 80, 1_000).map((n) => nested(n)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

type Op =
  | { op: 'set'; at: number; value: unknown }
  | { op: 'delete'; at: number }
  | { op: 'wrap'; at: number }
  | { op: 'stringify'; at: number }
  | { op: 'proto'; at: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: valueArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stringify' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('proto' as const), at: fc.nat() }) },
);

/** How the mutated value goes on the wire. */
type Wire = 'normal' | 'truncate' | 'not-json' | 'wrong-type' | 'empty' | 'dup-field' | 'deep-raw' | 'bad-path' | 'bad-signature' | 'skew-future' | 'skew-past';
const wireArb: fc.Arbitrary<Wire> = fc.oneof(
  { weight: 30, arbitrary: fc.constant('normal' as const) },
  { weight: 1, arbitrary: fc.constantFrom<Wire>('truncate', 'not-json', 'wrong-type', 'empty', 'dup-field', 'deep-raw', 'bad-path', 'bad-signature', 'skew-future', 'skew-past') },
);

export interface Recipe {
  target: Target;
  base: number;
  ops: Op[];
  wire: Wire;
}

export const recipeArb: fc.Arbitrary<Recipe> = fc.record({
  target: fc.constantFrom<Target>('slack', 'teams'),
  base: fc.nat(),
  ops: fc.array(opArb, { minLength: 0, maxLength: 4 }),
  wire: wireArb,
});

// ---- the bases: the platform samples, with this school's ids where it helps ----

interface SlackBase {
  kind: 'form' | 'interaction' | 'event';
  value: Json;
}

function slackBases(): SlackBase[] {
  const payload = (name: string) => structuredClone(slackSample(name).payload as Json);
  const form = { ...(slackSample('slash-command.json').form_fields as Json), command: '/report' };
  const asSchool = (v: Json, i: number) => ({ ...v, user: { ...(v.user as Json), id: schoolSlackIds[i % schoolSlackIds.length] } });
  const sub = payload('view-submission-with-file-input.json');
  return [
    { kind: 'form', value: form },
    { kind: 'form', value: { ...form, user_id: schoolSlackIds[0] } },
    { kind: 'interaction', value: payload('block-actions-in-modal.json') },
    { kind: 'interaction', value: asSchool(payload('block-actions-button-in-channel-message.json'), 1) },
    { kind: 'interaction', value: asSchool(sub, 2) },
    { kind: 'interaction', value: asSchool({ ...sub, view: { ...(sub.view as Json), callback_id: 'report_form', private_metadata: '{"kind":"nude_images"}' } }, 3) },
    { kind: 'interaction', value: asSchool({ ...sub, view: { ...(sub.view as Json), callback_id: 'decide', private_metadata: '{"reportId":"r1"}' } }, 4) },
    { kind: 'interaction', value: payload('view-closed.json') },
    { kind: 'interaction', value: { type: 'shortcut', callback_id: 'x', trigger_id: 't', user: { id: schoolSlackIds[0] }, team: { id: 'T1' } } },
    { kind: 'event', value: payload('app-home-opened-event.json') },
    { kind: 'event', value: { type: 'url_verification', challenge: 'abc', token: 't' } },
  ];
}

function teamsBases(h: TeamsHarness): Json[] {
  const payload = (name: string, key = 'payload') => structuredClone(sample(name)[key] as Json);
  const ours = (a: Json, personId: string): Json => ({ ...a, from: { id: demoSchool.directory.get(personId)?.teams ?? '29:x' } });
  return [
    payload('teams-message-personal.json'),
    payload('teams-message-channel-mention.json'),
    payload('teams-action-submit.json'),
    payload('teams-invoke-adaptive-card-action.json'),
    payload('teams-installation-update.json', 'personal_install'),
    payload('teams-installation-update.json', 'team_install'),
    payload('teams-conversation-update-members-added.json', 'personal_bot_added'),
    payload('teams-file-upload-personal.json'),
    payload('teams-inline-image.json'),
    h.message('amy-clarke', 'report'),
    h.message('jo-patel', 'my reports'),
    h.submit('amy-clarke', { verb: 'choose_kind', kind: 'nude_images' }),
    h.submit('amy-clarke', { verb: 'submit_report', kind: 'friend_request', platform: 'Instagram' }),
    h.execute('jo-patel', 'acknowledge', { reportId: 'r1' }),
    ours(payload('teams-file-upload-personal.json'), 'amy-clarke'),
  ];
}

// ---- applying a recipe ----

type Slot = { parent: Json | unknown[]; key: string | number };

function slots(root: Json): Slot[] {
  const out: Slot[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 12 || !v || typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v)) {
      const key = Array.isArray(v) ? Number(k) : k;
      out.push({ parent: v as Json, key });
      walk(child, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

function cloneOrSame(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch {
    return v; // too deep to clone: used as it is
  }
}

function apply(root: Json, ops: Op[]): Json {
  for (const o of ops) {
    const all = slots(root);
    const slot = all[o.at % Math.max(all.length, 1)];
    if (!slot) continue;
    const p = slot.parent as Record<string | number, unknown>;
    if (o.op === 'set') p[slot.key] = cloneOrSame(o.value);
    else if (o.op === 'delete') {
      if (Array.isArray(p)) p.splice(Number(slot.key), 1);
      else delete p[slot.key];
    } else if (o.op === 'wrap') p[slot.key] = [p[slot.key]];
    else if (o.op === 'stringify') p[slot.key] = JSON.stringify(p[slot.key]) ?? 'undefined';
    else if (o.op === 'proto' && !Array.isArray(p)) Object.defineProperty(p, '__proto__', { value: { polluted: true, type: 'block_actions' }, enumerable: true, configurable: true, writable: true });
  }
  return root;
}

/** Every http(s) URL in the payload points at `loopback`: the fuzz never reaches the network. */
function keepOnLoopback(v: unknown, loopback: string): unknown {
  if (typeof v === 'string') {
    if (/^\s*https?:/i.test(v) || /^\s*\/\//.test(v)) {
      try {
        const host = new URL(v).hostname;
        if (host === '127.0.0.1') return v;
      } catch {
        return v; // not a URL: refused as one
      }
      return loopback;
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => keepOnLoopback(x, loopback));
  if (v && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: keepOnLoopback(x, loopback), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

interface Request {
  target: Target;
  url: string;
  body: string;
  headers: Record<string, string>;
}

function deepRaw(n: number): string {
  return `${'['.repeat(n)}1${']'.repeat(n)}`;
}

function slackRequest(h: SlackHarness, bases: SlackBase[], r: Recipe, loopback: string): Request {
  const base = bases[r.base % bases.length] as SlackBase;
  const value = keepOnLoopback(apply(structuredClone(base.value), r.ops), loopback) as Json;
  let body: string;
  let contentType: string;
  if (base.kind === 'form') {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(value)) params.append(k, typeof v === 'string' ? v : JSON.stringify(v) ?? '');
    body = params.toString();
    contentType = 'application/x-www-form-urlencoded';
  } else if (base.kind === 'interaction') {
    body = `payload=${encodeURIComponent(JSON.stringify(value))}`;
    contentType = 'application/x-www-form-urlencoded';
  } else {
    body = JSON.stringify(value);
    contentType = 'application/json';
  }
  let url = h.url;
  if (r.wire === 'truncate') body = body.slice(0, Math.floor(body.length / 2));
  if (r.wire === 'not-json') body = base.kind === 'interaction' ? 'payload=%7B%22type%22%3A' : '{"type": "event_callback",';
  if (r.wire === 'wrong-type') contentType = 'text/plain';
  if (r.wire === 'empty') body = '';
  if (r.wire === 'dup-field') body = `${body}&user_id=U1&user_id=U2&payload=%7B%7D`;
  if (r.wire === 'deep-raw') body = base.kind === 'event' ? deepRaw(50_000) : `payload=${encodeURIComponent(deepRaw(50_000))}`;
  if (r.wire === 'bad-path') url = `${h.url}%E0%A4%A?x=%ZZ`;
  const now = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': contentType };
  if (r.wire === 'bad-signature') Object.assign(headers, sign(body, now, 'wrong-secret'));
  else if (r.wire === 'skew-future') Object.assign(headers, sign(body, now + 600));
  else if (r.wire === 'skew-past') Object.assign(headers, sign(body, now - 600));
  else Object.assign(headers, sign(body, now));
  return { target: 'slack', url, body, headers };
}

function teamsRequest(h: TeamsHarness, bases: Json[], r: Recipe, loopback: string): Request {
  const base = structuredClone(bases[r.base % bases.length] as Json);
  base.serviceUrl = loopback;
  base.id = `fuzz-${r.base}-${Math.random().toString(36).slice(2)}`;
  const value = keepOnLoopback(apply(base, r.ops), loopback);
  let body = JSON.stringify(value);
  let url = h.url;
  let contentType = 'application/json';
  if (r.wire === 'truncate') body = body.slice(0, Math.floor(body.length / 2));
  if (r.wire === 'not-json') body = '{"type": "message",';
  if (r.wire === 'wrong-type') contentType = 'text/plain';
  if (r.wire === 'empty') body = '';
  if (r.wire === 'deep-raw') body = deepRaw(50_000);
  if (r.wire === 'bad-path') url = `${h.url}%E0%A4%A?x=%ZZ`;
  return { target: 'teams', url, body, headers: { 'content-type': contentType } };
}

// ---- the run ----

export async function runWireFuzz(o: FuzzOptions): Promise<FuzzStats> {
  const slowMs = o.slowMs ?? 1000;
  const concurrency = o.concurrency ?? 4;
  const started = Date.now();
  const slack = await slackHarness();
  const teams = await teamsHarness();
  const stats: FuzzStats = { sent: 0, byStatus: { slack: {}, teams: {} }, serverErrors: [], slow: [], seconds: 0 };
  try {
    const slackLoopback = `http://127.0.0.1:${slack.api.port}/files/fuzz`;
    const teamsLoopback = teams.connector.url;
    const sBases = slackBases();
    const tBases = teamsBases(teams);
    // Recipes are drawn in batches (each with its own seed), so memory stays flat over a long run.
    const batch = 1000;
    let recipes: Recipe[] = [];
    let batchNo = -1;
    const recipeAt = (i: number): Recipe => {
      const n = Math.floor(i / batch);
      if (n !== batchNo) {
        batchNo = n;
        recipes = fc.sample(recipeArb, { numRuns: batch, seed: (o.seed ?? 42) + n * 7919 });
      }
      return recipes[i % batch] as Recipe;
    };
    let next = 0;
    const worker = async () => {
      while (next < o.count && (!o.maxMs || Date.now() - started < o.maxMs)) {
        const r = recipeAt(next++);
        const req = r.target === 'slack' ? slackRequest(slack, sBases, r, slackLoopback) : teamsRequest(teams, tBases, r, teamsLoopback);
        const t0 = performance.now();
        let status: number;
        let answer = '';
        try {
          const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(10_000) });
          status = res.status;
          answer = (await res.text()).slice(0, 300);
        } catch (err) {
          status = 599; // no answer at all (a dropped connection or a 10 s hang): counted as a server error
          answer = String(err);
        }
        const ms = performance.now() - t0;
        stats.sent += 1;
        const counts = stats.byStatus[req.target] as Record<string, number>;
        counts[status] = (counts[status] ?? 0) + 1;
        const finding = { target: req.target, status, ms: Math.round(ms), body: req.body.slice(0, 200_000), answer };
        if (status >= 500 && stats.serverErrors.length < 50) stats.serverErrors.push(finding);
        else if (status >= 500) stats.serverErrors.push({ ...finding, body: '' });
        if (ms > slowMs) stats.slow.push({ ...finding, body: finding.body.slice(0, 300) });
        if (stats.sent % 1000 === 0) {
          slack.api.calls.length = 0;
          teams.connector.calls.length = 0;
          o.onProgress?.(stats.sent, stats);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await slack.close();
    await teams.close();
  }
  stats.seconds = Math.round((Date.now() - started) / 100) / 10;
  return stats;
}
