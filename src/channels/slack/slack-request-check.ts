import { defaultBodyLimit, verifySlackRequest, type AnyMiddlewareArgs, type Middleware } from '@slack/bolt';
import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../../logger.js';
import { makeWellFormedInPlace, parseJson, wellFormed } from '../wire-body.js';

/**
 * Every request to POST /slack/events, before Bolt sees it: the signature (HMAC of the
 * raw body) and its timestamp within 5 minutes of the wall clock either way (401
 * otherwise); the body parsed without throwing, nested no deeper than a Slack payload,
 * strings made well-formed; and the payloads the bot acts on checked for the fields it
 * reads (400 otherwise). What passes is handed to Bolt as JSON.
 */
export const signatureWindowSeconds = 5 * 60;

const text = z.string().max(10_000);
const id = z.string().min(1).max(255);
const user = z.looseObject({ id });
const stateValues = z.record(z.string(), z.record(z.string(), z.looseObject({ type: z.string().optional() })));
const view = z.looseObject({
  id,
  callback_id: text,
  private_metadata: text.optional(),
  state: z.looseObject({ values: stateValues }),
});

const objectOrNothing = z.looseObject({}).nullish();
const objectOrText = z.union([z.looseObject({}), text]).optional();
/** What Bolt itself reads from any body before a listener runs (a null here once made a 500). */
const common = z.looseObject({
  type: text.optional(),
  response_url: text.optional(),
  response_urls: z.array(z.looseObject({ response_url: text })).optional(),
  authorizations: z.array(z.looseObject({ is_enterprise_install: z.boolean().optional() })).optional(),
  is_enterprise_install: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  // Slack sends null only for team and enterprise (org-wide installs); Bolt reads the others' fields when present.
  team: z.union([objectOrNothing, text]),
  enterprise: z.union([objectOrNothing, text]),
  user: objectOrText,
  channel: objectOrText,
  container: z.looseObject({}).optional(),
  message: z.looseObject({}).optional(),
  view: z.looseObject({}).optional(),
  actions: z.array(z.looseObject({})).optional(),
  event: z
    .looseObject({
      channel: objectOrText,
      item: z.looseObject({}).optional(),
      message: objectOrNothing,
      previous_message: objectOrNothing,
      assistant_thread: objectOrNothing,
    })
    .optional(),
});

/** The interactive payloads the bot has listeners for, by type; other types are answered 200 at once. */
const interactions: Record<string, z.ZodType> = {
  block_actions: z.looseObject({
    user,
    trigger_id: text.optional(),
    actions: z.array(z.looseObject({ action_id: text, value: text.optional() })).min(1).max(25),
    channel: z.looseObject({ id }).nullish(),
    view: view.optional(),
  }),
  view_submission: z.looseObject({ user, view, trigger_id: text.optional() }),
  view_closed: z.looseObject({ user, view: z.looseObject({ id, callback_id: text }) }),
  shortcut: z.looseObject({ user, callback_id: text, trigger_id: text }),
  message_action: z.looseObject({ user, callback_id: text, trigger_id: text }),
  block_suggestion: z.looseObject({ user, action_id: text, value: text.optional() }),
};

/** Events API envelopes; event types the bot reads are checked further. */
const events: Record<string, z.ZodType> = {
  url_verification: z.looseObject({ challenge: text }),
  event_callback: z.looseObject({ event_id: text.optional(), event: z.looseObject({ type: text, user: text.optional() }) }),
};
const eventBodies: Record<string, z.ZodType> = {
  app_home_opened: z.looseObject({ user: id }),
};

/** A slash command: form fields, each once, each a string. */
const command = z.looseObject({ command: text, user_id: id, trigger_id: text });

/** A form of fields (a slash command, an SSL check), a form's `payload` (an interaction), or JSON (the Events API). */
export type BodyKind = 'form' | 'interaction' | 'event';

type Checked = { status: 200; body: unknown; pass: true } | { status: 200 | 400; error?: string; pass: false };

/**
 * Bolt looks workspaces up by these ids in plain objects (`clients[teamId]`), so a
 * team id "constructor" once made a 500; user ids go into core and the audit log.
 * Slack's ids are upper-case letters and digits: anything else is refused.
 */
const idKeys = new Set(['team_id', 'enterprise_id', 'app_installed_team_id', 'api_app_id', 'app_id', 'team', 'enterprise', 'user_id', 'user']);
const slackIdShape = /^[A-Z0-9]{1,64}$/;

function idProblem(v: unknown, depth = 0): string | undefined {
  if (!v || typeof v !== 'object' || depth > 6) return undefined;
  for (const [k, child] of Object.entries(v)) {
    if (idKeys.has(k) && child !== null && child !== undefined) {
      const id = typeof child === 'object' && !Array.isArray(child) ? (child as { id?: unknown }).id : child;
      if (id !== undefined && id !== null && !(typeof id === 'string' && slackIdShape.test(id))) return k;
    }
    const inner = idProblem(child, depth + 1);
    if (inner) return `${k}.${inner}`;
  }
  return undefined;
}

/** A schema by name, never one of Object.prototype's ("__proto__", "constructor"). */
const own = (map: Record<string, z.ZodType>, key: string): z.ZodType | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);

