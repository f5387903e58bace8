import ExcelJS from 'exceljs';
import { editionIdSchema } from '../../dialogs/editions/schema';
import type { ReadExport } from './exportRecords';
import { ImportError } from './importProblem';
import { readTableExport, type TableRow } from './readTableExport';

/**
 * Reads the XLSX export: sheet "Responses" laid out like the CSV; the edition from the workbook's Subject
 * property. Text cells are taken as they are; a number or yes/no cell (Excel turns "2030" into a number when a
 * person edits the file) as its text. A formula, a date or an error cell is refused, naming the cell.
 */
export async function readXlsxExport(data: Buffer): Promise<ReadExport> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch (error) {
    throw new ImportError({ code: 'notXlsx', detail: (error as Error).message });
  }
  const sheet = workbook.getWorksheet('Responses');
  if (!sheet) throw new ImportError({ code: 'noSheet', value: 'Responses' });
  const rows: TableRow[] = [];
  for (let n = 1; n <= sheet.rowCount; n++) {
    const row = sheet.getRow(n);
    const cells: string[] = [];
    const refs: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) {
      const cell = row.getCell(c);
      cells.push(cellText(cell, n));
      refs.push(cell.address);
    }
    rows.push({ row: n, cells, refs });
  }
  const subject = editionIdSchema.safeParse(workbook.subject);
  return readTableExport(rows, { edition: subject.success ? subject.data : null, exactWidth: false, cell: (text) => text });
}

/** A cell's text, or an ImportError for a formula, a date or an error value. */
function cellText(cell: ExcelJS.Cell, row: number): string {
  const value = cell.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((part) => part.text).join('');
  if (typeof value === 'object' && 'hyperlink' in value && typeof value.text === 'string') return value.text;
  throw new ImportError({ code: 'cellType', row, cell: cell.address, detail: value instanceof Date ? 'date' : 'formula' in value || 'sharedFormula' in value ? 'formula' : 'error' });
}
