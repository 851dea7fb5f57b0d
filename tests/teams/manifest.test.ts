import { readFileSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { teamsManifestDir } from '../../src/cli/teams-package.js';
import { tempDir } from '../support/harness.js';
import { teamsHarness } from '../support/teams-harness.js';

type Manifest = {
  manifestVersion: string;
  version: string;
  id: string;
  developer: Record<string, string>;
  name: { short: string; full: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  accentColor: string;
  bots: { botId: string; scopes: string[]; supportsFiles: boolean; commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[] }[];
  composeExtensions?: { botId: string; commands: { id: string; type: string; title: string; description: string; context?: string[]; fetchTask?: boolean }[] }[];
  validDomains: string[];
};

const template = JSON.parse(readFileSync(path.join(teamsManifestDir, 'manifest.json'), 'utf8')) as Manifest;
const appId = '11111111-2222-4333-8444-555555555555';

/** The checks the Teams manifest schema (v1.22) makes on the fields this app uses. */
function manifestProblems(m: Manifest): string[] {
  const p: string[] = [];
  const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  for (const key of ['manifestVersion', 'version', 'id', 'developer', 'name', 'description', 'icons', 'accentColor'] as const)
    if (m[key] === undefined) p.push(`${key} is required`);
  if (m.manifestVersion !== '1.22') p.push('manifestVersion should be the current 1.22');
  if (!/^\d+\.\d+\.\d+$/.test(m.version)) p.push('version must be semver');
  if (!guid.test(m.id)) p.push('id must be a GUID');
  for (const key of ['name', 'websiteUrl', 'privacyUrl', 'termsOfUseUrl']) if (!m.developer[key]) p.push(`developer.${key} is required`);
  for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl']) if (!String(m.developer[key]).startsWith('https://')) p.push(`developer.${key} must be https`);
  if ((m.developer.name ?? '').length > 32) p.push('developer.name too long');
  if (m.name.short.length > 30 || m.name.full.length > 100) p.push('name too long');
  if (m.description.short.length > 80 || m.description.full.length > 4000) p.push('description too long');
  if (!/^#[0-9a-f]{6}$/i.test(m.accentColor)) p.push('accentColor must be #rrggbb');
  if (m.bots.length !== 1) p.push('one bot');
  const scopes = ['team', 'personal', 'groupChat', 'copilot'];
  for (const bot of m.bots) {
    if (!guid.test(bot.botId)) p.push('botId must be a GUID');
    if (bot.scopes.length > 3 || bot.scopes.some((s) => !scopes.includes(s))) p.push('bot scopes: at most 3 of team, personal, groupChat, copilot');
    if (bot.commandLists.length > 3) p.push('at most 3 command lists');
    for (const list of bot.commandLists) {
      if (list.commands.length > 10) p.push('at most 10 commands');
      for (const c of list.commands) if (c.title.length > 32 || c.description.length > 128) p.push(`command ${c.title} too long`);
      for (const s of list.scopes) if (!bot.scopes.includes(s)) p.push(`command scope ${s} is not a bot scope`);
    }
  }
  const extensionKeys = ['id', 'botId', 'composeExtensionType', 'authorization', 'apiSpecificationFile', 'canUpdateConfiguration', 'commands', 'messageHandlers', 'requirementSet'];
  for (const ext of m.composeExtensions ?? []) {
    if (!guid.test(ext.botId)) p.push('composeExtensions botId must be a GUID');
    // No "scopes" of its own (the schema allows no other property): a bot-based message extension is where its bot is.
    for (const key of Object.keys(ext)) if (!extensionKeys.includes(key)) p.push(`composeExtensions has no property ${key}`);
    if (ext.commands.length > 10) p.push('at most 10 message extension commands');
    for (const c of ext.commands) {
      if (!/^.{1,64}$/.test(c.id) || c.title.length > 32 || c.description.length > 128) p.push(`message extension command ${c.id} has a field too long`);
      if (!['query', 'action'].includes(c.type)) p.push(`message extension command ${c.id} has an unknown type`);
      for (const ctx of c.context ?? []) if (!['compose', 'commandBox', 'message'].includes(ctx)) p.push(`message extension command ${c.id} has an unknown context ${ctx}`);
    }
  }
  return p;
}

function png(bytes: Buffer): PNG {
  return PNG.sync.read(bytes);
}

describe('Teams app manifest and package', () => {
  it('the manifest template has every required field, the bot in personal, team and group chat scope, files, and the report command', () => {
    expect(manifestProblems(template)).toEqual([]);
    const bot = template.bots[0];
    // groupChat: so the app can be added to a group chat and "Report to safeguarding" is offered on its messages.
    expect(bot?.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(bot?.supportsFiles).toBe(true);
    // "Report to safeguarding" on a message: an action command in the message's menu, with a dialog (issue 13).
    const command = template.composeExtensions?.[0]?.commands.find((c) => c.id === 'reportMessage');
    expect(command).toMatchObject({ type: 'action', context: ['message'], fetchTask: true, title: 'Report to safeguarding' });
    for (const scope of ['personal', 'team', 'groupChat']) {
      const list = bot?.commandLists.find((l) => l.scopes.includes(scope));
      expect(list?.commands.map((c) => c.title)).toContain('report');
    }
  });

  it('color.png is 192×192 and outline.png is 32×32, transparent with white lines', () => {
    const color = png(readFileSync(path.join(teamsManifestDir, template.icons.color)));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = png(readFileSync(path.join(teamsManifestDir, template.icons.outline)));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let transparent = 0;
    let drawn = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) transparent += 1;
      else {
        drawn += 1;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(transparent).toBeGreaterThan(drawn);
    expect(drawn).toBeGreaterThan(20);
  });

  it('npm run package:teams builds the zip with this school\'s bot id and domain', async () => {
    const out = path.join(tempDir(), 'app.zip');
    const lines: string[] = [];
    const code = await runCli(['teams', 'package', '--app-id', appId, '--domain', 'bot.ourschool.sch.uk', '--out', out], (s) => lines.push(s));
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain(`OK: ${out}`);
    const zip = new AdmZip(out);
    expect(zip.getEntries().map((e) => e.entryName).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(zip.readAsText('manifest.json')) as Manifest;
    expect(manifestProblems(manifest)).toEqual([]);
    expect(manifest.id).toBe(appId);
    expect(manifest.bots[0]?.botId).toBe(appId);
    expect(manifest.composeExtensions?.[0]?.botId).toBe(appId);
    expect(manifest.bots[0]?.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(manifest.validDomains).toEqual(['bot.ourschool.sch.uk']);
    expect(manifest.developer.privacyUrl).toBe('https://bot.ourschool.sch.uk/privacy');
    expect(png(zip.readFile('color.png') as Buffer).width).toBe(192);
  });

  it('the pages the package links to are served by the bot', async () => {
    const h = await teamsHarness();
    try {
      const base = h.url.replace('api/messages', '');
      for (const page of ['', 'privacy', 'terms']) {
        const res = await fetch(`${base}${page}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/html');
      }
      expect(await (await fetch(`${base}privacy`)).text()).toContain('never sent it');
    } finally {
      await h.close();
    }
  });

  it('refuses a package with a wrong app id or domain, saying which', async () => {
    const errors: string[] = [];
    const err = (s: string) => errors.push(s);
    expect(await runCli(['teams', 'package', '--app-id', 'not-a-guid', '--domain', 'bot.ourschool.sch.uk', '--out', path.join(tempDir(), 'a.zip')], () => {}, err)).toBe(1);
    expect(await runCli(['teams', 'package', '--app-id', appId, '--domain', 'https://bot.ourschool.sch.uk/', '--out', path.join(tempDir(), 'b.zip')], () => {}, err)).toBe(1);
    expect(errors).toEqual(['appId: must be a GUID (the Microsoft App ID)', 'domain: must be a host name, like bot.ourschool.sch.uk (no https://, no path)']);
  });
});