/** Which Slack request this is, and whether it has what the bot will read. */
export function checkSlackBody(body: unknown, kind: BodyKind): Checked {
  const bad = (error: string): Checked => ({ status: 400, error, pass: false });
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('not a Slack request');
  const b = body as Record<string, unknown>;
  const badId = idProblem(b);
  if (badId) return bad(`${badId} is not a Slack id`);
  if (kind === 'form' && b.ssl_check !== undefined) return { status: 200, body, pass: true };
  if (kind === 'form') return command.safeParse(b).success ? { status: 200, body, pass: true } : bad('not a slash command');
  const form = kind === 'interaction';
  const shape = common.safeParse(b);
  if (!shape.success) return bad(`not a Slack request: ${shape.error.issues.map((i) => i.path.join('.') || '(body)').join(', ')}`);
  const type = typeof b.type === 'string' ? b.type : undefined;
  if (!type) return bad('no type');
  const schema = own(form ? interactions : events, type);
  if (!schema) return form || type === 'app_rate_limited' ? { status: 200, pass: false } : bad('not an Events API request');
  const checked = schema.safeParse(b);
  if (!checked.success) return bad(`not a valid ${type}: ${checked.error.issues.map((i) => i.path.join('.') || '(body)').join(', ')}`);
  const event = b.event as { type?: string } | undefined;
  const eventSchema = type === 'event_callback' && typeof event?.type === 'string' ? own(eventBodies, event.type) : undefined;
  if (eventSchema && !eventSchema.safeParse(event).success) return bad(`not a valid ${event?.type ?? ''} event`);
  return { status: 200, body, pass: true };
}

/** The form body (a slash command, or one `payload` field of JSON) or the JSON body, parsed without throwing. */
function parseBody(raw: string, contentType: string): { kind: BodyKind; body: unknown } | { problem: string } {
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    const fields: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      if (Object.hasOwn(fields, k)) return { problem: `the field ${k} is given twice` };
      fields[k] = v;
    }
    if (fields.payload === undefined) return { kind: 'form', body: wellFormed(fields) };
    const payload = parseJson(fields.payload);
    return payload.ok ? { kind: 'interaction', body: payload.value } : { problem: `payload: ${payload.problem}` };
  }
  if (/^application\/json\b/i.test(contentType)) {
    const json = parseJson(raw);
    return json.ok ? { kind: 'event', body: json.value } : { problem: json.problem };
  }
  return { problem: 'the body must be a form or JSON' };
}

/** The signature check and the body check, mounted on POST /slack/events in front of Bolt's receiver. */
export function slackRequestCheck(o: { signingSecret: string; wallClockMs: () => number; log: Logger }): RequestHandler[] {
  return [
    express.raw({ type: () => true, limit: defaultBodyLimit }), // Bolt's own limit (4 MB): a big modal is never cut off
    (req, res, next) => {
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const stamp = req.headers['x-slack-request-timestamp'];
      const signature = req.headers['x-slack-signature'];
      const now = o.wallClockMs();
      const ts = typeof stamp === 'string' && /^\d{1,12}$/.test(stamp) ? Number(stamp) : undefined;
      let reason: string | undefined;
      if (ts === undefined || typeof signature !== 'string') reason = 'no signature or timestamp';
      else if (Math.abs(ts - Math.floor(now / 1000)) > signatureWindowSeconds) reason = 'timestamp outside the 5-minute window';
      else {
        try {
          verifySlackRequest({ signingSecret: o.signingSecret, body: raw, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': ts }, nowMilliseconds: now });
        } catch {
          reason = 'signature mismatch';
        }
      }
      if (reason) {
        o.log.warn({ reason }, 'Slack: request refused');
        res.status(401).json({ ok: false, error: 'unauthorized' });
        return;
      }
      const parsed = parseBody(raw, req.headers['content-type'] ?? '');
      if ('problem' in parsed) {
        res.status(400).json({ ok: false, error: parsed.problem });
        return;
      }
      const checked = checkSlackBody(parsed.body, parsed.kind);
      if (!checked.pass) {
        if (checked.status === 400) o.log.info({ problem: checked.error }, 'Slack: malformed request refused');
        res.status(checked.status).json(checked.status === 400 ? { ok: false, error: checked.error } : {});
        return;
      }
      // Bolt's receiver reads req.rawBody when it is set: the checked body, as JSON.
      Object.assign(req, { rawBody: Buffer.from(JSON.stringify(checked.body)) });
      req.headers['content-type'] = 'application/json';
      next();
    },
  ];
}

/**
 * Socket Mode has no HTTP edge (Slack's envelopes come over the app-token WebSocket), so
 * the same body check runs as Bolt's first middleware: strings made well-formed in place,
 * a malformed or unknown payload acknowledged at once and dropped.
 */
export function socketModeCheck(log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as unknown as Record<string, unknown>;
    makeWellFormedInPlace(body);
    const type = typeof body.type === 'string' ? body.type : '';
    const kind: BodyKind = typeof body.command === 'string' ? 'form' : Object.hasOwn(events, type) || type === 'app_rate_limited' ? 'event' : 'interaction';
    const checked = checkSlackBody(body, kind);
    const ack = 'ack' in args && typeof args.ack === 'function' ? (args.ack as () => Promise<void>) : undefined;
    if (checked.pass) {
      try {
        await args.next();
      } finally {
        // Nothing acknowledged it (an unknown action id or callback): answered now. A second
        // ack is a no-op in Bolt's Socket Mode.
        await ack?.();
      }
      return;
    }
    if (checked.status === 400) log.info({ problem: checked.error }, 'Slack (Socket Mode): malformed payload dropped');
    await ack?.();
  };
}
