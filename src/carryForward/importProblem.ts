/**
 * What is wrong with a file given to the import: a code, and where (row, column or cell), so that the survey
 * team reads it in English or Spanish (locales/<lng>/admin.json, `import.problem.<code>`).
 */
import type { i18n } from 'i18next';
import { translatorFor, type Locale } from '../i18n';

export type ImportProblemCode =
  | 'notJson'
  | 'notArray'
  | 'jsonResponse'
  | 'csvSyntax'
  | 'notXlsx'
  | 'noSheet'
  | 'noRows'
  | 'missingColumn'
  | 'emptyColumn'
  | 'duplicateColumn'
  | 'rowLength'
  | 'cellType'
  | 'country'
  | 'countryMismatch'
  | 'date'
  | 'status'
  | 'editionUnknown'
  | 'editionUndetected'
  | 'editionConflict'
  | 'editionMixed'
  | 'noEditionMap'
  | 'editionMap'
  | 'format'
  | 'dryRun'
  | 'tooLarge';

/** A problem with an import: its code and what the message needs. */
export interface ImportProblem {
  code: ImportProblemCode;
  /** The file's format, when known (a JSON file has responses where CSV and XLSX have rows). */
  format?: 'json' | 'csv' | 'xlsx';
  /** The row of a CSV or XLSX file (as a spreadsheet numbers it), or the position of a response in a JSON array (from 1). */
  row?: number;
  /** The column's id (its first header cell), e.g. "country_code" or "q4". */
  column?: string;
  /** The cell of an XLSX file, e.g. "B7". */
  cell?: string;
  /** The value at fault, shortened. */
  value?: string;
  /** A technical detail (a parser's message), in English. */
  detail?: string;
  edition?: string;
  other?: string;
  count?: number;
  expected?: number;
}

/** Thrown while reading a file; the import turns it into a refusal that changes nothing. */
export class ImportError extends Error {
  constructor(readonly problem: ImportProblem) {
    super(`import: ${problem.code}${problem.row ? ` (row ${problem.row})` : ''}${problem.detail ? `: ${problem.detail}` : ''}`);
  }
}

/** The problem in the survey team's language: where ("Row 7, column q4", "Cell B7", "Response 3"), then what. */
export function describeProblem(problem: ImportProblem, i18n: i18n, locale: Locale): string {
  const text = (key: string, params: Record<string, unknown> = {}) => adminText(i18n, locale, key, params);
  let where = '';
  if (problem.cell) where = text('import.where.cell', { cell: problem.cell });
  else if (problem.row !== undefined) {
    const unit = problem.code === 'csvSyntax' ? 'line' : problem.format === 'json' ? 'response' : 'row';
    where = text(`import.where.${unit}`, { row: problem.row });
    if (problem.column) where = text('import.where.column', { where, column: problem.column });
  }
  const what = text(`import.problem.${problem.code}`, { ...problem, value: problem.value === undefined ? undefined : shorten(problem.value) });
  return where ? text('import.where', { where, what }) : what;
}

/** A text of locales/<lng>/admin.json with its `{name}` placeholders filled (the dashboard's format). */
export function adminText(i18n: i18n, locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  const template = translatorFor(i18n, locale)(`admin:${key}`);
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (params[name] === undefined ? '' : String(params[name])));
}

/** At most 60 characters, on one line. */
const shorten = (value: string): string => {
  const line = value.replace(/\s+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
};
