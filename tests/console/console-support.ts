import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { buildApp, startApp, type App } from '../../src/app/build-app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { FakeClock } from '../support/fake-clock.js';
import { example, monday10, tempDir, testEnv, tinyPng } from '../support/harness.js';
import { launchBrowser } from '../support/sandbox-harness.js';

/** A port free on loopback now (the console's redirect URI must be known before the bot starts). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface ConsoleHarness {
  app: App;
  /** The console's address, e.g. http://127.0.0.1:40123/console/ */
  url: string;
  base: string;
  clock: FakeClock;
  close(): Promise<void>;
}

/** The bot (with the sandbox, so the person picker is there) and the console; extra settings in `env`. */
export async function consoleHarness(env: Record<string, string> = {}, port?: number): Promise<ConsoleHarness> {
  const dir = tempDir('sgbot-console-');
  const clock = new FakeClock(monday10);
  const p = port ?? (await freePort());
  const config = loadConfig({ ...testEnv(dir), PORT: String(p), ...env });
  const log = createLogger('silent');
  const app = buildApp(config, log, { clock: clock.now });
  const running = await startApp(app, log);
  const base = `http://127.0.0.1:${p}`;
  return {
    app,
    base,
    url: `${base}/console/`,
    clock,
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The worked examples' reports, stored through the workflow (one with a screenshot). */
export async function seedReports(app: App): Promise<Record<'pupil' | 'headteacher' | 'bullying' | 'video', { reportId: string; reference: string }>> {
  const submit = async (n: number, evidence = false) => {
    const ex = example(n);
    const r = await app.workflow.submit({ reporterId: ex.reporter, form: ex.report, ...(evidence ? { evidence: [{ bytes: tinyPng, meta: { fileName: 'chat.png' } }] } : {}) });
    return { reportId: r.reportId, reference: r.reference };
  };
  return { pupil: await submit(1), headteacher: await submit(3), bullying: await submit(5, true), video: await submit(4) };
}

/** A real OpenID Connect provider (oidc-provider) on loopback, whose accounts carry Entra's `oid` and Slack's user id claims. */
export async function localProvider(opts: { redirectUri: string; clientId: string; clientSecret: string }): Promise<{ issuer: string; close(): Promise<void> }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: [opts.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], profile: ['oid', 'https://slack.com/user_id', 'name'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['test-cookie-key-for-the-local-provider'] },
    pkce: { required: () => true },
    jwks: { keys: [await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey).then((k) => ({ ...k, alg: 'RS256', use: 'sig' }))] },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    // The login name typed on the provider's own sign-in page is the account: its oid and Slack id.
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, oid: id, 'https://slack.com/user_id': id, name: 'A person' }) }),
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page (WCAG 2.x A and AA), as "rule: target" lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the browser's debugging protocol: the console's CSP (no script) stays on.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return result;
}

/** Signs in with the sandbox's person picker. */
export async function pickPerson(page: Page, url: string, personId: string): Promise<void> {
  await page.goto(url);
  await page.selectOption('#person', personId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
}

export interface ConsolePage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  h: ConsoleHarness;
  cases: Awaited<ReturnType<typeof seedReports>>;
}

/** One browser for the file; for each test a fresh bot with the seeded reports and a fresh browser context. */
export function useConsolePage(contextOptions: BrowserContextOptions = {}): ConsolePage {
  const t = {} as ConsolePage;
  beforeAll(async () => {
    t.browser = await launchBrowser();
  });
  afterAll(async () => {
    await t.browser?.close();
  });
  beforeEach(async () => {
    t.h = await consoleHarness();
    t.cases = await seedReports(t.h.app);
    t.context = await t.browser.newContext(contextOptions);
    t.page = await t.context.newPage();
  });
  afterEach(async () => {
    await t.context?.close();
    await t.h?.close();
  });
  return t;
}
