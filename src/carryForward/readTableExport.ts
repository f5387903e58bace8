import { z } from 'zod';
import { META_COLUMN_IDS } from '../admin/exports';
import { responseStatusSchema } from '../store/port';
import type { ExportRecord, ReadExport } from './exportRecords';
import { ImportError } from './importProblem';

/** A row of a CSV or XLSX file: its number as a spreadsheet shows it, its cells, and (XLSX) their references. */
export interface TableRow {
  row: number;
  cells: string[];
  /** "B7" for each cell of an XLSX row. */
  refs?: string[];
}

const isoDate = z.iso.datetime();
const META = new Set(META_COLUMN_IDS);

/**
 * The CSV and XLSX exports' layout read back: row 1 the column ids, row 2 the English wording (ignored), then one
 * row per response. `exactWidth`: every row has as many cells as the header (CSV); otherwise missing trailing
 * cells are empty (XLSX leaves them out). Throws an ImportError naming the row and column at fault.
 */
export function readTableExport(rows: TableRow[], options: { edition: string | null; exactWidth: boolean; cell: (text: string) => string }): ReadExport {
  const header = rows[0];
  if (!header) throw new ImportError({ code: 'noRows' });
  const ids = [...header.cells];
  while (ids.length && ids[ids.length - 1] === '') ids.pop();
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (id.trim() === '') throw new ImportError({ code: 'emptyColumn', row: header.row, count: index + 1 });
    if (seen.has(id)) throw new ImportError({ code: 'duplicateColumn', row: header.row, column: id });
    seen.add(id);
  });
  if (!seen.has('country_code')) throw new ImportError({ code: 'missingColumn', row: header.row, column: 'country_code' });

  const records: ExportRecord[] = [];
  for (const { row, cells, refs } of rows.slice(2)) {
    if (cells.every((c) => c === '')) continue;
    const extra = cells.slice(ids.length).some((c) => c !== '');
    if (extra || (options.exactWidth && cells.length !== ids.length)) {
      throw new ImportError({ code: 'rowLength', row, count: cells.length, expected: ids.length });
    }
    const at = (id: string) => options.cell(cells[ids.indexOf(id)] ?? '');
    const date = (id: string): string | undefined => {
      const value = at(id);
      if (value === '' || !seen.has(id)) return undefined;
      if (!isoDate.safeParse(value).success) throw new ImportError({ code: 'date', row, column: id, value });
      return value;
    };
    const status = at('response_status');
    if (status !== '' && !responseStatusSchema.safeParse(status).success) throw new ImportError({ code: 'status', row, column: 'response_status', value: status });
    const submittedAt = date('submitted_at');
    const updatedAt = date('updated_at');
    date('created_at');
    records.push({
      row,
      ...(at('response_id') ? { responseId: at('response_id') } : {}),
      ...(at('country_code') ? { countryCode: at('country_code') } : {}),
      ...(status ? { status: status as z.infer<typeof responseStatusSchema> } : {}),
      ...(seen.has('submitted_at') ? { submittedAt: submittedAt ?? null } : {}),
      ...(updatedAt ? { updatedAt } : {}),
      values: ids.flatMap((id, index) => (META.has(id) ? [] : [{ itemId: id, value: options.cell(cells[index] ?? ''), ...(refs?.[index] ? { cell: refs[index] } : {}) }])),
    });
  }
  return { edition: options.edition, itemIds: ids.filter((id) => !META.has(id)), complete: true, records };
}
