import type { ReportView } from '../core/workflow-types.js';
import { formatLocal } from '../core/working-time.js';
import { chronologyWords } from './case-views.js';
import { pdfDocument } from './pdf-document.js';
import type { MessageView } from './view-model.js';

type Doc = PDFKit.PDFDocument;

/** One case's record: its facts and paragraphs, each evidence file's SHA-256, then its chronology (school time). */
function writeCase(doc: Doc, v: ReportView, details: MessageView, timeZone: string): void {
  for (const f of details.facts) {
    doc.font('Helvetica-Bold').fontSize(10).text(f.title);
    doc.font('Helvetica').fontSize(11).text(f.value, { indent: 12 }).moveDown(0.35);
  }
  for (const p of details.paragraphs) doc.font('Helvetica').fontSize(11).text(p).moveDown(0.3);
  if (v.evidence && v.evidence.length > 0) {
    doc.moveDown(0.5).font('Helvetica-Bold').fontSize(13).text('Evidence files (SHA-256)').moveDown(0.2);
    for (const e of v.evidence) doc.font('Helvetica').fontSize(9).text(`${e.fileName ?? e.mediaType} (${e.mediaType}, ${e.size} bytes): ${e.sha256}`).moveDown(0.2);
  }
  // The chronology: what a referral or the next school needs as much as the form (KCSIE:
  // every concern, discussion, decision and reason).
  if (v.chronology && v.chronology.length > 0) {
    doc.moveDown(0.5).font('Helvetica-Bold').fontSize(13).text('Chronology').moveDown(0.2);
    for (const e of v.chronology)
      doc.font('Helvetica').fontSize(10).text(`${formatLocal(new Date(e.at), timeZone)}: ${chronologyWords(e)}`).moveDown(0.15);
  }
}

function confidential(doc: Doc): void {
  doc.font('Helvetica-Bold').fontSize(10).fillColor('#a4161a').text('CONFIDENTIAL: SAFEGUARDING RECORD');
}

/**
 * A case as a PDF (PDFKit), for a referral or a transfer: the record as the person
 * exporting it may see it, each evidence file's SHA-256, and when and by whom it was made.
 */
export function casePdf(v: ReportView, details: MessageView, meta: { schoolName: string; exportedBy: string; exportedAt: string; timeZone: string }): Promise<Buffer> {
  const { doc, done } = pdfDocument({ title: `Case ${v.reference}`, author: meta.schoolName, subject: 'Safeguarding record: confidential' });
  confidential(doc);
  doc.fillColor('#1b1b1b').fontSize(18).moveDown(0.3).text(`Case ${v.reference}`);
  doc.font('Helvetica').fontSize(10).fillColor('#505a5f').moveDown(0.2).text(`${meta.schoolName}. Exported by ${meta.exportedBy} at ${meta.exportedAt}.`);
  doc.fillColor('#1b1b1b').moveDown(0.8);
  writeCase(doc, v, details, meta.timeZone);
  doc.end();
  return done;
}

export interface TransferPackMeta {
  schoolName: string;
  toSchool: string;
  code: string;
  /** When the transfer was recorded and its receipt is due, as the school's local time in words. */
  sentAt: string;
  dueAt: string;
  exportedBy: string;
  exportedAt: string;
  /** The school's time zone, for the chronology's times. */
  timeZone: string;
}

/**
 * A transfer pack (issue 14, item 7): one PDF with every case of the pupil the DSL chose
 * for their next school. A cover page (the receiving school, the one receipt code and
 * its five-school-day deadline, the cases in it), then each case on its own pages, each
 * headed with the transfer it went in.
 */
export function transferPackPdf(cases: { view: ReportView; details: MessageView }[], meta: TransferPackMeta): Promise<Buffer> {
  const { doc, done } = pdfDocument({ title: `Transfer ${meta.code}`, author: meta.schoolName, subject: 'Safeguarding record: confidential transfer' });
  confidential(doc);
  doc.fillColor('#1b1b1b').fontSize(18).moveDown(0.3).text(`Transfer of a pupil's safeguarding file: ${meta.code}`);
  doc.font('Helvetica').fontSize(10).fillColor('#505a5f').moveDown(0.2).text(`From ${meta.schoolName}. Made by ${meta.exportedBy} at ${meta.exportedAt}.`);
  doc.fillColor('#1b1b1b').moveDown(0.8);
  const fact = (title: string, value: string) => {
    doc.font('Helvetica-Bold').fontSize(10).text(title);
    doc.font('Helvetica').fontSize(11).text(value, { indent: 12 }).moveDown(0.35);
  };
  fact('To', meta.toSchool);
  fact('Receipt code', meta.code);
  fact('Sent', meta.sentAt);
  fact('Receipt due by (five school days)', meta.dueAt);
  fact(`Cases in this pack (${cases.length})`, cases.map((c) => `${c.view.reference}: ${c.view.kindLabel}`).join('\n'));
  doc
    .font('Helvetica')
    .fontSize(11)
    .moveDown(0.5)
    .text(`To the receiving school's DSL: please confirm receipt by giving the code ${meta.code} to ${meta.schoolName}'s DSL. Keep this file securely, as your own child-protection records.`);
  for (const c of cases) {
    doc.addPage();
    confidential(doc);
    doc.fillColor('#1b1b1b').fontSize(18).moveDown(0.3).text(`Case ${c.view.reference}`);
    doc.font('Helvetica').fontSize(10).fillColor('#505a5f').moveDown(0.2).text(`Transferred to ${meta.toSchool} at ${meta.sentAt} (receipt code ${meta.code}).`);
    doc.fillColor('#1b1b1b').moveDown(0.8);
    writeCase(doc, c.view, c.details, meta.timeZone);
  }
  doc.end();
  return done;
}
