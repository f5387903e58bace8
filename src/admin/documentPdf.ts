/**
 * Draws a filled questionnaire (documentModel.ts) as an A4 PDF with pdfkit.
 *
 * Font: DejaVu Sans (Debian's `fonts-dejavu-core`, also in most Linux images) when it is installed, embedded
 * as a subset. It covers Spanish and most Latin, Greek and Cyrillic text respondents paste, and has the ☒/☐
 * ballot boxes of the printed MSQ. Without it, pdfkit's built-in Helvetica is used: it needs no file and
 * handles every Spanish letter (á é í ó ú ü ñ ¿ ¡ are in its WinAnsi encoding), but nothing outside
 * Windows-1252 — other characters are shown as "?", and the boxes as [X] / [ ]. Text the font lacks never
 * changes the stored answers; the Markdown, CSV, XLSX and JSON exports keep everything verbatim.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { DocumentAnswer, DocumentEntry, DocumentModel } from './documentModel';

/** TrueType files for the three styles the document uses. */
export interface PdfFonts {
  regular: string;
  bold: string;
  italic: string;
}

export interface PdfOptions {
  /** The font files, or 'builtin' for Helvetica. Default: DejaVu Sans if installed, otherwise Helvetica. */
  fonts?: PdfFonts | 'builtin';
}

/** Words the renderer needs beyond the model. */
export interface PdfWords {
  notAnswered: string;
  page: (page: number, pages: number) => string;
  options: PdfOptions;
}

/** Where Linux distributions install DejaVu Sans (Debian/Ubuntu, Fedora, Alpine, Arch). */
const DEJAVU_DIRS = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu-sans-fonts',
  '/usr/share/fonts/dejavu',
  '/usr/share/fonts/ttf-dejavu',
  '/usr/share/fonts/TTF',
];

/** DejaVu Sans on this machine, or null. Looked up once. */
let systemFonts: PdfFonts | null | undefined;
export function findSystemFonts(): PdfFonts | null {
  if (systemFonts !== undefined) return systemFonts;
  const files = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', italic: 'DejaVuSans-Oblique.ttf' };
  const dir = DEJAVU_DIRS.find((d) => Object.values(files).every((f) => existsSync(join(d, f))));
  systemFonts = dir ? { regular: join(dir, files.regular), bold: join(dir, files.bold), italic: join(dir, files.italic) } : null;
  return systemFonts;
}

const MARGIN = { top: 56, bottom: 64, left: 56, right: 56 };
const INDENT = 18;
const COLOR = { text: '#000000', muted: '#555555', answer: '#0b2e59', heading: '#1f3864', band: '#dce6f2', rule: '#9fb3cc' };

