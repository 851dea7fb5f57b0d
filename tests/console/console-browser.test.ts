import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { screenshotDir } from '../support/sandbox-harness.js';
import { axeViolations, pickPerson, useConsolePage, type ConsoleHarness, type ConsolePage } from './console-support.js';

// A browser, a bot and several page loads per test: generous on a machine shared with other test runs.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

// The case console in a real browser, signed in with the sandbox's person picker.

let context: BrowserContext;
let page: Page;
let h: ConsoleHarness;
let cases: ConsolePage['cases'];
const t = useConsolePage({ viewport: { width: 1300, height: 900 } });
beforeEach(() => {
  ({ context, page, h, cases } = t);
});

async function screenshot(p: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await p.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

const actions = (reportId?: string) =>
  h.app.store.listAudit(reportId ?? '').map((a) => a.action);

describe('case console', () => {
  it('the DSL signs in, sees the queue with owner and deadlines, filters it, and opens a case (audited)', async () => {
    await page.goto(h.url);
    expect(page.url()).toBe(`${h.url}sign-in`);
    expect(await axeViolations(page)).toEqual([]);
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Open cases');
    const rows = page.locator('tbody tr');
    // R3 (a concern about the headteacher) goes to the chair, not the DSL.
    await expect.poll(() => rows.count()).toBe(3);
    await expect.poll(() => page.locator('tbody').textContent()).toContain(cases.pupil.reference);
    expect(await page.locator('tbody').textContent()).not.toContain(cases.headteacher.reference);
    expect(await page.locator('tbody').textContent()).toContain('Jo Patel');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-queue');

    await page.selectOption('#kind', 'cyberbullying');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(cases.bullying.reference);

    await page.getByRole('link', { name: cases.bullying.reference }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Case ${cases.bullying.reference}`);
    const record = (await page.locator('dl.facts').textContent()) ?? '';
    expect(record).toContain('Unkind messages about a pupil in the class group chat.');
    expect(record).toContain('WhatsApp');
    expect(await page.locator('section[aria-labelledby="related-h"]').textContent()).toContain('None that you can see.');
    // The case's chronology, oldest first, in words (issue 12's core query).
    expect(await page.locator('#chronology ol li').first().textContent()).toMatch(/Reported by/);
    const hash = await page.locator('td code').first().textContent();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-case');
    expect(actions(cases.bullying.reportId)).toContain('report.viewed');

    // The image only on request, and the viewing is on the record.
    expect(actions(cases.bullying.reportId)).not.toContain('evidence.viewed');
    const link = page.getByRole('link', { name: /Show the file/ });
    const image = await page.request.get(new URL((await link.getAttribute('href')) ?? '', h.url).href);
    expect(image.status()).toBe(200);
    expect(image.headers()['content-type']).toBe('image/png');
    expect(actions(cases.bullying.reportId)).toContain('evidence.viewed');
  });

  it('sends no-store, a strict CSP, no framing and no referrer on every page', async () => {
    for (const path of ['sign-in', '']) {
      const res = await page.request.get(`${h.url}${path}`, { maxRedirects: 0 });
      const headers = res.headers();
      expect(headers['cache-control']).toBe('no-store');
      expect(headers['content-security-policy']).toContain("default-src 'none'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('no-referrer');
    }
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    const cookie = (await context.cookies()).find((c) => c.name === 'sg_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/console' });
    // The cookie is encrypted: no person id in it.
    expect(cookie?.value).not.toContain('jo-patel');
  });

  it('G1: the headteacher never sees the case about them: not in the queue, and 403 (audited) at its address', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'alex-morgan');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Open cases');
    expect(await page.locator('main').textContent()).not.toContain(cases.headteacher.reference);
    const res = await page.goto(`${h.url}cases/${cases.headteacher.reportId}`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('You cannot see this case');
    expect(await page.locator('main').textContent()).not.toContain('Facebook');
    expect(await axeViolations(page)).toEqual([]);
    expect(actions(cases.headteacher.reportId)).toContain('action.refused');
    expect(actions(cases.headteacher.reportId)).not.toContain('report.viewed');
    // Nor its evidence, by guessing the address.
    const ev = await page.request.get(`${h.url}cases/${cases.headteacher.reportId}/evidence/x`);
    expect(ev.status()).toBe(403);
  });

  it('refuses a form without, or with a wrong, CSRF token (403) and nothing changes; the right token works', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await page.goto(`${h.url}cases/${cases.pupil.reportId}`);
    const close = `${h.url}cases/${cases.pupil.reportId}/close`;
    const form = { outcome: 'no_further_action', reason: 'Spoken to the pupil and parents.' };
    const without = await page.request.post(close, { form, maxRedirects: 0 });
    expect(without.status()).toBe(403);
    const wrong = await page.request.post(close, { form: { ...form, _csrf: 'not-the-token' }, maxRedirects: 0 });
    expect(wrong.status()).toBe(403);
    expect(await wrong.text()).toContain('Nothing was changed');
    expect(h.app.store.getReport(cases.pupil.reportId)?.status).not.toBe('closed');

    // Through the page: the form carries the session's token. A missing reason is shown next to its field.
    await page.selectOption('#outcome', 'no_further_action');
    await page.getByRole('button', { name: 'Close the case' }).click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toBe('Please give the reason for closing the report.');
    expect(await page.locator('#close-reason').getAttribute('aria-describedby')).toBe('close-reason-error');
    expect(await axeViolations(page)).toEqual([]);
    await page.selectOption('#outcome', 'no_further_action');
    await page.fill('#close-reason', 'Spoken to the pupil and parents.');
    await page.getByRole('button', { name: 'Close the case' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('The case is closed.');
    expect(h.app.store.getReport(cases.pupil.reportId)?.status).toBe('closed');
  });

  it('signs out after 15 idle minutes, and not before', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    h.clock.advanceMinutes(14);
    await page.goto(h.url);
    expect(await page.locator('h1').textContent()).toBe('Open cases');
    h.clock.advanceMinutes(14); // 14 minutes since the last request: still in
    await page.goto(h.url);
    expect(await page.locator('h1').textContent()).toBe('Open cases');
    h.clock.advanceMinutes(16);
    await page.goto(h.url);
    expect(page.url()).toBe(`${h.url}sign-in?expired`);
    expect(await page.locator('.notice').textContent()).toContain('signed out after 15 minutes');
  });

  it('a member of staff may not enter (403, audited); signing out ends the session', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'amy-clarke');
    expect(await page.locator('h1').textContent()).toBe('You cannot use the case console');
    const res = await page.goto(h.url);
    expect(page.url()).toBe(`${h.url}sign-in`);
    expect(res?.status()).toBe(200);

    await pickPerson(page, `${h.url}sign-in`, 'priya-shah');
    expect(await page.locator('h1').textContent()).toBe('Open cases');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.url()).toBe(`${h.url}sign-in?out`);
    await page.goto(h.url);
    expect(page.url()).toBe(`${h.url}sign-in`);
  });

  it('the chair sees the case about the headteacher and records the decision with a reason (R3)', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'priya-shah');
    await page.getByRole('link', { name: cases.headteacher.reference }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Case ${cases.headteacher.reference}`);
    const decide = page.locator('form.action').filter({ hasText: 'Decision (R3)' });
    await decide.getByRole('button', { name: 'Record the decision' }).click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toBe('Please choose one of the options.');
    const form = page.locator('form.action').filter({ hasText: 'Decision (R3)' });
    await form.locator('select').selectOption({ label: 'Refer to the LADO' });
    await form.locator('textarea').fill('Posting about a pupil breaches the code of conduct.');
    await form.getByRole('button', { name: 'Record the decision' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('The decision is recorded.');
    expect(await page.locator('dl.facts').textContent()).toContain('Refer to the LADO');
    expect(actions(cases.headteacher.reportId)).toContain('decision.recorded');
  });

  it('the ICT technician sees only their own block task', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'lee-evans');
    expect(await page.locator('h1').textContent()).toBe('Open cases');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain(cases.bullying.reference);
    expect(text).not.toContain(cases.pupil.reference);
    await page.getByRole('link', { name: cases.video.reference }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Case ${cases.video.reference}`);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('https://video.example.com/watch?v=violent123');
    expect(main).not.toContain('A violent video was playing'); // the task, not the whole record
    expect(await page.locator('#evidence-h').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('form.action textarea').fill('Blocked the address on the web filter.');
    await page.getByRole('button', { name: 'Mark blocked' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('The block is recorded.');
    expect(actions(cases.video.reportId)).toContain('task.completed');
  });
});
