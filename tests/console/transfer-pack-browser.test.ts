import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { screenshotDir } from '../support/sandbox-harness.js';
import { example } from '../support/harness.js';
import { axeViolations, pickPerson, useConsolePage, type ConsoleHarness, type ConsolePage } from './console-support.js';

// The retention page (issue 14, item 7): the DSL records or corrects the pupil's date of
// birth (the review date follows it; a mistake is shown next to the field), and makes one
// transfer pack of two cases about the same pupil (one PDF, one receipt code), then
// confirms its receipt; every page passes axe.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

let page: Page;
let h: ConsoleHarness;
let cases: ConsolePage['cases'];
const t = useConsolePage({ viewport: { width: 1300, height: 900 } });
beforeEach(() => {
  ({ page, h, cases } = t);
});
const actions = (reportId: string) => h.app.store.listAudit(reportId).map((a) => a.action);

async function pdfText(pdf: Buffer) {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) pages.push(((await (await doc.getPage(i)).getTextContent()).items as { str?: string }[]).map((x) => x.str ?? '').join(' '));
  return { doc, pages };
}

describe('console: date of birth and a transfer pack', () => {
  it('the DSL records the date of birth (checked, audited; the review date follows it)', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await page.goto(`${h.url}cases/${cases.pupil.reportId}/retention`);
    const facts = () => page.locator('dl.facts').textContent();
    expect(await facts()).toContain("Pupil's date of birth");
    expect(await facts()).toContain('Not known');
    expect(await facts()).toContain("(the school's rule: 25 years after it was reported)");
    expect(await axeViolations(page)).toEqual([]);

    await page.fill('#dob', '2030-01-01');
    await page.getByRole('button', { name: 'Record the date of birth' }).click();
    await expect.poll(() => page.locator('#dob-dateOfBirth-error').textContent()).toBe('That date of birth is in the future.');
    expect(await page.locator('#dob').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('#dob', '2025-06-01');
    await page.getByRole('button', { name: 'Record the date of birth' }).click();
    await expect.poll(() => page.locator('#dob-dateOfBirth-error').textContent()).toMatch(/an age a pupil cannot have/);

    await page.fill('#dob', '2013-03-15');
    await page.getByRole('button', { name: 'Record the date of birth' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe("The date of birth is recorded. The review date is now 2038-03-15 (the pupil's 25th birthday).");
    expect(await facts()).toContain("2038-03-15 (the pupil's 25th birthday)");
    expect(await facts()).toContain('Fri, 15 Mar 2013 (recorded by the DSL)');
    // Corrected: the review date moves with it.
    await page.fill('#dob', '2013-09-02');
    await page.getByRole('button', { name: 'Correct the date of birth' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toContain('now 2038-09-02');
    expect(await axeViolations(page)).toEqual([]);
    const set = h.app.store.listAudit(cases.pupil.reportId).filter((a) => a.action === 'retention.date_of_birth_set');
    expect(set.map((a) => a.details)).toEqual([
      expect.objectContaining({ corrected: false, reviewDate: '2038-03-15' }),
      expect.objectContaining({ corrected: true, reviewDateBefore: '2038-03-15', reviewDate: '2038-09-02' }),
    ]);
    expect(JSON.stringify(set)).not.toContain('2013-');
  });

  it('the DSL makes one pack of two cases about the same pupil, downloads it as one PDF and confirms its receipt', async () => {
    const ex = example(1);
    const second = await h.app.workflow.submit({ reporterId: ex.reporter, form: { ...ex.report, platform: 'TikTok' } });
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await page.goto(`${h.url}cases/${cases.pupil.reportId}/retention`);
    // This case is ticked by default; the other case about the same pupil is offered; a case about someone else is not.
    expect(await page.locator('#case-self').isChecked()).toBe(true);
    const other = page.getByRole('checkbox', { name: new RegExp(second.reference) });
    expect(await other.isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: new RegExp(cases.bullying.reference) }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // Nothing ticked: the mistake is shown beside the choice.
    await page.locator('#case-self').uncheck();
    await page.fill('#to-school', 'Hillside Academy');
    await page.getByRole('button', { name: 'Record the transfer' }).click();
    await expect.poll(() => page.locator('#transfer-cases-error').textContent()).toBe('Please choose at least one case.');

    // Only the ticked case goes (here the other one alone); then a pack of both.
    await page.locator('#case-self').uncheck();
    await other.check();
    await page.fill('#to-school', 'Hillside Academy');
    await page.getByRole('button', { name: 'Record the transfer' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toMatch(/^Transfer recorded\. Receipt code: TR-/);
    expect(h.app.store.listAudit(cases.pupil.reportId).filter((a) => a.action === 'transfer.sent')).toHaveLength(0);
    await page.locator('#case-self').check();
    await other.check();
    await page.fill('#to-school', 'Hillside Academy');
    await page.getByRole('button', { name: 'Record the transfer' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toMatch(/^Transfer recorded for 2 cases\. Receipt code: TR-[A-Z2-9]{4}-[A-Z2-9]{4}\. Receipt is due by /);
    const code = /TR-[A-Z2-9]{4}-[A-Z2-9]{4}/.exec((await page.locator('p.notice').textContent()) ?? '')?.[0] ?? '';
    expect(await page.locator('table').textContent()).toContain(`${cases.pupil.reference}, ${second.reference}`);
    expect(await axeViolations(page)).toEqual([]);
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'console-retention-pack.png'), fullPage: true });

    // One PDF: a cover with the code and the deadline, then each case, each saying it was transferred.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download the pack of ${code} (PDF)` }).click()]);
    expect(download.suggestedFilename()).toBe(`${code}.pdf`);
    const pdf = readFileSync(await download.path());
    const { doc, pages } = await pdfText(pdf);
    expect(pages[0]).toContain(`Transfer of a pupil's safeguarding file: ${code}`);
    expect(pages[0]).toContain('Hillside Academy');
    expect(pages[0]).toContain('Receipt due by (five school days)');
    expect(pages.join('\n')).toContain(`Case ${cases.pupil.reference}`);
    expect(pages.join('\n')).toContain(`Case ${second.reference}`);
    expect(pages.join('\n')).toContain('TikTok');
    expect(pages.join('\n')).toContain('Review date');
    expect(pages.filter((p) => p.includes(`(receipt code ${code})`))).toHaveLength(2);
    // Each case's chronology, the transfer itself in it.
    expect(pages.join('\n')).toContain('Chronology');
    expect(pages.join('\n')).toContain("Sent to the pupil's next school with 1 other case");
    // Drawn to images (pdf.js): the cover and a case page are not blank; kept for a person to look at.
    const factory = (doc as unknown as { canvasFactory: { create(w: number, h: number): { canvas: { toBuffer(t: string): Buffer }; context: unknown } } }).canvasFactory;
    for (const n of [1, 2]) {
      const p = await doc.getPage(n);
      const viewport = p.getViewport({ scale: 1.5 });
      const drawn = factory.create(viewport.width, viewport.height);
      await p.render({ canvasContext: drawn.context, viewport, canvas: drawn.canvas } as unknown as Parameters<typeof p.render>[0]).promise;
      const png = drawn.canvas.toBuffer('image/png');
      mkdirSync(screenshotDir, { recursive: true });
      writeFileSync(path.join(screenshotDir, `transfer-pack-page-${n}.png`), png);
      const image = PNG.sync.read(png);
      let dark = 0;
      for (let i = 0; i < image.data.length; i += 4) if ((image.data[i] as number) < 128 && (image.data[i + 3] as number) > 0) dark++;
      expect(dark).toBeGreaterThan(1500);
    }
    await doc.cleanup();
    for (const r of [cases.pupil.reportId, second.reportId]) expect(actions(r)).toEqual(expect.arrayContaining(['transfer.sent', 'console.exported']));

    // A case not in the pack, or another role: no pack.
    expect((await page.request.get(`${h.url}cases/${cases.bullying.reportId}/retention/transfers/${code}/pack.pdf`)).status()).toBe(404);

    // Confirming the one code confirms the whole pack.
    await page.goto(`${h.url}cases/${second.reportId}/retention`);
    await page.fill('#code', code);
    await page.getByRole('button', { name: 'Confirm receipt' }).click();
    await expect.poll(() => page.locator('p.notice').textContent()).toBe('Receipt confirmed.');
    expect(await page.locator('table').textContent()).toContain('Confirmed');
    for (const r of [cases.pupil.reportId, second.reportId]) expect(actions(r)).toContain('transfer.confirmed');

    await pickPerson(page, `${h.url}sign-in`, 'alex-morgan');
    expect((await page.request.get(`${h.url}cases/${cases.pupil.reportId}/retention/transfers/${code}/pack.pdf`)).status()).toBe(403);
  });
});
