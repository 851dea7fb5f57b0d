import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'csv-parse/sync';
import { spreadsheetSafe } from '../../src/console/console-exports.js';
import { axeViolations, pickPerson, useConsolePage, type ConsoleHarness, type ConsolePage } from './console-support.js';

// A browser, a bot and several page loads per test: generous on a machine shared with other test runs.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

// The filtering and blocking log as CSV, from the console.

let page: Page;
let h: ConsoleHarness;
let cases: ConsolePage['cases'];
const t = useConsolePage({ acceptDownloads: true });
beforeEach(() => {
  ({ page, h, cases } = t);
});

describe('filtering and blocking log', () => {
  it('the DSL downloads it from the queue page: what was reported, blocked, by whom, when and why', async () => {
    h.app.workflow.completeTask({ reportId: cases.video.reportId, actorId: 'lee-evans', action: '=HYPERLINK("http://x") blocked on the filter' });
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /filtering and blocking log/ }).click()]);
    expect(download.suggestedFilename()).toBe('filtering-log-2026-11-23.csv');
    const text = (await import('node:fs')).readFileSync(await download.path(), 'utf8');
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        Reference: cases.video.reference,
        'Reported at (UTC)': '2026-11-23T10:00:00.000Z',
        Kind: 'Inappropriate content seen or accessed',
        'Content category': expect.stringMatching(/violen/i),
        'Web addresses': 'https://video.example.com/watch?v=violent123',
        Rules: 'R7',
        Why: expect.stringMatching(/^R7: /),
        Status: 'blocked',
        'Blocked by': 'Lee Evans',
        'Blocked at (UTC)': '2026-11-23T10:00:00.000Z',
        // A formula typed into a note stays text in a spreadsheet.
        'Action taken': `'=HYPERLINK("http://x") blocked on the filter`,
      },
    ]);
    expect(text).not.toContain('A violent video was playing'); // no report text
  });

  it('the ICT technician may export it; the chair may not (403)', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'lee-evans');
    expect((await page.request.get(`${h.url}exports/filtering-log.csv`)).status()).toBe(200);
    await pickPerson(page, `${h.url}sign-in`, 'priya-shah');
    expect(await page.getByRole('link', { name: /filtering and blocking log/ }).count()).toBe(0);
    const res = await page.goto(`${h.url}exports/filtering-log.csv`);
    expect(res?.status()).toBe(403);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("the chair downloads the governors' report for a period from the queue page; the ICT technician may not", async () => {
    await pickPerson(page, `${h.url}sign-in`, 'priya-shah');
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('#gr-from', '2026-11-01');
    await page.fill('#gr-to', '2026-11-30');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /governors' report/ }).click()]);
    expect(download.suggestedFilename()).toBe('governors-report-2026-11-01-to-2026-11-30.pdf');
    const pdf = (await import('node:fs')).readFileSync(await download.path());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const bad = await page.request.get(`${h.url}exports/governors-report.pdf?from=2026-12-01&to=2026-11-01`);
    expect(bad.status()).toBe(400);
    await pickPerson(page, `${h.url}sign-in`, 'lee-evans');
    expect((await page.request.get(`${h.url}exports/governors-report.pdf?from=2026-11-01&to=2026-11-30`)).status()).toBe(403);
  });

  it('the DSL downloads a case as a PDF (audited); its subject cannot (403)', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    await page.goto(`${h.url}cases/${cases.bullying.reportId}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the case as a PDF' }).click()]);
    expect(download.suggestedFilename()).toBe(`${cases.bullying.reference}.pdf`);
    const pdf = (await import('node:fs')).readFileSync(await download.path());
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
    let text = '';
    for (let i = 1; i <= doc.numPages; i++) text += ((await (await doc.getPage(i)).getTextContent()).items as { str?: string }[]).map((t) => t.str ?? '').join(' ');
    expect(text).toContain(`Case ${cases.bullying.reference}`);
    expect(text).toContain('Unkind messages about a pupil in the class group chat.');
    expect(text).toContain('Exported by Jo Patel');
    expect(text).toMatch(/[0-9a-f]{64}/);
    // Its chronology, for a referral: from the report to the latest step.
    expect(text).toContain('Chronology');
    expect(text).toMatch(/Reported by [A-Z]/);
    expect(h.app.store.listAudit(cases.bullying.reportId).map((a) => a.action)).toEqual(expect.arrayContaining(['report.viewed', 'console.exported']));

    await pickPerson(page, `${h.url}sign-in`, 'alex-morgan');
    expect((await page.request.get(`${h.url}cases/${cases.headteacher.reportId}/export.pdf`)).status()).toBe(403);
  });

  it('the DSL exports the audit log with its verification; never the entries of a case about the exporter; the chair may not', async () => {
    await pickPerson(page, `${h.url}sign-in`, 'jo-patel');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /audit log/ }).click()]);
    const text = (await import('node:fs')).readFileSync(await download.path(), 'utf8');
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.at(-1)).toMatchObject({ Entry: 'verification', Action: 'OK: the audit log verifies' });
    expect(rows.filter((r) => r.Action === 'report.submitted').map((r) => r.Report)).toEqual([cases.pupil.reference, cases.headteacher.reference, cases.bullying.reference, cases.video.reference]);
    expect(rows.every((r) => r.Entry === 'verification' || /^[0-9a-f]{64}$/.test(r.Hash ?? ''))).toBe(true);
    expect(text).not.toContain('Unkind messages'); // ids and hashes, never report text

    // A DSL who is the subject of a case (worked example 7) never gets its entries.
    const ex7 = (await import('../support/harness.js')).example(7);
    const aboutDsl = await h.app.workflow.submit({ reporterId: ex7.reporter, form: ex7.report });
    const [again] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /audit log/ }).click()]);
    const text2 = (await import('node:fs')).readFileSync(await again.path(), 'utf8');
    expect(text2).not.toContain(aboutDsl.reference);
    expect(h.app.store.listAudit(aboutDsl.reportId).length).toBeGreaterThan(0);

    await pickPerson(page, `${h.url}sign-in`, 'priya-shah');
    expect((await page.request.get(`${h.url}exports/audit-log.csv`)).status()).toBe(403);
  });

  it('the reputation lead exports the reputation log: the decision and who made it, not the text; the ICT technician may not', async () => {
    const form = { kind: 'reputation', author: { type: 'parent' }, platform: 'Facebook', where: 'Town parents group', occurred: { date: '2026-11-22' }, description: 'Abusive posts about the school.' };
    const r = await h.app.workflow.submit({ reporterId: 'amy-clarke', form });
    h.app.workflow.recordDecision({ reportId: r.reportId, actorId: 'alex-morgan', choice: 'report_to_platform', reason: 'Breaks the platform rules.' });
    await pickPerson(page, `${h.url}sign-in`, 'kim-walsh');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /reputation log/ }).click()]);
    const text = (await import('node:fs')).readFileSync(await download.path(), 'utf8');
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      expect.objectContaining({ Reference: r.reference, 'Posted by': 'A parent or carer', Platform: 'Facebook', Where: 'Town parents group', Rules: 'R9', Decision: 'Report to the platform', 'Decided by': 'Alex Morgan' }),
    ]);
    expect(text).not.toContain('Abusive posts about the school.');
    expect(text).not.toContain('Breaks the platform rules.');
    expect(await axeViolations(page)).toEqual([]);
    await pickPerson(page, `${h.url}sign-in`, 'lee-evans');
    expect((await page.request.get(`${h.url}exports/reputation-log.csv`)).status()).toBe(403);
  });

  it('keeps formulas as text', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', 'plain', 'https://x'].map(spreadsheetSafe)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", 'plain', 'https://x']);
  });
});
