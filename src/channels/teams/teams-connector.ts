import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type TurnContext,
  type ConversationReference,
  type Request as BotRequest,
  type Response as BotResponse,
} from 'botbuilder';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { AuthenticationConstants, MsalServiceClientCredentialsFactory, type ConnectorClient } from 'botframework-connector';
import type { Activity, ConversationParameters } from 'botframework-schema';
import type { TeamsConfig } from '../../config.js';

/**
 * The Bot Framework side of Teams: the CloudAdapter that authenticates incoming
 * activities, and the REST calls to the Bot Connector (send, update, create
 * conversation, download a pasted image). Together with the rest of this folder, the
 * only code that imports botbuilder, so that it can be swapped for the Microsoft 365
 * Agents SDK without touching anything else.
 */
export type TurnLogic = (context: TurnContext) => Promise<void>;
export type { TurnContext, ConversationReference, Activity };

/**
 * Test-only overrides of the Bot Framework endpoints (OpenID metadata, token issuer,
 * login), and of the Entra token endpoint: `EntraAuthority` (an https URL ending in the
 * tenant, in place of https://login.microsoftonline.com/{tenant}) and `EntraCaCertificate`
 * (the PEM certificate its TLS is signed with).
 */
export type AuthOverrides = Record<string, string | boolean>;

/**
 * The bot's own credentials for its calls to the Bot Connector: the client-credentials
 * grant at Entra (MSAL), as botbuilder's password factory does it, with the tenant of a
 * single-tenant bot (else botframework.com). botbuilder caches the token (until five
 * minutes before it expires), sends it on every call, and fetches a new one after that;
 * a failed fetch fails that call, which the outbox retries.
 */
function credentialsFactory(config: TeamsConfig, overrides: AuthOverrides): MsalServiceClientCredentialsFactory | undefined {
  if (!config.appId || !config.appPassword) return undefined;
  const authority = typeof overrides.EntraAuthority === 'string' ? overrides.EntraAuthority : `https://login.microsoftonline.com/${config.tenantId ?? 'botframework.com'}`;
  const ca = typeof overrides.EntraCaCertificate === 'string' ? overrides.EntraCaCertificate : undefined;
  const client = new ConfidentialClientApplication({
    auth: {
      clientId: config.appId,
      clientSecret: config.appPassword,
      authority,
      // A test's authority on loopback is not one Microsoft knows: trust it without asking Microsoft.
      ...(typeof overrides.EntraAuthority === 'string' ? { knownAuthorities: [new URL(authority).host] } : {}),
    },
    ...(ca ? { system: { customAgentOptions: { ca } } } : {}),
  });
  // Sends that run at once share one token request: after expiry, one fetch, not one per message.
  const acquire = client.acquireTokenByClientCredential.bind(client);
  const inFlight = new Map<string, ReturnType<typeof acquire>>();
  client.acquireTokenByClientCredential = (request) => {
    const key = JSON.stringify([request.scopes, request.azureRegion ?? null]);
    const running = inFlight.get(key);
    if (running) return running;
    const started = acquire(request).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  };
  // The same class: botframework-connector's types name MSAL's CommonJS declarations, ours its ESM ones.
  return new MsalServiceClientCredentialsFactory(config.appId, client as unknown as ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1]);
}

const callSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` with its Bot Connector calls (and their retries) aborted when `signal` aborts: the outbox's deadline. */
export function withCallSignal<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  return signal ? callSignal.run(signal, fn) : fn();
}

export interface SentMessage {
  conversationId: string;
  activityId: string;
}

export class TeamsConnector {
  readonly adapter: CloudAdapter;
  private readonly auth: ConfigurationBotFrameworkAuthentication;
  /** The bot's app id ('' in the local unauthenticated mode). */
  readonly appId: string;

  constructor(config: TeamsConfig, overrides: AuthOverrides = {}) {
    this.appId = config.appId ?? '';
    // An override switches botbuilder to "all endpoints given": the public cloud's fill the rest.
    const { EntraAuthority: _authority, EntraCaCertificate: _ca, ...botOverrides } = overrides;
    const endpoints =
      Object.keys(botOverrides).length === 0
        ? {}
        : {
            ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
            ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
            ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
            OAuthUrl: AuthenticationConstants.OAuthUrl,
            ToBotFromChannelOpenIdMetadataUrl: AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
            ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
            CallerId: 'urn:botframework:azure',
            ValidateAuthority: true,
            ...botOverrides,
          };
    const auth = (this.auth = new ConfigurationBotFrameworkAuthentication(
      {
        MicrosoftAppId: this.appId,
        MicrosoftAppPassword: config.appPassword ?? '',
        MicrosoftAppTenantId: config.tenantId ?? '',
        MicrosoftAppType: config.tenantId ? 'SingleTenant' : 'MultiTenant',
        ...endpoints,
      },
      credentialsFactory(config, overrides),
    ));
    this.adapter = new CloudAdapter(auth);
  }

  /**
   * Checks the request's Bot Framework token. botbuilder answers some bad tokens (a bad
   * signature) with 500; checked here first, every failure is a 401.
   */
  async authenticates(activity: Partial<Activity>, authorization: string): Promise<boolean> {
    try {
      await this.auth.authenticateRequest(activity as Activity, authorization);
      return true;
    } catch {
      return false;
    }
  }

  /** Runs one incoming HTTP request through the adapter (JWT check, then the logic). */
  process(req: BotRequest, res: BotResponse, logic: TurnLogic): Promise<void> {
    return this.adapter.process(req, res, logic);
  }

  /** Every outgoing call's deadline: a hung Bot Connector call gives up (and the outbox retries it). */
  callTimeoutMs = 15_000;

  private callOptions(): { timeout: number; abortSignal?: AbortSignal } {
    const signal = callSignal.getStore();
    return { timeout: this.callTimeoutMs, ...(signal ? { abortSignal: signal } : {}) };
  }

  /**
   * Awaited before every outgoing call: the channel makes it wait until what the turn
   * stored is on disk (group commit), so nothing is said before it is safe.
   */
  beforeSend: (() => Promise<void>) | undefined;

  /** A connector client for a service URL, with the bot's credentials. */
  private async withClient<T>(serviceUrl: string, fn: (client: ConnectorClient) => Promise<T>): Promise<T> {
    await this.beforeSend?.();
    let result: { value: T } | undefined;
    const reference: Partial<ConversationReference> = { serviceUrl, channelId: 'msteams', conversation: { id: 'proactive' } as ConversationReference['conversation'] };
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      const client = context.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
      result = { value: await fn(client) };
    });
    if (!result) throw new Error('the Bot Connector call did not run');
    return result.value;
  }

  async send(serviceUrl: string, conversationId: string, activity: Partial<Activity>): Promise<SentMessage> {
    const res = await this.withClient(serviceUrl, (c) => c.conversations.sendToConversation(conversationId, activity as Activity, this.callOptions()));
    return { conversationId, activityId: res.id };
  }

  async update(serviceUrl: string, conversationId: string, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.withClient(serviceUrl, (c) =>
      c.conversations.updateActivity(conversationId, activityId, { ...activity, id: activityId, conversation: { id: conversationId } } as Activity, this.callOptions()),
    );
  }

  /** Starts a 1:1 chat with a user (who has the app installed); returns its conversation id. */
  async createPersonal(serviceUrl: string, params: { botId: string; userId: string; tenantId?: string }): Promise<string> {
    const body: ConversationParameters = {
      isGroup: false,
      bot: { id: params.botId, name: '' },
      members: [{ id: params.userId, name: '' }],
      ...(params.tenantId ? { tenantId: params.tenantId, channelData: { tenant: { id: params.tenantId } } } : {}),
    } as ConversationParameters;
    const res = await this.withClient(serviceUrl, (c) => c.conversations.createConversation(body, this.callOptions()));
    return res.id;
  }

  /** Posts a new thread in a team channel; returns the thread's conversation id and the root message id. */
  async createChannelThread(
    serviceUrl: string,
    params: { botId: string; channelId: string; tenantId?: string; activity: Partial<Activity> },
  ): Promise<SentMessage> {
    const body = {
      isGroup: true,
      bot: { id: params.botId, name: '' },
      activity: params.activity,
      channelData: { channel: { id: params.channelId }, ...(params.tenantId ? { tenant: { id: params.tenantId } } : {}) },
      ...(params.tenantId ? { tenantId: params.tenantId } : {}),
    } as unknown as ConversationParameters;
    const res = await this.withClient(serviceUrl, (c) => c.conversations.createConversation(body, this.callOptions()));
    const activityId = res.activityId ?? /;messageid=(.+)$/.exec(res.id)?.[1];
    if (!activityId) throw new Error('the new channel thread came back without a message id');
    const conversationId = res.id.includes(';messageid=') ? res.id : `${params.channelId};messageid=${activityId}`;
    return { conversationId, activityId };
  }

  /**
   * The bot's access token for fetching a pasted image from the Bot Connector, or none
   * in the local unauthenticated mode. Only ever sent to the conversation's own service host.
   */
  botToken(serviceUrl: string): Promise<string | undefined> {
    return this.withClient(serviceUrl, async (c) => {
      const creds = (c as unknown as { credentials?: { appId?: string; getToken?: () => Promise<string> } }).credentials;
      return creds?.appId && creds.getToken ? creds.getToken() : undefined;
    });
  }
}
