import type { Express } from 'express';

/**
 * The pages the Teams app package links to (developer.websiteUrl, privacyUrl,
 * termsOfUseUrl): short and plain, about this installation. The school can point the
 * package at its own pages instead (npm run package:teams -- --privacy <url>).
 */
const page = (title: string, paragraphs: string[]) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</main></body></html>`;

const pages: Record<string, string> = {
  '/': page('safeguarding-bot', [
    'This is the school\'s safeguarding bot. Staff use it in Microsoft Teams or Slack to report online-safety concerns to the Designated Safeguarding Lead.',
    'For help, speak to the DSL or the school IT administrator.',
  ]),
  '/privacy': page('Privacy', [
    'The bot runs on a server the school controls. Reports, evidence files and the audit log are kept in that server\'s database and evidence folder, and nowhere else.',
    'A report is seen only by the people the school\'s escalation rules send it to. The person a report is about is never sent it. Messages in shared channels show only a reference, the kind of concern and the time.',
    'Messages are delivered through Microsoft Teams or Slack, as the school uses them. Logs carry report ids, never report text or names.',
    'The school is the data controller. Ask the DSL or the school\'s data protection officer about your data.',
  ]),
  '/terms': page('Terms of use', [
    'Use this bot to report safeguarding concerns in line with the school\'s safeguarding and online-safety policies. It does not replace telling the DSL in person when a child may be at risk: if a child is in immediate danger, call 999.',
  ]),
};

/** The pages; `home: false` leaves / to the sandbox. */
export function mountPublicPages(http: Express, opts: { home: boolean }): void {
  for (const [route, html] of Object.entries(pages))
    if (route !== '/' || opts.home) http.get(route, (_req, res) => void res.type('html').send(html));
}
