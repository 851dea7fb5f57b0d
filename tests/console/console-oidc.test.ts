import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser } from '../support/sandbox-harness.js';
import { axeViolations, consoleHarness, freePort, localProvider, seedReports, type ConsoleHarness } from './console-support.js';

// A browser, a bot and several page loads per test: generous on a machine shared with other test runs.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

// Sign-in by OpenID Connect against a real provider (oidc-provider) on loopback: the
// authorization code flow with PKCE, state and nonce, through the provider's own pages.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function withConsole(identity: 'entra' | 'slack', run: (h: ConsoleHarness, page: Page) => Promise<void>): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await localProvider({ redirectUri: `${base}/console/callback`, clientId: 'console-test', clientSecret: 'a-client-secret-for-the-test' });
  const h = await consoleHarness(
    {
      CONSOLE_OIDC_ISSUER: provider.issuer,
      CONSOLE_OIDC_CLIENT_ID: 'console-test',
      CONSOLE_OIDC_CLIENT_SECRET: 'a-client-secret-for-the-test',
      CONSOLE_OIDC_IDENTITY: identity,
      CONSOLE_PUBLIC_URL: base,
    },
    port,
  );
  const context = await browser.newContext();
  try {
    await run(h, await context.newPage());
  } finally {
    await context.close();
    await h.close();
    await provider.close();
  }
}

/** The provider's own pages: type the login (any name: the test provider's account is that id), then consent. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any');
  await page.locator('button[type="submit"]').click();
  const consent = page.locator('button[type="submit"]', { hasText: /continue/i });
  await consent.waitFor({ timeout: 10_000 });
  await consent.click();
}

describe('console sign-in by OpenID Connect', () => {
  it('Entra ID: the object id maps to the person in the school file (teams:), who sees their queue', async () => {
    await withConsole('entra', async (h, page) => {
      const cases = await seedReports(h.app);
      await page.goto(h.url);
      await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
      await page.waitForURL((u) => u.port !== new URL(h.url).port);
      await signInAtProvider(page, '29:1JoPatel');
      await page.waitForURL(h.url);
      expect(await page.locator('h1').textContent()).toBe('Open cases');
      expect(await page.locator('header').textContent()).toContain('Jo Patel');
      expect(await page.locator('tbody').textContent()).toContain(cases.pupil.reference);
      expect(await axeViolations(page)).toEqual([]);
    });
  });

  it('Slack: the Slack user id maps to the person; a member of staff gets the 403 page and no session', async () => {
    await withConsole('slack', async (h, page) => {
      await page.goto(`${h.url}sign-in`);
      await page.getByRole('link', { name: 'Sign in with Slack' }).click();
      await signInAtProvider(page, 'U0STAFF0001');
      await page.waitForURL(/\/console\/callback/);
      expect(await page.locator('h1').textContent()).toBe('You cannot use the case console');
      expect(await axeViolations(page)).toEqual([]);
      const res = await page.goto(h.url);
      expect(res?.url()).toBe(`${h.url}sign-in`);
    });
  });

  it('a callback without the sign-in it belongs to is refused with a clear 400', async () => {
    await withConsole('entra', async (h, page) => {
      const res = await page.goto(`${h.url}callback?code=stolen&state=guessed`);
      expect(res?.status()).toBe(400);
      expect(await page.locator('h1').textContent()).toBe('Sign-in did not complete');
      const cancelled = await page.goto(`${h.url}callback?error=access_denied`);
      expect(cancelled?.status()).toBe(400);
    });
  });
});
