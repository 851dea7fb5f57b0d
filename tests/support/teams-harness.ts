import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildApp, startApp, type App } from '../../src/app/build-app.js';
import { createLogger } from '../../src/logger.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { FakeBotConnector } from './fake-bot-connector.js';
import { FakeEntra } from './fake-entra.js';
import { postTo } from './http.js';
import { FakeClock } from './fake-clock.js';
import { demoSchool, monday10, tempDir, testEnv } from './harness.js';

type Json = Record<string, unknown>;

/** A platform sample from tests/fixtures/platform-samples (copied from shared/platform-samples). */
export function sample(name: string): Json {
  return JSON.parse(readFileSync(path.join('tests/fixtures/platform-samples', name), 'utf8')) as Json;
}

const clone = <T>(v: T): T => structuredClone(v);

export const tenantId = '00000000-0000-4000-8000-000000000001';
/** The bot's Microsoft App ID in the authenticated tests. */
export const appId = '00000000-0000-4000-8000-0000000000b0';
export const botId = '28:00000000-0000-4000-8000-0000000000b0';
export const dslChannel = demoSchool.directory.channels.dsl.teams ?? '';

/** The demo school person's Teams id. */
export function teamsId(personId: string): string {
  const id = demoSchool.directory.get(personId)?.teams;
  if (!id) throw new Error(`${personId} has no Teams id`);
  return id;
}

