import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

type Manifest = {
  display_information: { name: string; description: string };
  features: { app_home: { home_tab_enabled: boolean }; bot_user: { display_name: string }; slash_commands: { command: string; url: string; should_escape: boolean }[]; shortcuts?: { name: string; type: string; callback_id: string; description: string }[] };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string }; socket_mode_enabled: boolean };
};

describe('the Slack app manifest', () => {
  const m = parse(readFileSync('manifests/slack/manifest.yaml', 'utf8')) as Manifest;

  it('has /report, interactivity, App Home and the app_home_opened event, all at /slack/events', () => {
    expect(m.features.slash_commands.map((c) => c.command)).toEqual(['/report']);
    expect(m.features.slash_commands[0]?.url).toMatch(/^https:\/\/.+\/slack\/events$/);
    expect(m.settings.interactivity).toMatchObject({ is_enabled: true, request_url: expect.stringMatching(/\/slack\/events$/) });
    expect(m.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(m.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    expect(m.settings.socket_mode_enabled).toBe(false);
    expect(m.display_information.name.length).toBeLessThanOrEqual(35);
    expect(m.display_information.description.length).toBeLessThanOrEqual(140);
  });

  it('has the "Report to safeguarding" message shortcut (issue 13), within Slack\'s limits', () => {
    expect(m.features.shortcuts).toEqual([
      { name: 'Report to safeguarding', type: 'message', callback_id: 'report_message', description: expect.any(String) },
    ]);
    for (const s of m.features.shortcuts ?? []) {
      expect(s.name.length).toBeLessThanOrEqual(24);
      expect(s.description.length).toBeLessThanOrEqual(150);
      expect(s.callback_id).toMatch(/^[a-z_]{1,255}$/);
    }
  });

  it('asks for the least it needs: bot scopes only, one for each thing the bot does', () => {
    expect(m.oauth_config.scopes.user).toBeUndefined();
    expect([...m.oauth_config.scopes.bot].sort()).toEqual(['channels:read', 'chat:write', 'commands', 'files:read', 'groups:read', 'im:write']);
    // Every Web API method the Slack channel calls is covered by those scopes (views.* and auth.test need none).
    const source = readdirSync('src/channels/slack')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(`src/channels/slack/${f}`, 'utf8'))
      .join('\n');
    const methods = [...new Set([...source.matchAll(/client\.([a-z]+\.[a-zA-Z]+)\(/g)].map((x) => x[1]))].sort();
    expect(methods).toEqual(['auth.test', 'chat.postEphemeral', 'chat.postMessage', 'chat.update', 'conversations.info', 'conversations.open', 'views.open', 'views.publish', 'views.push']);
  });
});
