import type { ReportView } from '../core/workflow-types.js';
import { pdfDocument } from './pdf-document.js';
import type { MessageView } from './view-model.js';

/**
 * A case as a PDF (PDFKit), for a referral or a transfer: the record as the person
 * exporting it may see it, each evidence file's SHA-256, and when and by whom it was made.
 */
export function casePdf(v: ReportView, details: MessageView, meta: { schoolName: string; exportedBy: string; exportedAt: string }): Promise<Buffer> {
  const { doc, done } = pdfDocument({ title: `Case ${v.reference}`, author: meta.schoolName, subject: 'Safeguarding record: confidential' });
  doc.font('Helvetica-Bold').fontSize(10).fillColor('#a4161a').text('CONFIDENTIAL: SAFEGUARDING RECORD');
  doc.fillColor('#1b1b1b').fontSize(18).moveDown(0.3).text(`Case ${v.reference}`);
  doc.font('Helvetica').fontSize(10).fillColor('#505a5f').moveDown(0.2).text(`${meta.schoolName}. Exported by ${meta.exportedBy} at ${meta.exportedAt}.`);
  doc.fillColor('#1b1b1b').moveDown(0.8);
  for (const f of details.facts) {
    doc.font('Helvetica-Bold').fontSize(10).text(f.title);
    doc.font('Helvetica').fontSize(11).text(f.value, { indent: 12 }).moveDown(0.35);
  }
  for (const p of details.paragraphs) doc.font('Helvetica').fontSize(11).text(p).moveDown(0.3);
  if (v.evidence && v.evidence.length > 0) {
    doc.moveDown(0.5).font('Helvetica-Bold').fontSize(13).text('Evidence files (SHA-256)').moveDown(0.2);
    for (const e of v.evidence) doc.font('Helvetica').fontSize(9).text(`${e.fileName ?? e.mediaType} (${e.mediaType}, ${e.size} bytes): ${e.sha256}`).moveDown(0.2);
  }
  doc.end();
  return done;
}
