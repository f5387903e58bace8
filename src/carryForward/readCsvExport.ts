import { CsvError, parse } from 'csv-parse/sync';
import { unneutralise } from '../admin/exports';
import type { ReadExport } from './exportRecords';
import { ImportError } from './importProblem';
import { readTableExport, type TableRow } from './readTableExport';

/**
 * Reads the CSV export (RFC 4180, UTF-8 with or without a byte order mark): every record must have as many
 * fields as the header, and a cell neutralised against formulas ("'=…") gets its apostrophe back off, exactly.
 */
export function readCsvExport(text: string): ReadExport {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, relax_quotes: false, skip_empty_lines: false }) as string[][];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new ImportError({ code: 'csvSyntax', ...(line ? { row: line } : {}), detail: error.message });
    }
    throw error;
  }
  // A spreadsheet numbers records (one row each, whatever line breaks their cells hold); a blank line is no row.
  const rows: TableRow[] = records.map((cells, index) => ({ row: index + 1, cells: cells.length === 1 && cells[0] === '' ? [] : cells }));
  return readTableExport(rows, { edition: null, exactWidth: true, cell: unneutralise });
}
