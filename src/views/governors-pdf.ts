import SVGtoPDF from 'svg-to-pdfkit';
import { durationWords, type CountCell, type CountRow, type GovernorsReport, type TimeStat } from '../core/governors-report.js';
import type { Chart } from './governors-charts.js';
import { pdfDocument } from './pdf-document.js';

/**
 * The governors' report as a PDF (PDFKit): the figures as tables, then the charts (the
 * same SVG files, drawn into the PDF). No names; small counts suppressed.
 */
export function governorsPdf(r: GovernorsReport, charts: Chart[], createdAt: Date): Promise<Buffer> {
  const { doc, done } = pdfDocument({
    title: `Online safety: report to governors, ${r.from} to ${r.to}`,
    author: r.schoolName,
    subject: 'Online-safety concerns: counts and times, no names',
    createdAt,
  });

  doc.font('Helvetica-Bold').fontSize(18).text('Online safety: report to governors');
  doc.font('Helvetica').fontSize(11).moveDown(0.3).text(`${r.schoolName}. Concerns reported from ${r.from} to ${r.to} (both included).`);
  doc.moveDown(0.3).fillColor('#505a5f').text(
    `No names. Counts from 1 to ${r.threshold - 1} are shown as "fewer than ${r.threshold}", and where that alone could be worked out from a total, the next smallest count is "hidden". Times are left out when they are over fewer than ${r.threshold} cases.`,
  );
  doc.fillColor('#1b1b1b');

  const heading = (text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(text).font('Helvetica').fontSize(11).moveDown(0.2);
  const line = (label: string, value: string) => {
    const y = doc.y;
    doc.text(label, 50, y, { width: 330 });
    const after = doc.y;
    doc.text(value, 390, y, { width: 155, align: 'right' });
    doc.y = Math.max(after, doc.y);
    doc.x = 50;
  };
  const cell = (c: CountCell) => c.shown;
  const time = (t: TimeStat, what: string) => {
    line(`${what}: cases`, cell(t.cases));
    line(`${what}: median`, durationWords(t.medianMinutes));
    line(`${what}: slowest`, durationWords(t.slowestMinutes));
  };
  const table = (rows: CountRow[]) => rows.forEach((x) => line(x.label, x.shown));

  heading('Summary');
  line('Reports', cell(r.total));
  line('Urgent', cell(r.urgent));
  line('A deadline passed (escalated or a decision overdue)', cell(r.overdue));
  line('Escalated', cell(r.escalated));
  line('Still open', cell(r.stillOpen));
  heading('Times (wall-clock, from the report)');
  time(r.toAcknowledge, 'To acknowledge');
  time(r.toDecide, 'To decide');
  heading('Reports by kind');
  table(r.byKind);
  heading('Reports by rule');
  table(r.byRule);
  heading('Closed, by outcome');
  table(r.closedByOutcome);

  for (const chart of charts) {
    doc.addPage();
    SVGtoPDF(doc, chart.svg, 50, 50, { width: 495, preserveAspectRatio: 'xMinYMin meet' });
  }
  doc.end();
  return done;
}
