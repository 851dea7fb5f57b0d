import PDFDocument from 'pdfkit';

/**
 * An A4 PDF (PDFKit) with its title and author in the document's information, and the
 * finished file: write to `doc`, then `doc.end()`, and `done` resolves with the bytes.
 */
export function pdfDocument(info: { title: string; author: string; subject: string; createdAt?: Date }): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: info.title, Author: info.author, Subject: info.subject, ...(info.createdAt ? { CreationDate: info.createdAt } : {}) },
    pdfVersion: '1.7',
    lang: 'en-GB',
    displayTitle: true,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}
