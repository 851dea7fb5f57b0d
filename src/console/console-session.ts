import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies, serialize } from 'cookie';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Clock } from '../core/working-time.js';
import type { Keyring } from '../store/keyring.js';

/**
 * The console's sessions: an encrypted and authenticated cookie (JWE, A256GCM, under a key
 * derived from the bot's key file), http-only, SameSite=Lax, Secure when the console is
 * served over https. It holds the person's directory id, a session id, when it began and
 * when it was last used: idle longer than the timeout, or older than 8 hours, it is refused.
 * CSRF: each form carries a token bound to the session id (an HMAC under its own key).
 */
/** jose loads with the console's first sign-in or session, not at start (a chat-only bot never needs it). */
const jose = () => import('jose');

export const sessionCookie = 'sg_console';
/** The OpenID Connect round trip (state, nonce, PKCE verifier), 10 minutes. */
export const loginCookie = 'sg_console_login';
const maxSessionMs = 8 * 60 * 60 * 1000;
const loginMs = 10 * 60 * 1000;

const sessionSchema = z.object({ p: z.string().min(1), sid: z.string().min(16), start: z.number(), seen: z.number() });
export type Session = z.infer<typeof sessionSchema>;

/** `pre` guards the sandbox's person picker; state, nonce and verifier are the OpenID Connect round trip's. */
const loginSchema = z.object({ pre: z.string().min(16), state: z.string().min(1).optional(), nonce: z.string().min(1).optional(), verifier: z.string().min(1).optional() });
export type LoginState = z.infer<typeof loginSchema>;

export type SessionRead = { session: Session } | { expired: true } | { none: true };

export class ConsoleSessions {
  private readonly sessionKey: Uint8Array;
  private readonly csrfKey: Buffer;

  constructor(
    keys: Keyring,
    private readonly clock: Clock,
    private readonly opts: { idleMinutes: number; secure: boolean },
  ) {
    const secret = keys.encryptionKey(keys.currentId);
    if (!secret) throw new Error('the key file has no current key');
    const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.from('safeguarding-bot console'), Buffer.from(purpose), 32));
    this.sessionKey = new Uint8Array(derive('session jwe a256gcm'));
    this.csrfKey = derive('csrf hmac-sha256');
  }

  get idleMinutes(): number {
    return this.opts.idleMinutes;
  }

  /** A new session for this person (after sign-in): the cookie is set on the response. */
  async start(res: Response, personId: string): Promise<Session> {
    const now = this.clock().getTime();
    const session: Session = { p: personId, sid: randomBytes(18).toString('base64url'), start: now, seen: now };
    await this.write(res, session);
    return session;
  }

  /** The session of this request, refreshed (its idle time starts again); `expired` when idle too long or too old. */
  async read(req: Request, res: Response): Promise<SessionRead> {
    const token = cookies(req)[sessionCookie];
    if (!token) return { none: true };
    const payload = await this.decrypt(token);
    const parsed = sessionSchema.safeParse(payload);
    if (!parsed.success) {
      this.end(res);
      return { none: true };
    }
    const now = this.clock().getTime();
    const s = parsed.data;
    if (now - s.seen > this.opts.idleMinutes * 60_000 || now - s.start > maxSessionMs || now < s.start - 60_000) {
      this.end(res);
      return { expired: true };
    }
    const session = { ...s, seen: now };
    await this.write(res, session);
    return { session };
  }

  end(res: Response): void {
    res.append('Set-Cookie', this.cookie(sessionCookie, '', 0));
  }

  /** The CSRF token for this session's forms. */
  csrfToken(session: Pick<Session, 'sid'>): string {
    return createHmac('sha256', this.csrfKey).update(`session:${session.sid}`).digest('base64url');
  }

  csrfValid(session: Pick<Session, 'sid'>, token: unknown): boolean {
    return sameText(this.csrfToken(session), token);
  }

  /** Before sign-in (the sandbox's person picker): a token kept in the login cookie, and its form field. */
  preToken(pre: string): string {
    return createHmac('sha256', this.csrfKey).update(`pre:${pre}`).digest('base64url');
  }

  async startLogin(res: Response, login: Omit<LoginState, 'pre'> = {}): Promise<LoginState> {
    const full: LoginState = { ...login, pre: randomBytes(18).toString('base64url') };
    const { EncryptJWT } = await jose();
    const jwe = await new EncryptJWT({ ...full })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(Math.floor(this.clock().getTime() / 1000))
      .setExpirationTime(Math.floor((this.clock().getTime() + loginMs) / 1000))
      .encrypt(this.sessionKey);
    res.append('Set-Cookie', this.cookie(loginCookie, jwe, loginMs / 1000));
    return full;
  }

  async readLogin(req: Request): Promise<LoginState | undefined> {
    const token = cookies(req)[loginCookie];
    if (!token) return undefined;
    const parsed = loginSchema.safeParse(await this.decrypt(token));
    return parsed.success ? parsed.data : undefined;
  }

  endLogin(res: Response): void {
    res.append('Set-Cookie', this.cookie(loginCookie, '', 0));
  }

  private async write(res: Response, session: Session): Promise<void> {
    const { EncryptJWT } = await jose();
    const jwe = await new EncryptJWT({ ...session })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(Math.floor(session.start / 1000))
      .setExpirationTime(Math.floor((session.start + maxSessionMs) / 1000))
      .encrypt(this.sessionKey);
    // Replaces any Set-Cookie for the session written earlier in this response.
    const others = ([] as string[]).concat((res.getHeader('Set-Cookie') as string[] | string | undefined) ?? []).filter((c) => !c.startsWith(`${sessionCookie}=`));
    res.setHeader('Set-Cookie', [...others, this.cookie(sessionCookie, jwe, maxSessionMs / 1000)]);
  }

  private async decrypt(token: string): Promise<unknown> {
    const { jwtDecrypt } = await jose();
    try {
      const { payload } = await jwtDecrypt(token, this.sessionKey, { currentDate: this.clock() });
      return payload;
    } catch {
      return undefined;
    }
  }

  private cookie(name: string, value: string, maxAgeSeconds: number): string {
    return serialize(name, value, { httpOnly: true, sameSite: 'lax', secure: this.opts.secure, path: '/console', maxAge: maxAgeSeconds });
  }
}

function cookies(req: Request): Record<string, string | undefined> {
  return parseCookies(req.headers.cookie ?? '');
}

function sameText(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
