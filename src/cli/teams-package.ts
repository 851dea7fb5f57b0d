import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';
import { z } from 'zod';

/** manifests/teams: the manifest template and the two icons. */
export const teamsManifestDir = fileURLToPath(new URL('../../manifests/teams/', import.meta.url));

const guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID (the Microsoft App ID)');
const host = z.string().regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a host name, like bot.ourschool.sch.uk (no https://, no path)');
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// address' });

export const teamsPackageOptionsSchema = z.object({
  appId: guid,
  domain: host,
  /** The app's own id in Teams; by default the bot's app id. */
  manifestId: guid.optional(),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version like 1.0.0').optional(),
  websiteUrl: httpsUrl.optional(),
  privacyUrl: httpsUrl.optional(),
  termsUrl: httpsUrl.optional(),
  out: z.string().min(1).default('build/teams/safeguarding-bot-teams.zip'),
});
export type TeamsPackageOptions = z.input<typeof teamsPackageOptionsSchema>;

/**
 * Builds the zip a school's Teams admin uploads: manifest.json (the template with this
 * school's bot id and domain) with color.png and outline.png, all at the top of the zip.
 */
export function buildTeamsPackage(input: TeamsPackageOptions): { file: string; manifest: Record<string, unknown> } {
  const opts = teamsPackageOptionsSchema.parse(input);
  const template = JSON.parse(readFileSync(path.join(teamsManifestDir, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
    developer: Record<string, unknown>;
    bots: Record<string, unknown>[];
    composeExtensions?: Record<string, unknown>[];
  };
  const base = `https://${opts.domain}`;
  const manifest = {
    ...template,
    id: opts.manifestId ?? opts.appId,
    ...(opts.version ? { version: opts.version } : {}),
    developer: {
      ...template.developer,
      websiteUrl: opts.websiteUrl ?? `${base}/`,
      privacyUrl: opts.privacyUrl ?? `${base}/privacy`,
      termsOfUseUrl: opts.termsUrl ?? `${base}/terms`,
    },
    bots: template.bots.map((b) => ({ ...b, botId: opts.appId })),
    // "Report to safeguarding" on a message is answered by the same bot.
    ...(template.composeExtensions ? { composeExtensions: template.composeExtensions.map((e) => ({ ...e, botId: opts.appId })) } : {}),
    validDomains: [opts.domain],
  };
  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  for (const icon of ['color.png', 'outline.png']) zip.addFile(icon, readFileSync(path.join(teamsManifestDir, icon)));
  mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  writeFileSync(opts.out, zip.toBuffer());
  return { file: opts.out, manifest };
}
