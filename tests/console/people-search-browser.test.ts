import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { example } from '../support/harness.js';
import { docsScreenshotDir, screenshotDir } from '../support/sandbox-harness.js';
import { axeViolations, pickPerson, useConsolePage, type ConsoleHarness } from './console-support.js';

// The people page reached by search (issue 14, item 4): pupils by identity and staff, the
// DSL's merge and split, G1, CSRF, axe.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

let page: Page;
let h: ConsoleHarness;
const t = useConsolePage({ viewport: { width: 1300, height: 900 } });
beforeEach(() => {
  ({ page, h } = t);
});

async function friendRequest(pupil: { name: string; yearGroup: string }, staff = 'amy-clarke'): Promise<{ reportId: string; reference: string }> {
  const ex = example(1);
  const form = { ...ex.report, ...(staff === 'alex-morgan' ? { direction: 'staff_to_pupil' } : {}), pupil, staffMember: { personId: staff } };
  return h.app.workflow.submit({ reporterId: 'ben-hughes', form });
}

async function screenshot(p: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await p.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
  if (process.env.DOCS_SCREENSHOTS !== '1') return;
  mkdirSync(docsScreenshotDir, { recursive: true });
  await p.screenshot({ path: path.join(docsScreenshotDir, `${name}.png`), fullPage: true });
}

async function search(q: string): Promise<string> {
  await page.goto(`${h.url}people`);
  await page.fill('#q', q);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForLoadState('load');
  return (await page.locator('main').textContent()) ?? '';
}

const entries = () => [...h.app.store.audit.all()];

