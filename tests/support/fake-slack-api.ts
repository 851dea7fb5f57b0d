import type { Server } from 'node:http';
import express from 'express';
import { blockProblems, modalProblems, slackMessageTextRefused, totalBlockText } from './slack-limits.js';

export interface SlackCall {
  method: string;
  token?: string;
  body: Record<string, unknown>;
  /** The ts the fake gave a posted message. */
  ts?: string;
  /** Why the fake refused the call, as Slack would (msg_blocks_too_long, invalid_blocks, invalid_arguments). */
  refused?: string;
}

/** The error Slack gives a message or view over its limits, if any. */
function sizeRefusal(method: string, body: Record<string, unknown>): string | undefined {
  if (method === 'chat.postMessage' || method === 'chat.update' || method === 'chat.postEphemeral') {
    if (body.blocks === undefined) return undefined;
    if (totalBlockText(body.blocks) > slackMessageTextRefused) return 'msg_blocks_too_long';
    return blockProblems(body.blocks, 'message').length > 0 ? 'invalid_blocks' : undefined;
  }
  if (method === 'views.open' || method === 'views.update' || method === 'views.push' || method === 'views.publish')
    return modalProblems(body.view).length > 0 ? 'invalid_arguments' : undefined;
  return undefined;
}

/** JSON-looking form fields (blocks, view) as the objects they encode. */
function decode(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string' && /^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // keep the string
      }
    }
    out[k] = v;
  }
  return out;
}

/**
 * A fake Slack Web API on loopback (SLACK_API_URL points here). It records every call and
 * answers like Slack (shapes from shared/platform-samples/web-api-responses.json): HTTP
 * 200 with ok:true or ok:false and an error. It serves uploaded files to the bot token.
 */
export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  readonly files = new Map<string, Buffer>();
  /** Channels conversations.info reports as public. */
  readonly publicChannels = new Set<string>();
  /** Downloads to fail (HTTP 500) before they succeed, by file name. */
  readonly failDownloads = new Map<string, number>();
  downloads: { name: string; authorization?: string; status: number }[] = [];
  url = '';
  private server: Server | undefined;
  private ts = 1_763_900_000;

  port = 0;
  /** Socket Mode: the WebSocket URL apps.connections.open hands out. */
  socketUrl: string | undefined;
  /** A fault window: every Web API call answers HTTP 500, 429 with Retry-After, or hangs (no answer). */
  fault: { mode: '500' | '429' | 'hang'; retryAfter?: number } | undefined;
  /** Platform errors (ok:false) for posts to a channel id or conversations.open of a user id. */
  readonly errorFor = new Map<string, string>();
  /** Calls answered while a fault window was open (not counted as deliveries). */
  faulted = 0;
  private readonly hung = new Set<express.Response>();

  /** Starts on a free port, or on the same port again after stop(). */
  async start(port = 0): Promise<string> {
    const app = express();
    app.use(express.urlencoded({ extended: false }), express.json());
    app.post('/api/:method', (req, res) => {
      const method = req.params.method;
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || undefined;
      const body = decode((req.body ?? {}) as Record<string, unknown>);
      if (this.fault) {
        this.faulted += 1;
        if (this.fault.mode === 'hang') return void this.hung.add(res);
        if (this.fault.mode === '429') return void res.status(429).set('retry-after', String(this.fault.retryAfter ?? 1)).json({ ok: false, error: 'ratelimited' });
        return void res.status(500).send('fake failure');
      }
      const refused = this.errorFor.get(String(body.channel ?? body.users ?? ''));
      if (refused && ['chat.postMessage', 'conversations.open', 'chat.update'].includes(method)) return void res.json({ ok: false, error: refused });
      const call: SlackCall = { method, ...(token ? { token } : {}), body };
      this.calls.push(call);
      if (method === 'apps.connections.open')
        return void res.json(token === 'xapp-test-app-token' && this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: 'invalid_auth' });
      if (token !== 'xoxb-test-bot-token') return void res.json({ ok: false, error: 'invalid_auth' });
      // Refused as Slack refuses them: too much block text, or a Block Kit limit broken.
      const refusal = sizeRefusal(method, body);
      if (refusal) {
        call.refused = refusal;
        return void res.json({ ok: false, error: refusal });
      }
      switch (method) {
        case 'auth.test':
          return void res.json({ ok: true, url: 'https://example-school.slack.com/', team: 'Example School', user: 'safeguarding', team_id: 'T0001', user_id: 'U0BOT0001', bot_id: 'B0BOT0001' });
        case 'views.open':
        case 'views.update':
        case 'views.push':
        case 'views.publish':
          return void res.json({ ok: true, view: { id: `V${this.calls.length}`, ...(body.view as object) } });
        case 'chat.postMessage': {
          call.ts = `${++this.ts}.000100`;
          return void res.json({ ok: true, channel: body.channel, ts: call.ts, message: { text: body.text, user: 'U0BOT0001' } });
        }
        case 'chat.update':
          return void res.json({ ok: true, channel: body.channel, ts: body.ts, text: body.text });
        case 'chat.postEphemeral':
          return void res.json({ ok: true, message_ts: `${++this.ts}.000200` });
        case 'conversations.open':
          return void res.json({ ok: true, channel: { id: `D${String(body.users)}` } });
        case 'conversations.info':
          return void res.json({ ok: true, channel: { id: body.channel, is_private: !this.publicChannels.has(String(body.channel)) } });
        default:
          return void res.json({ ok: false, error: 'unknown_method' });
      }
    });
    app.get('/files/:name', (req, res) => {
      const name = req.params.name;
      const fails = this.failDownloads.get(name) ?? 0;
      const file = this.files.get(name);
      let status = 200;
      if (req.headers.authorization !== 'Bearer xoxb-test-bot-token') status = 403;
      else if (fails > 0) {
        this.failDownloads.set(name, fails - 1);
        status = 500;
      } else if (!file) status = 404;
      this.downloads.push({ name, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), status });
      if (status !== 200 || !file) return void res.status(status).end();
      res.type('image/png').send(file);
    });
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s));
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.url = `http://127.0.0.1:${this.port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.releaseHung();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Ends a hang: the calls left waiting get a 500 (the client gave up on them long ago). */
  releaseHung(): void {
    for (const res of this.hung) if (!res.headersSent) res.status(500).end();
    this.hung.clear();
  }

  of(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages posted to a channel or DM (D + the user's Slack id), as text. */
  postedTo(channel: string): SlackCall[] {
    return this.of('chat.postMessage').filter((c) => c.body.channel === channel);
  }

  clear(): void {
    this.calls.length = 0;
    this.downloads = [];
  }
}
