/**
 * The survey team's data out: JSON (the admin view of each response), CSV and XLSX (one row per response, one
 * column per item in questionnaire order, a header row of item ids and one of English wording). Values are kept
 * verbatim — newlines, quotes, Unicode, every link — so that an export can be read back (src/carryForward/).
 */
import ExcelJS from 'exceljs';
import type { i18n } from 'i18next';
import type { Definition } from '../../dialogs';
import { translatorFor, type Translator } from '../i18n';
import type { DefinedItem } from '../interview/flow';
import type { ResponseDoc } from '../store/port';
import type { ResponseAttribution } from '../session/participants';
import { adminView, type AdminResponse } from './view';

/** The responses as a pretty-printed JSON array of admin views (see adminView). */
export function exportJson(docs: readonly ResponseDoc[], def: Definition, attributions?: ReadonlyMap<string, ResponseAttribution>): string {
  return `${JSON.stringify(
    docs.map((doc) => adminView(doc, def, attributions?.get(doc.id))),
    null,
    2,
  )}\n`;
}

/**
 * The responses as CSV (RFC 4180: CRLF between records, fields quoted when they hold a quote, comma or line
 * break, quotes doubled), preceded by a UTF-8 byte order mark so that Excel reads accents correctly. Two header
 * rows: column ids, then English wording. A cell starting with =, +, -, @, tab or CR gets a leading apostrophe,
 * so that a spreadsheet never runs it as a formula.
 */
