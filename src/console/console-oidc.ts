import type * as OpenId from 'openid-client';
import { z } from 'zod';
import { isLoopbackUrl, type ConsoleConfig } from '../config.js';
import type { ExternalIdentity } from '../core/school.js';

type OidcConfig = NonNullable<ConsoleConfig['oidc']>;

/** openid-client loads with the first sign-in, not at start. */
const openId = () => import('openid-client');

/**
 * Sign-in with the identities the school already has, by OpenID Connect (openid-client):
 * Microsoft Entra ID (the `oid` claim, the user's object id, matched to `teams:` in the
 * school file) or Sign in with Slack (`https://slack.com/user_id`, matched to `slack:`).
 * Authorization code flow with PKCE, state and nonce; the ID token is checked by the library.
 */
export class ConsoleOidc {
  private discovered: Promise<OpenId.Configuration> | undefined;

  constructor(
    private readonly config: OidcConfig,
    private readonly redirectUri: string,
  ) {}

  get label(): string {
    return this.config.identity === 'slack' ? 'Sign in with Slack' : 'Sign in with Microsoft';
  }

  /** The provider's metadata, fetched once (again after a failure). */
  private configuration(): Promise<OpenId.Configuration> {
    this.discovered ??= openId()
      .then((client) =>
        client.discovery(
          new URL(this.config.issuer),
          this.config.clientId,
          undefined,
          client.ClientSecretPost(this.config.clientSecret),
          // Plain http only for a provider on this machine's loopback (tests); config refuses it elsewhere.
          isLoopbackUrl(this.config.issuer) ? { execute: [client.allowInsecureRequests] } : undefined,
        ),
      )
      .catch((err: unknown) => {
        this.discovered = undefined;
        throw err;
      });
    return this.discovered;
  }

  /** Where to send the browser, and what to keep until it comes back. */
  async begin(): Promise<{ url: string; state: string; nonce: string; verifier: string }> {
    const cfg = await this.configuration();
    const client = await openId();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: this.redirectUri,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, verifier };
  }

  /** The identity the provider vouches for, from the callback's URL; throws when anything does not check out. */
  async finish(callbackUrl: URL, kept: { state: string; nonce: string; verifier: string }): Promise<ExternalIdentity> {
    const cfg = await this.configuration();
    const client = await openId();
    const tokens = await client.authorizationCodeGrant(cfg, callbackUrl, {
      pkceCodeVerifier: kept.verifier,
      expectedState: kept.state,
      expectedNonce: kept.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (this.config.identity === 'slack') {
      const id = z.string().min(1).safeParse(claims?.['https://slack.com/user_id']);
      if (!id.success) throw new Error('the ID token has no Slack user id');
      return { channel: 'slack', userId: id.data };
    }
    const oid = z.string().min(1).safeParse(claims?.oid);
    if (!oid.success) throw new Error('the ID token has no object id (oid)');
    return { channel: 'teams', userId: oid.data };
  }
}
