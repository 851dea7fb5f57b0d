import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import express from 'express';

/** One token request the bot made. */
export interface TokenRequest {
  tenant: string;
  grantType?: string;
  clientId?: string;
  scope?: string;
  /** Whether the client secret was the right one (the secret itself is not kept). */
  secretOk: boolean;
  /** The token issued, or the failure's status. */
  issued?: string;
  status: number;
}

/**
 * A fake Microsoft Entra token endpoint on loopback, over HTTPS as MSAL insists
 * (tests/fixtures/tls: a certificate for 127.0.0.1, for tests only). It serves a
 * tenant's OpenID configuration and the client-credentials grant
 * (`POST /{tenant}/oauth2/v2.0/token`), issues opaque tokens that the fake Bot Connector
 * checks, and can be made to fail.
 */
export class FakeEntra {
  static readonly certificate = readFileSync('tests/fixtures/tls/loopback-cert.pem', 'utf8');
  readonly requests: TokenRequest[] = [];
  /** Token → when it stops being valid (ms since the epoch). */
  private readonly tokens = new Map<string, number>();
  private readonly issuedAt: number[] = [];
  /** Seconds each token lasts (Entra's are about an hour). */
  expiresIn = 3600;
  /**
   * Set to make the next token requests fail with this status (then cleared); status 0
   * drops the connection (Entra unreachable). MSAL itself holds back for 60 seconds after
   * a 429 or 5xx answer (its throttling), so a test that retries sooner uses 0 or a 4xx.
   */
  failNext: { status: number; times: number } | undefined;
  url = '';
  private server: Server | undefined;

  constructor(
    readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  /** The authority the bot is given in place of https://login.microsoftonline.com/{tenant}. */
  authority(tenant: string): string {
    return `${this.url}${tenant}`;
  }

  async start(): Promise<string> {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.get('/:tenant/v2.0/.well-known/openid-configuration', (req, res) => {
      const base = `${this.url}${req.params.tenant}`;
      res.json({
        issuer: `${base}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
      });
    });
    app.post('/:tenant/oauth2/v2.0/token', (req, res) => {
      const body = req.body as Record<string, string | undefined>;
      const request: TokenRequest = {
        tenant: req.params.tenant,
        ...(body.grant_type ? { grantType: body.grant_type } : {}),
        ...(body.client_id ? { clientId: body.client_id } : {}),
        ...(body.scope ? { scope: body.scope } : {}),
        secretOk: body.client_secret === this.clientSecret,
        status: 200,
      };
      this.requests.push(request);
      if (this.failNext) {
        request.status = this.failNext.status;
        this.failNext.times -= 1;
        if (this.failNext.times <= 0) this.failNext = undefined;
        if (request.status === 0) return void req.socket.destroy();
        res.status(request.status).json({ error: 'temporarily_unavailable', error_description: 'AADSTS50000: fake failure' });
        return;
      }
      if (body.grant_type !== 'client_credentials' || body.client_id !== this.clientId || !request.secretOk) {
        request.status = 401;
        res.status(401).json({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        return;
      }
      const token = `fake-entra-${randomBytes(12).toString('hex')}`;
      this.tokens.set(token, Date.now() + this.expiresIn * 1000);
      this.issuedAt.push(Date.now());
      request.issued = token;
      res.json({ token_type: 'Bearer', expires_in: this.expiresIn, ext_expires_in: this.expiresIn, access_token: token });
    });
    const key = readFileSync('tests/fixtures/tls/loopback-key.pem', 'utf8');
    this.server = await new Promise<Server>((resolve) => {
      const s = createServer({ key, cert: FakeEntra.certificate }, app).listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = this.server.address();
    this.url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Whether an Authorization header carries a token this fake issued and that has not expired. */
  accepts(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const until = token ? this.tokens.get(token) : undefined;
    return until !== undefined && until > Date.now();
  }

  /**
   * Waits until the bot must see every token issued so far as expired: botbuilder keeps a
   * token until five minutes before its end, so one of `expiresIn` seconds is good for
   * `expiresIn - 300` seconds from when it was issued.
   */
  async waitUntilTokensExpire(): Promise<void> {
    const last = Math.max(0, ...this.issuedAt);
    const until = last + (this.expiresIn - 300) * 1000 + 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
  }

  /** The tokens issued, in order. */
  issued(): string[] {
    return this.requests.flatMap((r) => (r.issued ? [r.issued] : []));
  }
}
