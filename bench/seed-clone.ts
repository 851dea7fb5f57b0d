// The clones of the seed's template report, made inside SQLite: each table is filled by
// one `INSERT … SELECT` over a table of counters (no statement run a row from
// JavaScript). What must differ a row is computed by small SQL functions: each sealed
// value sealed again under its own id (AES-256-GCM, the format `sealText` writes), and the
// audit chain linked entry by entry with the real keyed hash (checked against `entryHash`).
import { createCipheriv, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { canonicalJson, entryHash, headMac } from '../src/core/audit-chain.js';
import type { SqliteDatabase } from '../src/store/database.js';
import type { Keyring } from '../src/store/keyring.js';
import { aad } from '../src/store/seal-existing.js';
import { openJson } from '../src/store/sealed.js';

type Row = Record<string, unknown>;

export interface Template {
  db: SqliteDatabase;
  keys: Keyring;
  /** Reports in all: the template plus n − 1 clones. */
  n: number;
  report: Row;
  form: unknown;
  routing: unknown;
  duties: Row[];
  specs: unknown[];
  timers: Row[];
  outbox: Row[];
  payloads: unknown[];
  audits: Row[];
  log: (s: string) => void;
}

/** How many of N stay open: a few thousand at most (a school's live cases), most closed. */
export const openCount = (n: number): number => Math.min(3_000, Math.floor(n / 10));

const day = 86_400_000;

/** A sealer for one plaintext: `sg1:<key>:<base64 nonce | tag | ciphertext>`, nonces drawn from a pool. */
function sealer(keys: Keyring) {
  const id = keys.currentId;
  const key = createSecretKey(keys.encryptionKey(id) as Buffer);
  let pool = randomBytes(12 * 65_536);
  let at = 0;
  return (plain: Buffer, where: string): string => {
    if (at + 12 > pool.length) [pool, at] = [randomBytes(12 * 65_536), 0];
    const nonce = pool.subarray(at, (at += 12));
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(where, 'utf8'));
    const ct = cipher.update(plain);
    cipher.final();
    return `sg1:${id}:${Buffer.concat([nonce, cipher.getAuthTag(), ct]).toString('base64')}`;
  };
}