describe('console: people search and pupil identities', () => {
  it('the DSL finds a pupil by part of a name, merges two spellings (then both show), and splits a case off', async () => {
    const sam = await friendRequest({ name: 'Sam Jones', yearGroup: 'Y8' });
    const samuel = await friendRequest({ name: 'Samuel Jones', yearGroup: '8' });
    const twin = await friendRequest({ name: 'Sam Jones', yearGroup: 'Y8' });
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await page.getByRole('link', { name: 'People' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('People');
    expect(await axeViolations(page)).toEqual([]);

    const found = await search('JONES');
    expect(found).toContain('Sam Jones (Y8)');
    expect(found).toContain('Samuel Jones (8)');
    expect(found).toContain('2 people found');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Sam Jones (Y8)' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Pupil: Sam Jones (Y8)');
    const viewed = entries().filter((e) => e.action === 'report.viewed').map((e) => e.reportId);
    expect(viewed).toEqual(expect.arrayContaining([sam.reportId, twin.reportId]));

    // A merge without a reason: the refusal is next to its field, nothing changes.
    await page.selectOption('#merge-other', { label: 'Samuel Jones (8)' });
    await page.getByRole('button', { name: 'Merge' }).click();
    await expect.poll(() => page.locator('#merge-reason-error').textContent()).toBe('Please give a reason.');
    expect(await page.locator('#merge-reason').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await page.selectOption('#merge-other', { label: 'Samuel Jones (8)' });
    await page.fill('#merge-reason', 'Samuel is the full name; same pupil, same form group.');
    await page.getByRole('button', { name: 'Merge' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('The pupils are merged.');
    const merged = (await page.locator('section[aria-labelledby="cases-h"]').textContent()) ?? '';
    for (const c of [sam, samuel, twin]) expect(merged).toContain(c.reference);
    expect(await page.locator('main').textContent()).toContain('Also reported as: Samuel Jones (8)');
    const timeline = (await page.locator('#timeline').textContent()) ?? '';
    expect(timeline).toContain(`(${samuel.reference})`);
    expect(timeline).toContain(`(${sam.reference})`);
    expect((await search('samuel')).match(/1 person found/)).not.toBeNull();
    expect(entries().filter((e) => e.action === 'pupil.merged')).toHaveLength(1);

    // The case page's other cases and the chronology from a case follow the identity.
    await page.goto(`${h.url}cases/${samuel.reportId}/people`);
    expect(await page.locator('section[aria-labelledby="cases-h"]').textContent()).toContain(sam.reference);

    // Two pupils called Sam Jones in Y8: split one case off.
    await search('sam jones');
    await page.getByRole('link', { name: /Sam Jones \(Y8\)/ }).click();
    await page.getByRole('checkbox', { name: new RegExp(`^${twin.reference}`) }).check();
    await page.fill('#split-reason', 'A different pupil with the same name (new to Year 8).');
    await screenshot(page, 'console-people');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Split off' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('The cases chosen are now this pupil.');
    const split = (await page.locator('section[aria-labelledby="cases-h"]').textContent()) ?? '';
    expect(split).toContain(twin.reference);
    expect(split).not.toContain(sam.reference);
    // The DSL sees what was done to this pupil, with the reason, to undo it by the opposite step.
    expect(await page.locator('section[aria-labelledby="change-h"]').textContent()).toContain(`Jo Patel split ${twin.reference} off to this pupil. Reason: A different pupil with the same name`);
    expect(await search('jones')).toContain('2 people found');
    expect(entries().filter((e) => e.action === 'pupil.split').map((e) => e.reportId)).toEqual([twin.reportId]);
  });

  it('refuses a merge or split without the CSRF token (403) and changes nothing', async () => {
    await friendRequest({ name: 'Sam Jones', yearGroup: 'Y8' });
    await friendRequest({ name: 'Samuel Jones', yearGroup: '8' });
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await search('jones');
    const [a, b] = await page.locator('main table a').evaluateAll((links) => links.map((l) => (l as unknown as { getAttribute(n: string): string }).getAttribute('href')));
    for (const [route, form] of [[`${a}/merge`, { other: b?.slice('/console/people/'.length) ?? '', reason: 'same' }], [`${a}/split`, { case: 'x', reason: 'two' }]] as const) {
      const without = await page.request.post(`${h.base}${route}`, { form, maxRedirects: 0 });
      expect(without.status()).toBe(403);
      const wrong = await page.request.post(`${h.base}${route}`, { form: { ...form, _csrf: 'not-the-token' }, maxRedirects: 0 });
      expect(wrong.status()).toBe(403);
      expect(await wrong.text()).toContain('Nothing was changed');
    }
    expect(entries().filter((e) => e.action.startsWith('pupil.'))).toEqual([]);
    expect(await search('jones')).toContain('2 people found');
  });

  it('G1: the headteacher finds nothing of the case about them; its people pages are 403 and audited; a deputy has no merge form', async () => {
    const aboutHead = await friendRequest({ name: 'Robin Grey', yearGroup: 'Y9' }, 'alex-morgan');
    await pickPerson(page, `${h.url}sign-in`, 'priya-shah');
    await search('robin');
    const robin = (await page.getByRole('link', { name: 'Robin Grey (Y9)' }).getAttribute('href')) ?? '';
    expect(await search('morgan')).toContain('Alex Morgan');
    await page.context().clearCookies();

    await pickPerson(page, `${h.url}sign-in`, 'alex-morgan');
    for (const q of ['robin', 'grey', 'alex', 'morgan']) expect(await search(q)).toContain('Nobody found');
    for (const address of [robin, '/console/people/staff-alex-morgan']) {
      const res = await page.goto(`${h.base}${address}`);
      expect(res?.status()).toBe(403);
      expect(await page.locator('h1').textContent()).toBe('You cannot see this person');
      expect(await page.locator('main').textContent()).not.toContain('Robin');
    }
    expect(await axeViolations(page)).toEqual([]);
    const mine = h.app.store.listAudit(aboutHead.reportId).map((e) => e.action);
    expect(mine.filter((a) => a === 'action.refused')).toHaveLength(2);
    expect(mine).not.toContain('report.viewed');
    await page.context().clearCookies();

    // The deputy sees pupils' pages but merging and splitting are the DSL's.
    await friendRequest({ name: 'Sam Jones', yearGroup: 'Y8' });
    await pickPerson(page, `${h.url}sign-in`, 'sam-okafor');
    await search('sam');
    await page.getByRole('link', { name: 'Sam Jones (Y8)' }).click();
    expect(await page.locator('#merge-other').count()).toBe(0);
  });
});
