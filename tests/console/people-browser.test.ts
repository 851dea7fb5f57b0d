import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { example } from '../support/harness.js';
import { axeViolations, pickPerson, useConsolePage, type ConsoleHarness, type ConsolePage } from './console-support.js';

// The people chronology from a case (issue 14, item 4): the cases about the same pupil or
// member of staff in one timeline, G1 applied.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

let page: Page;
let h: ConsoleHarness;
let cases: ConsolePage['cases'];
const t = useConsolePage({ viewport: { width: 1300, height: 900 } });
beforeEach(() => {
  ({ page, h, cases } = t);
});

describe('console: people chronology', () => {
  it('shows this case and another about the same pupil, their chronologies in one timeline', async () => {
    const again = await h.app.workflow.submit({ reporterId: example(1).reporter, form: example(1).report });
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await page.goto(`${h.url}cases/${cases.pupil.reportId}`);
    await page.getByRole('link', { name: /^People chronology/ }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(`People chronology from ${cases.pupil.reference}`);
    const table = (await page.locator('section[aria-labelledby="cases-h"]').textContent()) ?? '';
    expect(table).toContain(cases.pupil.reference);
    expect(table).toContain(again.reference);
    expect(table).toContain('the same pupil (name and year group as reported)');
    expect(table).not.toContain(cases.bullying.reference);
    const timeline = (await page.locator('#timeline').textContent()) ?? '';
    expect(timeline).toContain(`(${again.reference})`);
    expect(timeline).toContain(`(${cases.pupil.reference})`);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('G1: the headteacher cannot open the people chronology of the case about them', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'alex-morgan');
    const res = await page.goto(`${h.url}cases/${cases.headteacher.reportId}/people`);
    expect(res?.status()).toBe(403);
  });
});