export function cloneRows(t: Template): void {
  const { db, keys, n } = t;
  const seal = sealer(keys);
  const json = (v: unknown) => Buffer.from(JSON.stringify(v ?? null), 'utf8');
  const plain = { form: json(t.form), routing: json(t.routing), specs: t.specs.map(json), payloads: t.payloads.map(json) };
  // Each sealer checked once against the real opener.
  const checked = new Set<string>();
  const sealed = (kind: string, p: Buffer, where: string, value: unknown) => {
    const s = seal(p, where);
    if (!checked.has(kind)) {
      if (JSON.stringify(openJson(keys, s, where)) !== JSON.stringify(value ?? null)) throw new Error(`seed: ${kind} does not open as sealed`);
      checked.add(kind);
    }
    return s;
  };
  const fn = (name: string, f: (...args: never[]) => unknown) => db.function(name, { deterministic: false, varargs: false }, f as (...args: unknown[]) => unknown);
  fn('seed_iso', (ms: number) => new Date(ms).toISOString());
  fn('seed_form', (id: string) => sealed('form', plain.form, aad.form(id), t.form));
  fn('seed_routing', (id: string) => sealed('routing', plain.routing, aad.routing(id), t.routing));
  fn('seed_spec', (k: number, id: string) => sealed('spec', plain.specs[k] as Buffer, aad.spec(id), t.specs[k]));
  fn('seed_payload', (k: number, id: string) => sealed('payload', plain.payloads[k] as Buffer, `outbox.payload_json:${id}`, t.payloads[k]));

  // The counters: one row a clone (i = 1 … n − 1; the template is report 0), with its id,
  // time, and whether it is open or recent (sent messages, handled events and idempotency
  // keys are pruned after 30 days: only recent cases still have them).
  const open = openCount(n);
  const span = 3 * 365 * day; // three school years
  const now = Date.now();
  db.exec('CREATE TEMP TABLE clone (i INTEGER PRIMARY KEY, id TEXT, at_ms INTEGER, at TEXT, open INTEGER, recent INTEGER)');
  // Ids are UUID-shaped but counted (version 4, variant 8), one series a table, each insert
  // in rising order (every index grows at its end, never at a random page).
  const idOf = (series: number, number: string) => `printf('5eed%04x-0000-4000-8000-%012x', ${series}, ${number})`;
  db.prepare(
    `INSERT INTO temp.clone (i, id, at_ms, open)
     WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < @last)
     SELECT i, ${idOf(1, 'i - 1')},
       CASE WHEN i >= @openFrom THEN @now - 6 * ${day} + i ELSE @now - @span + (i * (@span - 10 * ${day})) / @n END,
       i >= @openFrom
     FROM c`,
  ).run({ last: n - 1, openFrom: n - open, now, span, n });
  db.prepare(`UPDATE temp.clone SET at = seed_iso(at_ms), recent = (@now - at_ms < 30 * ${day})`).run({ now });
  t.log('counters');

  const r = t.report;
  db.prepare(
    `INSERT INTO reports (id, reference, kind, status, urgent, reporter_id, submitted_at, form_json, routing_json, acknowledged_at, closed_at, closed_by, outcome)
     SELECT id, 'SG-' || substr(at, 1, 4) || '-S' || printf('%07d', i), @kind, CASE WHEN open THEN 'open' ELSE 'closed' END, 0, @reporter, at,
       seed_form(id), seed_routing(id),
       CASE WHEN open THEN NULL ELSE at END, CASE WHEN open THEN NULL ELSE at END,
       CASE WHEN open THEN NULL ELSE 'jo-patel' END, CASE WHEN open THEN NULL ELSE 'no_further_action' END
     FROM temp.clone ORDER BY i`,
  ).run({ kind: r.kind, reporter: r.reporter_id });
  t.log('reports');

  // Duty k of clone i is number k·n + i of its series; timer j likewise.
  const dutyIndex = new Map(t.duties.map((d, k) => [String(d.id), k]));
  t.duties.forEach((d, k) =>
    db
      .prepare(
        `INSERT INTO duties (id, report_id, type, rules_json, nominal_role, levels_json, reach, via, spec_json, status, done_by, done_at, created_at)
         SELECT ${idOf(2, '@k * @n + i')}, id, @type, @rules, @role, @levels, @reach, @via, seed_spec(@k, ${idOf(2, '@k * @n + i')}),
           CASE WHEN open THEN 'open' ELSE 'done' END, CASE WHEN open THEN NULL ELSE 'jo-patel' END, CASE WHEN open THEN NULL ELSE at END, at
         FROM temp.clone ORDER BY i`,
      )
      .run({ k, n, type: d.type, rules: d.rules_json, role: d.nominal_role, levels: d.levels_json, reach: d.reach, via: d.via }),
  );
  t.log('duties');
  t.timers.forEach((tm, j) => {
    const k = dutyIndex.get(String(tm.duty_id));
    db.prepare(
      // Open cases' deadlines lie ahead (a week on), so no timer fires during the benchmark.
      `INSERT INTO timers (token, report_id, duty_id, kind, due_at, status, created_at, fired_at)
       SELECT ${idOf(3, '@j * @n + i')}, id, ${k === undefined ? 'NULL' : idOf(2, '@k * @n + i')}, @kind,
         CASE WHEN open THEN @now + 7 * ${day} + i ELSE at_ms + 3600000 END,
         CASE WHEN open THEN 'pending' ELSE 'cancelled' END, at, CASE WHEN open THEN NULL ELSE at END
       FROM temp.clone ORDER BY i`,
    ).run({ j, n, now, kind: tm.kind, ...(k === undefined ? {} : { k }) });
  });
  t.log('timers');
  t.outbox.forEach((o, k) => {
    const outboxId = idOf(4, '@k * @n + i');
    db.prepare(
      `INSERT INTO outbox (id, dedupe_key, channel, recipient_type, recipient_id, message_type, report_id, payload_json, status, attempts, next_attempt_at, created_at, sent_at)
       SELECT ${outboxId}, @mtype || ':' || id || ':' || @k, @channel, @rtype, @rid, @mtype, id, seed_payload(@k, ${outboxId}), 'sent', 1, 0, at, at
       FROM temp.clone WHERE recent ORDER BY i`,
    ).run({ k, n, mtype: o.message_type, channel: o.channel, rtype: o.recipient_type, rid: o.recipient_id });
    db.prepare(
      `INSERT INTO message_refs (channel, report_id, recipient_id, duty_id, message_type, conversation_id, message_id, outbox_id, created_at)
       SELECT 'slack', id, @rid, NULL, @mtype, 'C0DSLPRIV01', (1700000000 + i) || '.' || @k, ${outboxId}, at FROM temp.clone WHERE recent ORDER BY i`,
    ).run({ k, n, rid: o.recipient_id, mtype: o.message_type });
  });
  db.prepare(
    `INSERT INTO message_refs (channel, report_id, recipient_id, duty_id, message_type, conversation_id, message_id, outbox_id, created_at)
     SELECT 'slack', id, 'C0DSLPRIV01', NULL, 'dsl_channel_new_report', 'C0DSLPRIV01', (1700000000 + i) || '.0', NULL, at FROM temp.clone WHERE NOT recent ORDER BY i`,
  ).run();
  db.exec(
    `INSERT INTO idempotency_keys (key, result_json, created_at) SELECT 'slack:VSEED' || i, json_object('reportId', id), at FROM temp.clone WHERE recent ORDER BY i;
     INSERT INTO handled_events (channel, event_id, handled_at) SELECT 'slack', 'event:EvSEED' || i, at FROM temp.clone WHERE recent ORDER BY i;`,
  );
  t.log('outbox, message references, handled events');

  // The audit chain: entry a of clone i is number base + (i − 1)·A + a + 1, hashed in that
  // order by seed_link (it refuses any other order), which returns "prev hash:hash".
  const auditKey = { id: keys.currentId, key: keys.auditKey(keys.currentId) as Buffer };
  const head = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as { seq: number; hash: string };
  const hmacKey = createSecretKey(auditKey.key);
  const tmpl = t.audits.map((a) => {
    const details = JSON.parse(String(a.details_json)) as Record<string, unknown>;
    const actor = String(a.actor);
    const action = String(a.action);
    return { actor, action, details, head: `{"action":${JSON.stringify(action)},"actor":${JSON.stringify(actor)},"at":`, mid: `,"details":${canonicalJson(details)},"keyId":${auditKey.id},"prevHash":"` };
  });
  let seq = head.seq;
  let prev = head.hash;
  fn('seed_link', (s: number, a: number, at: string, id: string) => {
    if (s !== seq + 1) throw new Error(`seed: audit entry ${s} hashed out of order (after ${seq})`);
    const x = tmpl[a] as (typeof tmpl)[number];
    const body = `${x.head}${JSON.stringify(at)}${x.mid}${prev}","reportId":${JSON.stringify(id)},"seq":${s}}`;
    const hash = createHmacHex(hmacKey, body);
    if (s === head.seq + 1 + a && hash !== entryHash(s, prev, { at, actor: x.actor, action: x.action, reportId: id, details: x.details }, auditKey))
      throw new Error('seed: the audit entry template does not hash as entryHash does');
    const link = `${prev}:${hash}`;
    seq = s;
    prev = hash;
    return link;
  });
  db.exec('CREATE TEMP TABLE audit_tmpl (a INTEGER PRIMARY KEY, actor TEXT, action TEXT, details_json TEXT)');
  const addTmpl = db.prepare('INSERT INTO temp.audit_tmpl VALUES (?, ?, ?, ?)');
  t.audits.forEach((a, k) => addTmpl.run(k, a.actor, a.action, a.details_json));
  db.prepare(
    `INSERT INTO audit_log (seq, at, actor, action, report_id, details_json, prev_hash, hash, key_id)
     WITH e AS MATERIALIZED (
       SELECT s, at, id, a, seed_link(s, a, at, id) AS link FROM (
         SELECT @base + (c.i - 1) * @per + t.a + 1 AS s, c.at, c.id, t.a FROM temp.clone c, temp.audit_tmpl t ORDER BY c.i, t.a))
     SELECT e.s, e.at, t.actor, t.action, e.id, t.details_json, substr(e.link, 1, 64), substr(e.link, 66), @keyId
     FROM e JOIN temp.audit_tmpl t ON t.a = e.a ORDER BY e.s`,
  ).run({ base: head.seq, per: t.audits.length, keyId: auditKey.id });
  db.prepare('UPDATE audit_head SET seq = @seq, hash = @hash, key_id = @keyId, mac = @mac WHERE id = 1').run({
    seq,
    hash: prev,
    keyId: auditKey.id,
    mac: headMac({ seq, hash: prev }, auditKey),
  });
  db.exec('DROP TABLE temp.clone; DROP TABLE temp.audit_tmpl');
  t.log('audit chain');
}


function createHmacHex(key: KeyObject, body: string): string {
  return createHmac('sha256', key).update(body).digest('hex');
}