export interface TeamsHarness {
  app: App;
  url: string;
  clock: FakeClock;
  connector: FakeBotConnector;
  /** POSTs an activity to /api/messages; resolves with the HTTP status and body. */
  post(activity: Json, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  /** Delivers the outbox now (waits for any delivery already running). */
  deliver(): Promise<{ sent: number; failed: number }>;
  personalChat(personId: string): string;
  message(personId: string, text: string, extra?: Json): Json;
  channelMessage(personId: string, text: string): Json;
  submit(personId: string, value: Json, replyToId?: string, conversationId?: string): Json;
  execute(personId: string, verb: string, data: Json, opts?: { conversationId?: string; replyToId?: string; id?: string }): Json;
  installPersonal(personId: string): Json;
  installTeam(channelId?: string): Json;
  /** Stops the bot and starts a new one on the same database, as after a crash or deploy. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

let activityCounter = 0;
const nextId = () => `1763${String(++activityCounter).padStart(9, '0')}`;

/**
 * The whole bot (buildApp + startApp, the real botbuilder CloudAdapter) on 127.0.0.1
 * with Teams on in the local unauthenticated mode, a real SQLite file, the demo school,
 * a fake clock, and a fake Bot Connector on loopback. Activities are built on the
 * platform samples, with this school's ids and the fake connector's serviceUrl.
 */
export async function teamsHarness(
  opts: { start?: string; env?: Record<string, string>; authenticated?: boolean; entra?: FakeEntra; log?: Logger } = {},
): Promise<TeamsHarness> {
  const dir = tempDir('sgbot-teams-');
  const clock = new FakeClock(opts.start ?? monday10);
  const connector = new FakeBotConnector();
  const serviceUrl = await connector.start();
  const config = loadConfig({
    ...testEnv(dir),
    TEAMS_ALLOW_UNAUTHENTICATED: 'true',
    SANDBOX: 'false',
    ...(opts.authenticated ? { TEAMS_ALLOW_UNAUTHENTICATED: 'false', MICROSOFT_APP_ID: appId, MICROSOFT_APP_PASSWORD: 'fake-client-secret' } : {}),
    ...opts.env,
  });
  // Authenticated: the Bot Framework's OpenID metadata is the fake connector's; with a fake
  // Entra, the bot's outgoing token comes from it and the connector requires it on every call.
  const entra = opts.entra;
  if (entra) connector.checkToken = (authorization) => entra.accepts(authorization);
  const authOverrides = opts.authenticated
    ? {
        ToBotFromChannelOpenIdMetadataUrl: `${serviceUrl}openid`,
        ...(entra ? { EntraAuthority: entra.authority(config.teams?.tenantId ?? 'botframework.com'), EntraCaCertificate: FakeEntra.certificate } : {}),
      }
    : undefined;
  const log = opts.log ?? createLogger('silent');
  const boot = async () => {
    const app = buildApp(config, log, { clock: clock.now, ...(authOverrides ? { teamsAuthOverrides: authOverrides } : {}) });
    const running = await startApp(app, log);
    return { app, running, url: `${running.url}api/messages` };
  };
  let { app, running, url } = await boot();

  const envelope = (personId: string, conversation: Json): Json => {
    const base = clone(sample('teams-message-personal.json').payload as Json);
    return {
      ...base,
      id: nextId(),
      serviceUrl,
      timestamp: clock.now().toISOString(),
      from: { id: teamsId(personId), name: demoSchool.directory.displayName(personId) },
      recipient: { id: botId, name: 'Safeguarding' },
      conversation,
    };
  };
  const personal = (personId: string) => ({ conversationType: 'personal', tenantId, id: `a:chat-with-${teamsId(personId)}` });
  const channelConversation = (conversationId: string) => ({ isGroup: true, conversationType: 'channel', tenantId, id: conversationId });

  const h: TeamsHarness = {
    app,
    url,
    clock,
    connector,
    post: (activity, headers = {}) => postTo(h.url, JSON.stringify(activity), { 'content-type': 'application/json', ...headers }),
    deliver: () => h.app.dispatcher.deliverDue(),
    personalChat: (personId) => `a:chat-with-${teamsId(personId)}`,
    message(personId, text, extra = {}) {
      return { ...envelope(personId, personal(personId)), text, attachments: [{ contentType: 'text/html', content: `<p>${text}</p>` }], ...extra };
    },
    channelMessage(personId, text) {
      const s = clone(sample('teams-message-channel-mention.json').payload as Json);
      const rootId = nextId();
      return {
        ...envelope(personId, channelConversation(`${dslChannel};messageid=${rootId}`)),
        text: `<at>Safeguarding</at> ${text}`,
        entities: [{ type: 'mention', mentioned: { id: botId, name: 'Safeguarding' }, text: '<at>Safeguarding</at>' }],
        channelData: { ...(s.channelData as Json), channel: { id: dslChannel }, team: { id: '19:team-general@thread.tacv2' }, tenant: { id: tenantId } },
      };
    },
    submit(personId, value, replyToId, conversationId) {
      const s = clone(sample('teams-action-submit.json').payload as Json);
      const conversation = conversationId?.startsWith('19:') ? channelConversation(conversationId) : personal(personId);
      return {
        ...envelope(personId, conversationId && !conversationId.startsWith('19:') ? { ...personal(personId), id: conversationId } : conversation),
        channelData: conversationId?.startsWith('19:') ? s.channelData : { tenant: { id: tenantId } },
        text: undefined,
        attachments: undefined,
        value,
        ...(replyToId ? { replyToId } : {}),
      };
    },
    execute(personId, verb, data, o = {}) {
      const s = clone(sample('teams-invoke-adaptive-card-action.json').payload as Json);
      const conversation = o.conversationId?.startsWith('19:') ? channelConversation(o.conversationId) : personal(personId);
      return {
        ...envelope(personId, conversation),
        type: 'invoke',
        name: s.name,
        id: o.id ?? `f:${nextId()}`,
        text: undefined,
        attachments: undefined,
        channelData: o.conversationId?.startsWith('19:') ? { channel: { id: dslChannel }, tenant: { id: tenantId } } : s.channelData,
        ...(o.replyToId ? { replyToId: o.replyToId } : {}),
        value: { action: { type: 'Action.Execute', id: '', verb, data }, trigger: 'manual' },
      };
    },
    installPersonal(personId) {
      const s = clone((sample('teams-installation-update.json').personal_install ?? {}) as Json);
      return { ...s, id: `f:${nextId()}`, serviceUrl, from: { id: teamsId(personId) }, recipient: { id: botId, name: 'Safeguarding' }, conversation: personal(personId) };
    },
    installTeam(channelId = dslChannel) {
      const s = clone((sample('teams-installation-update.json').team_install ?? {}) as Json);
      return {
        ...s,
        id: `f:${nextId()}`,
        serviceUrl,
        from: { id: teamsId('jo-patel') },
        recipient: { id: botId, name: 'Safeguarding' },
        conversation: { ...channelConversation(channelId), name: 'DSL' },
        channelData: { ...(s.channelData as Json), settings: { selectedChannel: { id: channelId } }, channel: { id: channelId }, team: { id: '19:team-general@thread.tacv2', name: 'Safeguarding leads' }, tenant: { id: tenantId } },
      };
    },
    async restart() {
      await running.stop();
      ({ app, running, url } = await boot());
      h.app = app;
      h.url = url;
    },
    async close() {
      await running.stop();
      await connector.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
