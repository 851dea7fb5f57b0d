import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from 'vitest';
import { buildApp, startApp, type App } from '../../src/app/build-app.js';
import { createLogger } from '../../src/logger.js';
import { loadConfig } from '../../src/config.js';
import type { ReportKind } from '../../src/core/report-schemas.js';
import { kindLabels } from '../../src/core/report-schemas.js';
import { formFields, formValues } from '../../src/views/report-forms.js';
import { FakeClock } from './fake-clock.js';
import { demoSchool, monday10, tempDir, testEnv } from './harness.js';

/** Where the browser tests save their screenshots (the README's come from here). */
export const screenshotDir = 'test-results/screenshots';
/** The few the README shows, committed. */
export const docsScreenshotDir = 'docs/screenshots';

/**
 * Launches the browser found for this run (tests/support/browser.ts: CHROMIUM_PATH, the
 * machine's Chromium or Chrome, else the npm one), or fails the test saying why none could be had.
 */
export function launchBrowser(): Promise<Browser> {
  const found = inject('browser');
  if ('error' in found) throw new Error(`The browser tests need a browser: ${found.error}`);
  return chromium.launch({
    executablePath: found.executablePath,
    ...(found.env ? { env: { ...process.env, ...found.env } } : {}),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface SandboxHarness {
  app: App;
  url: string;
  clock: FakeClock;
  /** Stops the bot and starts it again on the same files. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The bot with the sandbox on, as `npm start` runs it with no credentials, on
 * 127.0.0.1 with a real SQLite file, the demo school, and a base clock fixed at Monday
 * 10:00 (the page's "skip ahead" moves the sandbox clock from there).
 */
export async function sandboxHarness(opts: { start?: string } = {}): Promise<SandboxHarness> {
  const dir = tempDir('sgbot-sandbox-');
  const clock = new FakeClock(opts.start ?? monday10);
  const config = loadConfig({
    ...testEnv(dir),
  });
  const log = createLogger('silent');
  const boot = async () => {
    const app = buildApp(config, log, { clock: clock.now });
    return { app, running: await startApp(app, log) };
  };
  let { app, running } = await boot();
  const h: SandboxHarness = {
    app,
    url: running.url,
    clock,
    async restart() {
      await running.stop();
      ({ app, running } = await boot());
      h.app = app;
      h.url = running.url;
    },
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** One person's view of the sandbox page. */
export class SandboxPage {
  constructor(readonly page: Page) {}

  get chat(): Locator {
    return this.page.locator('section[data-conversation="chat"]');
  }

  get dslChannel(): Locator {
    return this.page.locator('section[data-conversation="dsl"]');
  }

  async as(personId: string): Promise<void> {
    await this.page.selectOption('#person', personId);
    await expect.poll(() => this.chat.locator('.message').count()).toBeGreaterThan(0);
  }

  /** The last message (card or text) in a conversation that contains this text. */
  message(where: Locator, text: string | RegExp): Locator {
    return where.locator('.message').filter({ hasText: text }).last();
  }

  async see(where: Locator, text: string | RegExp): Promise<Locator> {
    const m = this.message(where, text);
    await m.waitFor({ state: 'visible', timeout: 10_000 });
    return m;
  }

  /** Report a concern → the kind → Next → the form filled in as a person would → Send. */
  async report(kind: ReportKind, report: Record<string, unknown>): Promise<string> {
    await this.chat.getByRole('button', { name: 'Report a concern' }).click();
    const kindCard = await this.see(this.chat, 'What is it about?');
    await kindCard.getByText(kindLabels[kind], { exact: true }).click();
    await kindCard.getByRole('button', { name: 'Next' }).click();
    const form = await this.see(this.chat, 'Send report');
    await fillForm(form, kind, report);
    await form.getByRole('button', { name: 'Send report' }).click();
    const sent = await this.see(this.chat, /Report sent: SG-\d{4}-\d{4}/);
    const reference = /SG-\d{4}-\d{4}/.exec((await sent.textContent()) ?? '')?.[0];
    if (!reference) throw new Error('no reference');
    return reference;
  }

  async skip(label: string): Promise<void> {
    const before = await this.page.locator('#clock').textContent();
    await this.page.getByRole('button', { name: label, exact: true }).click();
    await expect.poll(() => this.page.locator('#clock').textContent()).not.toBe(before);
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(screenshotDir, { recursive: true });
    await this.page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
  }

  /** A screenshot the README shows: saved in docs/screenshots/ (committed) as well as with the others. */
  async screenshotForDocs(name: string): Promise<void> {
    await this.screenshot(name);
    // The test's temporary database shown as the one `npm start` uses, so the README shows what a school sees.
    await this.page.locator('#where').evaluate((el: { textContent: string | null }) => {
      el.textContent = (el.textContent ?? '').replace(/kept in \S+\.db\./, 'kept in data/sandbox.db.');
    });
    // The README's copies are refreshed only when asked (DOCS_SCREENSHOTS=1), so a test run leaves the checkout as it was.
    if (process.env.DOCS_SCREENSHOTS !== '1') return;
    mkdirSync(docsScreenshotDir, { recursive: true });
    await this.page.screenshot({ path: path.join(docsScreenshotDir, `${name}.png`), fullPage: false });
  }
}

/** Fills a report form card from a report, field by field, as a person would (the card's input ids find the fields). */
export async function fillForm(form: Locator, kind: ReportKind, report: Record<string, unknown>): Promise<void> {
  const values = formValues(kind, report);
  for (const field of formFields[kind]) {
    const value = values[field.id];
    if (value === undefined) continue;
    const group = form.locator(`[id="${field.id}"]`);
    if (field.kind === 'choice' || field.kind === 'yesno') {
      const title = field.kind === 'yesno' ? (value === 'true' ? 'Yes' : 'No') : field.choices?.find((c) => c.value === value)?.title;
      await group.getByText(title ?? value, { exact: true }).click();
    } else if (field.kind === 'person') {
      await group.locator('input, select').first().fill(demoSchool.directory.displayName(value));
    } else {
      await group.locator('input, textarea').first().fill(value);
    }
  }
}

/**
 * The browser-test setup every sandbox browser test shares: one headless Chromium for the
 * file, and for each test a fresh bot (sandboxHarness) with a page open on it (1400×950;
 * a page error fails the test). Call at the top of a test file; read `t.h` and `t.s` in tests.
 */
export function useSandboxPage(): { readonly h: SandboxHarness; readonly s: SandboxPage } {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const t = {} as { h: SandboxHarness; s: SandboxPage };
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    t.h = await sandboxHarness();
    context = await browser!.newContext({ viewport: { width: 1400, height: 950 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(t.h.url);
    t.s = new SandboxPage(page);
  });
  afterEach(async () => {
    await context?.close();
    await t.h?.close();
  });
  return t;
}