export function exportCsv(docs: readonly ResponseDoc[], def: Definition, i18n: i18n): string {
  const table = responseTable(docs, def, i18n);
  const lines = [table.ids, table.wording, ...table.rows].map((row) => row.map((cell) => csvField(neutralise(cell))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * The responses as an Excel workbook: sheet "Responses" laid out like the CSV (every value a string cell, never
 * a formula), sheet "Questionnaire" with every item in English and Spanish, and sheet "Links" with every link
 * written in an answer. The workbook's Subject property is the questionnaire's edition (e.g. "msq-2022").
 */
export async function exportXlsx(docs: readonly ResponseDoc[], def: Definition, i18n: i18n, attributions?: ReadonlyMap<string, ResponseAttribution>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'MSQ Bot';
  workbook.subject = def.questionnaire.id;
  addResponsesSheet(workbook, responseTable(docs, def, i18n));
  addQuestionnaireSheet(workbook, def, i18n);
  addLinksSheet(workbook, docs, def, i18n);
  if (attributions) addAnsweredBySheet(workbook, docs, def, i18n, attributions);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The columns of the exports before the items; their ids have underscores, which item ids never have. */
const META_COLUMNS = [
  { id: 'response_id', label: 'id', value: (v: AdminResponse) => v.id },
  { id: 'country_code', label: 'countryCode', value: (v: AdminResponse) => v.country?.code ?? '' },
  { id: 'country_name', label: 'countryName', value: (v: AdminResponse) => v.country?.name ?? '' },
  { id: 'response_status', label: 'status', value: (v: AdminResponse) => v.status },
  { id: 'response_locale', label: 'locale', value: (v: AdminResponse) => v.locale },
  { id: 'created_at', label: 'createdAt', value: (v: AdminResponse) => v.createdAt },
  { id: 'updated_at', label: 'updatedAt', value: (v: AdminResponse) => v.updatedAt },
  { id: 'submitted_at', label: 'submittedAt', value: (v: AdminResponse) => v.submittedAt ?? '' },
] as const;

/** The ids of the columns before the items (the import reads them back). */
export const META_COLUMN_IDS: readonly string[] = META_COLUMNS.map((c) => c.id);

/** Separates the option ids of a multi-choice answer in one cell. */
export const MULTI_SEPARATOR = '; ';

/** Header rows and one row of strings per response; an unanswered or inapplicable item is an empty cell. */
export function responseTable(docs: readonly ResponseDoc[], def: Definition, i18n: i18n): { ids: string[]; wording: string[]; rows: string[][] } {
  const en = translatorFor(i18n, 'en');
  const ids = [...META_COLUMNS.map((c) => c.id), ...def.items.map((item) => item.id)];
  const wording = [...META_COLUMNS.map((c) => en(`document:export.column.${c.label}`)), ...def.items.map((item) => numbered(en, item))];
  const rows = docs.map((doc) => {
    const view = adminView(doc, def);
    const answers = def.items.map((item) => {
      const value = view.answers[item.id];
      return value === undefined ? '' : Array.isArray(value) ? value.join(MULTI_SEPARATOR) : value;
    });
    return [...META_COLUMNS.map((c) => c.value(view)), ...answers];
  });
  return { ids, wording, rows };
}

/** "17. Is there any legislation…": the item's wording with its printed question number. */
const numbered = (t: Translator, item: DefinedItem): string => {
  const wording = t(`questionnaire:item.${item.id}`);
  return item.number ? `${item.number}. ${wording}` : wording;
};

/**
 * A cell a spreadsheet would read as a formula (or, after a tab or CR, might) gets a leading apostrophe. So does
 * one that only looks neutralised already ("'=x"), so that `unneutralise` gives back every cell exactly.
 */
export function neutralise(cell: string): string {
  return /^'*[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** The cell as it was before `neutralise`: one leading apostrophe off a cell that neutralise would have made. */
export function unneutralise(cell: string): string {
  return /^'+[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** An RFC 4180 field: quoted (quotes doubled) when it holds a quote, comma or line break. */
function csvField(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** Sheet "Responses": the table, its two header rows frozen, long answers wrapped. */
function addResponsesSheet(workbook: ExcelJS.Workbook, table: ReturnType<typeof responseTable>): void {
  const sheet = workbook.addWorksheet('Responses', { views: [{ state: 'frozen', xSplit: 1, ySplit: 2 }] });
  sheet.addRow(table.ids).font = { bold: true };
  const wording = sheet.addRow(table.wording);
  wording.font = { italic: true };
  wording.alignment = { wrapText: true, vertical: 'top' };
  for (const row of table.rows) sheet.addRow(row.map(xlsxText)).alignment = { wrapText: true, vertical: 'top' };
  sheet.columns.forEach((column, index) => {
    column.width = index < META_COLUMNS.length ? 24 : 48;
  });
}

/** Sheet "Questionnaire": every item with its section, number, kind, condition, wording and options in both languages. */
function addQuestionnaireSheet(workbook: ExcelJS.Workbook, def: Definition, i18n: i18n): void {
  const en = translatorFor(i18n, 'en');
  const es = translatorFor(i18n, 'es');
  const sheet = workbook.addWorksheet('Questionnaire', { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  const header = ['id', 'section', 'number', 'kind', 'required', 'condition', 'wordingEn', 'wordingEs', 'optionsEn', 'optionsEs'];
  sheet.addRow(header.map((h) => en(`document:export.questionnaire.${h}`))).font = { bold: true };
  const options = (t: Translator, item: DefinedItem) => (item.options ?? []).map((id) => `${id}: ${t(`questionnaire:option.${item.id}.${id}`)}`).join('\n');
  for (const item of def.items) {
    const condition = item.when ? en(`document:export.condition.${item.when.op}`, { item: item.when.item, value: item.when.value }) : '';
    const row = sheet.addRow([
      item.id,
      item.section,
      item.number ?? '',
      item.kind,
      item.required ? 'yes' : 'no',
      condition,
      numbered(en, item),
      numbered(es, item),
      options(en, item),
      options(es, item),
    ]);
    row.alignment = { wrapText: true, vertical: 'top' };
  }
  const widths = [24, 10, 10, 10, 10, 26, 60, 60, 40, 40];
  sheet.columns.forEach((column, index) => {
    column.width = widths[index];
  });
}

/** Sheet "Links": one row per link written in an answer, and whether it is a well-formed http(s) URL. */
function addLinksSheet(workbook: ExcelJS.Workbook, docs: readonly ResponseDoc[], def: Definition, i18n: i18n): void {
  const en = translatorFor(i18n, 'en');
  const sheet = workbook.addWorksheet('Links', { views: [{ state: 'frozen', ySplit: 1 }] });
  const header = ['response', 'country', 'item', 'number', 'url', 'wellFormed'];
  sheet.addRow(header.map((h) => en(`admin:export.links.${h}`))).font = { bold: true };
  for (const doc of docs) {
    const view = adminView(doc, def);
    for (const [itemId, links] of Object.entries(view.links)) {
      for (const link of links) {
        sheet.addRow([view.id, view.country?.code ?? '', itemId, def.byId.get(itemId)?.number ?? '', xlsxText(link.url), link.wellFormed ? 'yes' : 'no']);
      }
    }
  }
  const widths = [38, 10, 24, 10, 80, 12];
  sheet.columns.forEach((column, index) => {
    column.width = widths[index];
  });
}

/** Sheet "Answered by": one row per answer, with who gave it and when (the participants of a country's team). */
function addAnsweredBySheet(workbook: ExcelJS.Workbook, docs: readonly ResponseDoc[], def: Definition, i18n: i18n, attributions: ReadonlyMap<string, ResponseAttribution>): void {
  const en = translatorFor(i18n, 'en');
  const sheet = workbook.addWorksheet('Answered by', { views: [{ state: 'frozen', ySplit: 1 }] });
  const header = ['response', 'country', 'item', 'number', 'answeredBy', 'lead', 'at'];
  sheet.addRow(header.map((h) => en(`admin:export.answeredBy.${h}`))).font = { bold: true };
  for (const doc of docs) {
    const attribution = attributions.get(doc.id);
    const view = adminView(doc, def, attribution);
    const leads = new Set(attribution?.participants.filter((p) => p.lead).map((p) => p.id));
    for (const item of def.items) {
      if (view.answers[item.id] === undefined) continue;
      const by = attribution?.answeredBy.get(item.id);
      const lead = by?.participantId !== undefined && leads.has(by.participantId);
      sheet.addRow([view.id, view.country?.code ?? '', item.id, item.number ?? '', xlsxText(by?.label ?? ''), lead ? 'yes' : 'no', by ? by.at.toISOString() : '']);
    }
  }
  const widths = [38, 10, 24, 10, 36, 8, 26];
  sheet.columns.forEach((column, index) => {
    column.width = widths[index];
  });
}

/**
 * A string as an XLSX cell keeps it exactly when read back (by Excel and by ExcelJS): a carriage return or other
 * control character is written as Excel's escape `_xHHHH_` (XML would turn CR LF into LF, and forbids the others),
 * and text that looks like such an escape gets its underscore escaped (`_x005F_`), as Excel does. A vertical tab
 * (a line break pasted from some office programs) stays a line break.
 */
const xlsxText = (cell: string): string =>
  cell
    .replace(/\u000B/g, '\n')
    .replace(/_(?=x[0-9A-F]{4}_)/g, '_x005F_')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000C-\u001F\u007F]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
