import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { axeViolations, pickPerson, useConsolePage, type ConsoleHarness, type ConsolePage } from './console-support.js';

// The DSL's retention page (issue 14, item 7): review date, legal hold with a reason,
// transfer with a receipt code confirmed from the console; audited; DSL only.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

let page: Page;
let h: ConsoleHarness;
let cases: ConsolePage['cases'];
const t = useConsolePage({ viewport: { width: 1300, height: 900 } });
beforeEach(() => {
  ({ page, h, cases } = t);
});
const actions = (reportId: string) => h.app.store.listAudit(reportId).map((a) => a.action);

describe('console: retention and transfer', () => {
  it('the DSL holds and releases a case, records a transfer and confirms its receipt; every page passes axe', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await page.goto(`${h.url}cases/${cases.bullying.reportId}`);
    await page.getByRole('link', { name: 'Retention, legal hold and transfer' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Retention: ${cases.bullying.reference}`);
    const facts = () => page.locator('dl.facts').textContent();
    expect(await facts()).toContain("2051-11-23 (the school's rule: 25 years after it was reported)");
    expect(await page.locator('#dispose-h + p').textContent()).toContain('the case is open');
    expect(await axeViolations(page)).toEqual([]);

    await page.fill('#hold-reason', 'Police inquiry open');
    await page.getByRole('button', { name: 'Place a legal hold' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe('The legal hold is in place.');
    expect(await facts()).toContain('Yes: Police inquiry open');
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('#hold-reason', 'Inquiry closed');
    await page.getByRole('button', { name: 'Lift the hold' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe('The legal hold is lifted.');

    await page.fill('#to-school', 'Hillside Academy');
    await page.getByRole('button', { name: 'Record the transfer' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toMatch(/^Transfer recorded\. Receipt code: TR-[A-Z2-9]{4}-[A-Z2-9]{4}\. Receipt is due by /);
    const code = /TR-[A-Z2-9]{4}-[A-Z2-9]{4}/.exec((await page.locator('p.notice').textContent()) ?? '')?.[0] ?? '';
    await page.fill('#code', 'TR-NOPE-NOPE');
    await page.getByRole('button', { name: 'Confirm receipt' }).click();
    await expect.poll(() => page.locator('p.error').textContent()).toBeTruthy();
    await page.fill('#code', code);
    await page.getByRole('button', { name: 'Confirm receipt' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe('Receipt confirmed.');
    expect(await axeViolations(page)).toEqual([]);
    expect(actions(cases.bullying.reportId)).toEqual(expect.arrayContaining(['retention.hold_set', 'retention.hold_lifted', 'transfer.sent', 'transfer.confirmed']));
  });

  it('is for the DSL only: the headteacher gets 403 and no link', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'alex-morgan');
    await page.goto(`${h.url}cases/${cases.pupil.reportId}`);
    expect(await page.getByRole('link', { name: 'Retention, legal hold and transfer' }).count()).toBe(0);
    const res = await page.goto(`${h.url}cases/${cases.pupil.reportId}/retention`);
    expect(res?.status()).toBe(403);
  });
});
