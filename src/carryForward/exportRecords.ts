/**
 * The responses of an export file as read, before the edition is known (ReadExport), and then as previous
 * responses of that edition (toPreviousResponses): multi-choices split, the country checked, the respondent block.
 */
import type { Definition } from '../../dialogs';
import { MULTI_SEPARATOR } from '../admin/exports';
import { RESPONDENT_ITEMS } from '../admin/view';
import { countryName } from '../interview/parse/country';
import type { AnswerValue, ResponseStatus, StoredAnswer } from '../store/port';
import { ImportError } from './importProblem';
import type { PreviousResponse } from './previousRound';

/** One response of a file, as read: nothing interpreted yet but its metadata. */
export interface ExportRecord {
  /** The row of a CSV or XLSX file (as a spreadsheet numbers it), or the position of a response in a JSON array. */
  row: number;
  responseId?: string;
  /** The `country_code` column or the JSON `country.code`; empty when not given. */
  countryCode?: string;
  status?: ResponseStatus;
  submittedAt?: string | null;
  updatedAt?: string;
  /** The answers as written: text (a multi-choice joined by "; " in CSV and XLSX) or, in JSON, option ids. */
  values: Array<{ itemId: string; value: AnswerValue; cell?: string }>;
}

/** What a file holds: its responses, its item ids (columns or answer keys), and its edition when it says. */
export interface ReadExport {
  /** The edition recorded in the file (JSON `edition`, the XLSX Subject property); null when it does not say. */
  edition: string | null;
  /** The file's item ids: every item column of a CSV or XLSX file, every answered item of a JSON file. */
  itemIds: string[];
  /** True when `itemIds` are every item of the file's edition (the columns of CSV and XLSX). */
  complete: boolean;
  records: ExportRecord[];
}

/** A row without a country cannot be carried into any country's next round; it is skipped and reported. */
export interface SkippedRecord {
  row: number;
  reason: 'noCountry';
}

/** The records as previous responses of `def` (the file's edition); rows without a country are skipped. */
export function toPreviousResponses(read: ReadExport, def: Definition): { responses: PreviousResponse[]; skipped: SkippedRecord[] } {
  const responses: PreviousResponse[] = [];
  const skipped: SkippedRecord[] = [];
  const countryItem = def.items.find((item) => item.kind === 'country')?.id;
  const order = new Map(def.items.map((item, n) => [item.id, n]));
  for (const record of read.records) {
    const answers: StoredAnswer[] = record.values
      .filter((v) => v.value !== '' && !(Array.isArray(v.value) && v.value.length === 0))
      .map((v) => ({ itemId: v.itemId, value: def.byId.get(v.itemId)?.kind === 'multi' && typeof v.value === 'string' ? v.value.split(MULTI_SEPARATOR) : v.value }))
      .sort((a, b) => (order.get(a.itemId) ?? order.size) - (order.get(b.itemId) ?? order.size));
    const answered = answers.find((a) => a.itemId === countryItem)?.value;
    const country = countryOf(record, typeof answered === 'string' ? answered : undefined);
    if (!country) {
      skipped.push({ row: record.row, reason: 'noCountry' });
      continue;
    }
    const text = (id: string): string | null => {
      const value = answers.find((a) => a.itemId === id)?.value;
      return typeof value === 'string' ? value : null;
    };
    responses.push({
      ...(record.responseId ? { responseId: record.responseId } : {}),
      country,
      edition: def.questionnaire.id,
      ...(record.status ? { status: record.status } : {}),
      ...(record.submittedAt !== undefined ? { submittedAt: record.submittedAt } : {}),
      ...(record.updatedAt ? { updatedAt: record.updatedAt } : {}),
      respondent: {
        name: text(RESPONDENT_ITEMS.name),
        title: text(RESPONDENT_ITEMS.title),
        organization: text(RESPONDENT_ITEMS.organization),
        email: text(RESPONDENT_ITEMS.email),
      },
      answers,
    });
  }
  return { responses, skipped };
}

/** The record's country: a UN Member State's ISO alpha-3 code, the same in its metadata and its answer. */
function countryOf(record: ExportRecord, answered: string | undefined): string | null {
  const given = record.countryCode ?? '';
  for (const [code, column] of [
    [given, 'country_code'],
    [answered ?? '', 'country'],
  ] as const) {
    if (code !== '' && (!/^[A-Z]{3}$/.test(code) || countryName(code, 'en') === undefined)) {
      throw new ImportError({ code: 'country', row: record.row, column, value: code });
    }
  }
  if (given && answered && given !== answered) throw new ImportError({ code: 'countryMismatch', row: record.row, value: given, other: answered });
  return given || answered || null;
}
