import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';

/** Teams refuses an activity over 100 KB of UTF-16. */
export const teamsRefusedBytes = 100 * 1024;

/** One call the bot made to the Bot Connector REST API. */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId?: string;
  activityId?: string;
  authorization?: string;
  body: Record<string, unknown>;
  /** The id the fake answered with (a new message's id). */
  responseId?: string;
}

/** What a card sent in an activity looks like to a test. */
export function cardOf(activity: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const attachments = (activity?.attachments ?? []) as { contentType: string; content: Record<string, unknown> }[];
  return attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** All the text of a card, for looking things up in tests. */
export function cardText(card: unknown): string {
  return JSON.stringify(card ?? {});
}

/**
 * A fake Bot Connector on loopback (the activities' serviceUrl points here). It records
 * every send, reply, update and created conversation, answers with ids shaped like the
 * real ones (shared/platform-samples/teams-connector-calls.json), and serves files.
 */
export class FakeBotConnector {
  readonly calls: ConnectorCall[] = [];
  readonly files = new Map<string, { bytes: Buffer; contentType: string; needsToken?: boolean }>();
  /** Calls refused as too large (HTTP 413), with their size in UTF-16 bytes. */
  readonly refused: { method: string; path: string; bytes: number }[] = [];
  /** Set to make the next calls fail with this status (then cleared). */
  failNext: { status: number; times: number } | undefined;
  /**
   * Set to require the bot's token on every call (as the real Bot Connector does): a call
   * whose Authorization header this refuses gets 401 and is kept in `unauthorized`.
   */
  checkToken: ((authorization: string | undefined) => boolean) | undefined;
  readonly unauthorized: { method: string; path: string; authorization?: string }[] = [];
  /** A fault window: every REST call answers 500, 429 with Retry-After, or hangs. */
  fault: { mode: '500' | '429' | 'hang'; retryAfter?: number } | undefined;
  /** Statuses (e.g. 403) for sends to a conversation id, or for creating a chat with a user id. */
  readonly refuseFor = new Map<string, number>();
  faulted = 0;
  private readonly hung = new Set<express.Response>();
  private port = 0;
  url = '';
  private server: Server | undefined;
  /** The Bot Framework's token signing key, as the fake publishes it (OpenID metadata at /openid). */
  private readonly signingKey: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  private counter = 1_763_900_000_000;

  /** Starts on a free port, or on the same port again after stop() (a window of refused connections). */
  async start(port = this.port): Promise<string> {
    const app = express();
    app.use(express.json({ limit: '5mb' }));
    app.use((req, res, next) => {
      const bots = req.method !== 'GET' || (req.path.startsWith('/files/') && this.files.get(req.path.slice('/files/'.length))?.needsToken);
      if (this.checkToken && bots && !this.checkToken(req.headers.authorization)) {
        this.unauthorized.push({ method: req.method, path: req.path, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
        res.status(401).json({ error: { code: 'Unauthorized', message: 'Authorization has been denied for this request.' } });
        return;
      }
      if (this.fault && req.method !== 'GET') {
        this.faulted += 1;
        if (this.fault.mode === 'hang') return void this.hung.add(res);
        if (this.fault.mode === '429') return void res.status(429).set('retry-after', String(this.fault.retryAfter ?? 1)).json({ error: { code: 'Throttled' } });
        return void res.status(500).json({ error: { code: 'ServiceError', message: 'fake failure' } });
      }
      const target = /^\/v3\/conversations\/([^/]+)/.exec(req.path)?.[1] ?? (req.body as { members?: { id: string }[] } | undefined)?.members?.[0]?.id;
      const refused = target ? this.refuseFor.get(decodeURIComponent(target)) : undefined;
      if (refused && req.method !== 'GET') return void res.status(refused).json({ error: { code: 'Forbidden', message: 'fake refusal' } });
      if (this.failNext && req.method !== 'GET') {
        const { status } = this.failNext;
        this.failNext.times -= 1;
        if (this.failNext.times <= 0) this.failNext = undefined;
        res.status(status).json({ error: { code: 'ServiceError', message: 'fake failure' } });
        return;
      }
      next();
    });
    // Teams refuses a message over 100 KB, counted as UTF-16 (HTTP 413, RequestEntityTooLarge).
    app.use((req, res, next) => {
      if ((req.method === 'POST' || req.method === 'PUT') && JSON.stringify(req.body ?? {}).length * 2 > teamsRefusedBytes) {
        this.refused.push({ method: req.method, path: req.path, bytes: JSON.stringify(req.body).length * 2 });
        res.status(413).json({ error: { code: 'RequestEntityTooLarge', message: 'The request entity is too large' } });
        return;
      }
      next();
    });
    const record = (req: express.Request, extra: Partial<ConnectorCall> = {}): void => {
      this.calls.push({
        method: req.method,
        path: req.path,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body: (req.body ?? {}) as Record<string, unknown>,
        ...extra,
      });
    };
    app.post('/v3/conversations', (req, res) => {
      record(req);
      const body = req.body as { isGroup?: boolean; members?: { id: string }[]; channelData?: { channel?: { id: string } } };
      const channel = body.channelData?.channel?.id;
      if (body.isGroup && channel) {
        const activityId = this.nextId();
        const last = this.calls[this.calls.length - 1];
        if (last) last.responseId = activityId;
        res.json({ id: `${channel};messageid=${activityId}`, activityId });
      } else {
        res.json({ id: `a:chat-with-${body.members?.[0]?.id ?? 'nobody'}` });
      }
    });
    app.post('/v3/conversations/:conversationId/activities', (req, res) => {
      const id = this.nextId();
      record(req, { conversationId: req.params.conversationId, responseId: id });
      res.json({ id });
    });
    app.post('/v3/conversations/:conversationId/activities/:activityId', (req, res) => {
      const id = this.nextId();
      record(req, { conversationId: req.params.conversationId, activityId: req.params.activityId, responseId: id });
      res.json({ id });
    });
    app.put('/v3/conversations/:conversationId/activities/:activityId', (req, res) => {
      record(req, { conversationId: req.params.conversationId, activityId: req.params.activityId });
      res.json({ id: req.params.activityId });
    });
    app.get('/openid', (_req, res) => {
      res.json({ issuer: 'https://api.botframework.com', jwks_uri: `${this.url}keys`, id_token_signing_alg_values_supported: ['RS256'] });
    });
    app.get('/keys', (_req, res) => {
      const jwk = createPublicKey(this.signingKey).export({ format: 'jwk' });
      res.json({ keys: [{ ...jwk, kid: 'fake-bf-key', use: 'sig', endorsements: ['msteams'] }] });
    });
    app.get('/files/:name', (req, res) => {
      record(req);
      const file = this.files.get(req.params.name);
      if (!file) return void res.status(404).end();
      if (file.needsToken && !req.headers.authorization) return void res.status(401).end();
      res.type(file.contentType).send(file.bytes);
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

  /**
   * A Bot Framework channel token as Teams would send it (RS256, issuer
   * https://api.botframework.com, audience the bot's app id, serviceurl claim), signed
   * with the fake's key, or with another key to forge one.
   */
  token(claims: Record<string, unknown>, opts: { forged?: boolean } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const body = `${enc({ alg: 'RS256', typ: 'JWT', kid: 'fake-bf-key' })}.${enc({ iss: 'https://api.botframework.com', nbf: now - 60, exp: now + 3600, ...claims })}`;
    const key = opts.forged ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : this.signingKey;
    return `${body}.${sign('RSA-SHA256', Buffer.from(body), key).toString('base64url')}`;
  }

  private nextId(): string {
    this.counter += 1;
    return String(this.counter);
  }

  /** Messages sent (new or replies), optionally to one conversation. */
  sent(conversationId?: string): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'POST' && c.conversationId !== undefined && (!conversationId || c.conversationId === conversationId));
  }

  downloads(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'GET');
  }

  /** Every Adaptive Card the bot sent or updated, in order. */
  cards(): Record<string, unknown>[] {
    return this.calls.flatMap((c) => {
      const activity = (c.path === '/v3/conversations' ? c.body.activity : c.body) as Record<string, unknown> | undefined;
      const card = cardOf(activity);
      return card ? [card] : [];
    });
  }

  updates(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'PUT');
  }

  created(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations');
  }

  clear(): void {
    this.calls.length = 0;
  }
}
