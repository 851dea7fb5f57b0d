import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { axeViolations, pickPerson, useConsolePage, type ConsoleHarness, type ConsolePage } from './console-support.js';

// Notes and reopening from the console's case page (issue 14): through core's addNote and
// reopen, CSRF-protected forms, errors next to their fields, audited.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

let page: Page;
let h: ConsoleHarness;
let cases: ConsolePage['cases'];
const t = useConsolePage({ viewport: { width: 1300, height: 900 } });
beforeEach(() => {
  ({ page, h, cases } = t);
});
const actions = (reportId: string) => h.app.store.listAudit(reportId).map((a) => a.action);

describe('console: notes and reopen', () => {
  it('the DSL adds a note (an empty one is refused beside its field) and reopens a closed case', async () => {
    const id = cases.bullying.reportId;
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await page.goto(`${h.url}cases/${id}`);
    await page.getByRole('button', { name: 'Add to the case' }).click();
    await expect.poll(() => page.locator('#note-text-error').textContent()).toBe('Please write the note.');
    expect(await page.locator('#note-text').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('#note-text', 'Spoke to the form tutor.');
    await page.getByRole('button', { name: 'Add to the case' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe('Added to the case.');
    expect(await page.locator('#chronology').textContent()).toContain('Spoke to the form tutor.');

    h.app.workflow.acknowledge({ reportId: id, actorId: 'jo-patel' });
    h.app.workflow.close({ reportId: id, actorId: 'jo-patel', outcome: 'action_taken', reason: 'Resolved with both families.' });
    await page.goto(`${h.url}cases/${id}`);
    await page.getByRole('button', { name: 'Reopen the case' }).click();
    await expect.poll(() => page.locator('#reopen-reason-error').count()).toBe(1);
    await page.fill('#reopen-reason', 'New messages were found.');
    await page.getByRole('button', { name: 'Reopen the case' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe('The case is open again.');
    expect(await page.getByRole('button', { name: 'Reopen the case' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    const audited = actions(id);
    expect(audited.some((a) => a.includes('note'))).toBe(true);
    expect(audited.some((a) => a.includes('reopen'))).toBe(true);
  });
});
