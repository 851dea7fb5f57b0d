// svg-to-pdfkit ships no types: the one function the governors' report uses.
declare module 'svg-to-pdfkit' {
  function SVGtoPDF(doc: PDFKit.PDFDocument, svg: string, x?: number, y?: number, options?: { width?: number; height?: number; assumePt?: boolean; preserveAspectRatio?: string }): void;
  export default SVGtoPDF;
}