/** Renders the model; resolves with the whole PDF. */
export function renderPdf(model: DocumentModel, words: PdfWords): Promise<Buffer> {
  const files = words.options.fonts === 'builtin' ? null : (words.options.fonts ?? findSystemFonts());
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: model.locale,
    displayTitle: true,
    info: { Title: model.title, Subject: model.footer, Creator: 'MSQ Bot' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  try {
    if (files) {
      doc.registerFont('regular', files.regular);
      doc.registerFont('bold', files.bold);
      doc.registerFont('italic', files.italic);
    } else {
      doc.registerFont('regular', 'Helvetica');
      doc.registerFont('bold', 'Helvetica-Bold');
      doc.registerFont('italic', 'Helvetica-Oblique');
    }
    doc.font('regular');
    const pen = createPen(doc, files ? glyphCheck(doc) : null);
    drawDocument(pen, model, words.notAnswered);
    drawFooters(pen, model.footer, words.page);
    doc.end();
  } catch (error) {
    doc.end();
    return done.then(() => Promise.reject(error));
  }
  return done;
}

/**
 * Whether the current embedded font has a glyph for a code point (pdfkit exposes its fontkit font as `font`);
 * null when that cannot be told.
 */
function glyphCheck(doc: PDFKit.PDFDocument): ((codePoint: number) => boolean) | null {
  const font = (doc as unknown as { _font?: { font?: { hasGlyphForCodePoint?: (c: number) => boolean } } })._font?.font;
  return typeof font?.hasGlyphForCodePoint === 'function' ? (c) => font.hasGlyphForCodePoint!(c) : null;
}

type Pen = ReturnType<typeof createPen>;

/**
 * Drawing helpers over one pdfkit document: text that flows across pages, text cleaned for the font. `has` tells
 * whether the embedded font draws a code point (null: the built-in Helvetica).
 */
function createPen(doc: PDFKit.PDFDocument, has: ((codePoint: number) => boolean) | null) {
  const left = MARGIN.left;
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  const unicode = has !== null && has(0x2612) && has(0x2610);
  const clean = has ? (text: string) => withGlyphs(text, has) : toWinAnsi;
  return {
    doc,
    left,
    width,
    /** The text as the font can draw it. */
    clean,
    box: (checked: boolean) => (unicode ? (checked ? '☒' : '☐') : checked ? '[X]' : '[ ]'),
    /** Starts a new page unless `height` points fit above the bottom margin. */
    keep(height: number) {
      if (doc.y + height > doc.page.height - MARGIN.bottom) doc.addPage();
    },
    write(text: string, style: { font: 'regular' | 'bold' | 'italic'; size: number; color?: string; indent?: number; align?: 'left' | 'center' | 'justify'; gap?: number }) {
      const indent = style.indent ?? 0;
      doc.font(style.font).fontSize(style.size).fillColor(style.color ?? COLOR.text);
      doc.text(clean(text), left + indent, doc.y, { width: width - indent, align: style.align ?? 'left', lineGap: 1.5 });
      if (style.gap) doc.moveDown(style.gap);
    },
    heightOf(text: string, font: 'regular' | 'bold' | 'italic', size: number, indent = 0) {
      doc.font(font).fontSize(size);
      return doc.heightOfString(clean(text), { width: width - indent, lineGap: 1.5 });
    },
  };
}

function drawDocument(pen: Pen, model: DocumentModel, notAnswered: string): void {
  const { doc } = pen;
  pen.write(model.title, { font: 'bold', size: 15, color: COLOR.heading, align: 'center', gap: 0.8 });
  for (const paragraph of model.intro) pen.write(paragraph, { font: 'regular', size: 8.5, color: COLOR.muted, align: 'justify', gap: 0.4 });
  doc.moveDown(0.6);

  band(pen, model.metaHeading);
  for (const { label, value } of model.meta) {
    pen.keep(14);
    doc.font('bold').fontSize(9.5).fillColor(COLOR.text);
    doc.text(`${pen.clean(label)}: `, pen.left, doc.y, { width: pen.width, continued: true, lineGap: 1.5 });
    doc.font('regular').text(pen.clean(value), { lineGap: 1.5 });
  }
  doc.moveDown(0.4);
  pen.write(model.requiredLegend, { font: 'italic', size: 8.5, color: COLOR.muted, gap: 0.8 });

  for (const section of model.sections) {
    pen.keep(90);
    band(pen, section.title);
    if (section.note) pen.write(section.note, { font: 'italic', size: 9, color: COLOR.muted, gap: 0.5 });
    for (const entry of section.entries) drawEntry(pen, entry, notAnswered);
    if (section.answeredBy) pen.write(section.answeredBy, { font: 'italic', size: 8, color: COLOR.muted, gap: 0.5 });
    doc.moveDown(0.6);
  }
  pen.keep(40);
  for (const paragraph of model.closing) pen.write(paragraph, { font: 'regular', size: 9.5, color: COLOR.muted, gap: 0.4 });
}

/** A section title on a coloured band. */
function band(pen: Pen, title: string): void {
  const { doc } = pen;
  const height = pen.heightOf(title, 'bold', 11.5, 12) + 8;
  pen.keep(height + 40);
  const top = doc.y;
  doc.rect(pen.left, top, pen.width, height).fill(COLOR.band);
  doc.font('bold').fontSize(11.5).fillColor(COLOR.heading);
  doc.text(pen.clean(title), pen.left + 6, top + 4, { width: pen.width - 12, lineGap: 1.5 });
  doc.y = top + height;
  doc.moveDown(0.5);
}

/** A question (or one of its parts or follow-ups), then its answer. */
function drawEntry(pen: Pen, entry: DocumentEntry, notAnswered: string): void {
  const indent = entry.level * INDENT;
  const wording = `${entry.number ? `${entry.number}. ` : ''}${entry.wording}${entry.required ? ' *' : ''}`;
  const font = entry.level === 0 ? 'bold' : 'italic';
  const size = entry.level === 0 ? 10 : 9.5;
  if (entry.heading) {
    pen.keep(pen.heightOf(entry.heading, 'bold', 10.5) + pen.heightOf(wording, font, size, indent) + 36);
    pen.write(entry.heading, { font: 'bold', size: 10.5, color: COLOR.heading, gap: 0.4 });
  }
  // Never leave a question alone at the bottom of a page: keep it with the first lines of its answer.
  pen.keep(pen.heightOf(wording, font, size, indent) + 28);
  pen.write(wording, { font, size, indent, gap: 0.25 });
  drawAnswer(pen, entry.answer, indent + 12, notAnswered);
  if (entry.carried) pen.write(entry.carried, { font: 'italic', size: 9, color: COLOR.muted, indent: indent + 12 });
  pen.doc.moveDown(0.6);
}

function drawAnswer(pen: Pen, answer: DocumentAnswer, indent: number, notAnswered: string): void {
  const missing = { font: 'italic' as const, size: 9.5, color: COLOR.muted, indent };
  if (answer.kind === 'text') {
    if (answer.text === null) pen.write(notAnswered, missing);
    else pen.write(answer.text, { font: 'regular', size: 10, color: COLOR.answer, indent });
    return;
  }
  const boxes = answer.boxes.map((b) => `${pen.box(b.checked)} ${b.label}`);
  if (answer.inline) pen.write(boxes.join('      '), { font: 'regular', size: 10, color: COLOR.answer, indent });
  else for (const line of boxes) pen.write(line, { font: 'regular', size: 10, color: COLOR.answer, indent, gap: 0.1 });
  if (!answer.answered) pen.write(notAnswered, missing);
}

/** "Title — Country" and "Page n of m" at the foot of every page. */
function drawFooters(pen: Pen, footer: string, page: (page: number, pages: number) => string): void {
  const { doc } = pen;
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin would otherwise make pdfkit open a new page.
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN.bottom + 24;
    doc.moveTo(pen.left, y - 6).lineTo(pen.left + pen.width, y - 6).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
    doc.font('regular').fontSize(7.5).fillColor(COLOR.muted);
    const number = page(i - start + 1, count);
    const numberWidth = doc.widthOfString(number) + 4;
    doc.text(pen.clean(footer), pen.left, y, { width: pen.width - numberWidth - 12, height: doc.currentLineHeight(), ellipsis: true });
    doc.text(number, pen.left + pen.width - numberWidth, y, { width: numberWidth, align: 'right', lineBreak: false });
    doc.page.margins.bottom = MARGIN.bottom;
  }
}

/** Control characters other than line breaks and tabs would draw as garbage. */
function dropControls(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '');
}

/** Characters the font cannot draw would vanish (blank in the page and in its text): shown as "?" instead. */
function withGlyphs(text: string, has: (codePoint: number) => boolean): string {
  return [...dropControls(text)].map((c) => (c === '\n' || c === '\t' || has(c.codePointAt(0)!) ? c : '?')).join('');
}

/** The Windows-1252 characters beyond Latin-1 (0x80–0x9F), which the built-in fonts can draw. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Text for the built-in Helvetica: Latin-1 and Windows-1252 kept (all of Spanish), anything else as "?". */
export function toWinAnsi(text: string): string {
  return [...dropControls(text)]
    .map((c) => {
      const code = c.codePointAt(0)!;
      return code === 0x0a || code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(c) ? c : '?';
    })
    .join('');
}
