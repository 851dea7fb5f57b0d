import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { governorsReport, type GovernorsReport } from '../../src/core/governors-report.js';
import { casesAround } from '../../src/store/report-period.js';
import { demoSchool, example, harness, type Harness } from '../support/harness.js';
import { screenshotDir } from '../support/sandbox-harness.js';

// The governors' report: counts and times from the record, no names, small counts
// suppressed; the CLI writes the PDF and the SVG charts, which are checked against the data.

let h: Harness;
afterEach(() => h?.close());

/** Seven cyberbullying reports (four acknowledged after 20 minutes, one after 2 hours), two friend requests, one about the headteacher (decided). */
async function seed(x: Harness): Promise<void> {
  const submit = async (n: number) => (await x.workflow.submit({ reporterId: example(n).reporter, form: example(n).report })).reportId;
  const bullying: string[] = [];
  for (let i = 0; i < 7; i++) bullying.push(await submit(5));
  await submit(1);
  await submit(1);
  const head = await submit(3);
  x.clock.advanceMinutes(20);
  for (const id of bullying.slice(0, 4)) x.workflow.acknowledge({ reportId: id, actorId: 'jo-patel' });
  x.workflow.recordDecision({ reportId: head, actorId: 'priya-shah', choice: 'refer_to_lado', reason: 'A reason.' });
  x.clock.advanceMinutes(100);
  x.workflow.acknowledge({ reportId: bullying[4] as string, actorId: 'sam-okafor' });
}

const report = (x: Harness, from = '2026-11-01', to = '2026-11-30'): GovernorsReport =>
  governorsReport({
    from,
    to,
    schoolName: 'Example Primary School',
    timeZone: demoSchool.directory.timeZone,
    rules: demoSchool.policy.rules.map((r) => ({ id: r.id, title: r.title })),
    cases: casesAround(x.db, x.store, from, to),
  });

describe("governors' report", () => {
  it('counts by kind and rule, suppresses counts under 5 (and the next smallest where one could be worked out), times only over 5 or more', async () => {
    h = harness();
    await seed(h);
    const r = report(h);
    expect(r.total).toEqual({ count: 10, shown: '10' });
    const kind = Object.fromEntries(r.byKind.map((k) => [k.key, k.shown]));
    expect(kind.cyberbullying).toBe('7');
    expect(kind.friend_request).toBe('fewer than 5');
    expect(kind.staff_conduct).toBe('fewer than 5');
    expect(kind.inappropriate_content).toBe('0');
    const rule = Object.fromEntries(r.byRule.map((k) => [k.key, k.shown]));
    expect(rule.R3).toBe('fewer than 5');
    // Only one rule count is small: the next smallest is hidden too, so it cannot be subtracted out.
    expect(Object.values(rule).filter((v) => v === 'fewer than 5').length + Object.values(rule).filter((v) => v === 'hidden').length).toBeGreaterThanOrEqual(2);
    // The chair's decision on the case about the headteacher acknowledges it too (issue 12, item 3): six acknowledged.
    expect(r.toAcknowledge).toEqual({ cases: { count: 6, shown: '6' }, medianMinutes: 20, slowestMinutes: 120 });
    expect(r.toDecide).toEqual({ cases: { count: null, shown: 'fewer than 5' }, medianMinutes: null, slowestMinutes: null });
    expect(report(h, '2026-12-01', '2026-12-31').total).toEqual({ count: 0, shown: '0' });
  });

  it('the CLI writes the PDF and the charts; the chart numbers are the data, the PDF has no names and renders', async () => {
    h = harness();
    await seed(h);
    const out = path.join(h.dir, 'governors');
    const lines: string[] = [];
    const errors: string[] = [];
    const args = ['governors-report', '--from', '2026-11-01', '--to', '2026-11-30', '--out', out, '--db', h.dbFile, '--key-file', path.join(h.dir, 'keys', 'keys.json'), '--school', 'data/school.example.yaml'];
    expect(await runCli(args, (s) => lines.push(s), (s) => errors.push(s))).toBe(0);
    expect(errors).toEqual([]);
    expect(lines[0]).toMatch(/^OK: .*governors-report-2026-11-01-to-2026-11-30\.pdf/);
    const figures = JSON.parse(readFileSync(path.join(out, 'governors-report-2026-11-01-to-2026-11-30.json'), 'utf8')) as GovernorsReport;

    // Each chart says its numbers (aria description) and draws a bar label for each: the report's own figures.
    const svg = readFileSync(path.join(out, 'reports-by-kind.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    const title = (/<title>([^<]*)<\/title>/.exec(svg)?.[1] ?? '').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
    for (const row of figures.byKind) expect(title).toContain(`${row.label} ${row.shown}`);
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toContain('7');
    expect(labels.filter((l) => l === 'fewer than 5').length).toBe(figures.byKind.filter((k) => k.shown === 'fewer than 5').length);
    for (const f of ['reports-by-rule.svg', 'closed-by-outcome.svg']) expect(existsSync(path.join(out, f))).toBe(true);

    const pdf = readFileSync(path.join(out, 'governors-report-2026-11-01-to-2026-11-30.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const fonts = `${path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;
    const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), standardFontDataUrl: fonts, verbosity: 0 }).promise;
    expect(doc.numPages).toBe(4);
    let text = '';
    for (let i = 1; i <= doc.numPages; i++) text += `${((await (await doc.getPage(i)).getTextContent()).items as { str?: string }[]).map((t) => t.str ?? '').join(' ')}\n`;
    expect(text).toContain('Online safety: report to governors');
    expect(text).toContain('fewer than 5');
    for (const p of demoSchool.directory.people) expect(text).not.toContain(p.name);
    expect(text).not.toContain('class group chat');

    // Page 1 drawn to an image (pdf.js): saved for a person to look at, and not blank.
    const page = await doc.getPage(1);
    const viewport = page.getViewport({ scale: 1.5 });
    const factory = (doc as unknown as { canvasFactory: { create(w: number, h: number): { canvas: { toBuffer(t: string): Buffer }; context: unknown } } }).canvasFactory;
    const drawn = factory.create(viewport.width, viewport.height);
    await page.render({ canvasContext: drawn.context, viewport, canvas: drawn.canvas } as unknown as Parameters<typeof page.render>[0]).promise;
    const png = drawn.canvas.toBuffer('image/png');
    mkdirSync(screenshotDir, { recursive: true });
    writeFileSync(path.join(screenshotDir, 'governors-report-page-1.png'), png);
    const image = PNG.sync.read(png);
    let dark = 0;
    for (let i = 0; i < image.data.length; i += 4) if ((image.data[i] as number) < 128 && (image.data[i + 3] as number) > 0) dark++;
    expect(dark).toBeGreaterThan(2000);
    await doc.cleanup();
  });

  it('refuses a date that is not YYYY-MM-DD, or a period that ends before it starts', async () => {
    const errors: string[] = [];
    expect(await runCli(['governors-report', '--from', '1/9/2026', '--to', '2026-12-31', '--out', '/tmp/x'], () => {}, (s) => errors.push(s))).toBe(1);
    expect(await runCli(['governors-report', '--from', '2026-12-31', '--to', '2026-09-01', '--out', '/tmp/x'], () => {}, (s) => errors.push(s))).toBe(1);
    expect(errors).toEqual(['--from: give a date as YYYY-MM-DD (not "1/9/2026")', '--to: the period must end on or after --from']);
  });
});
