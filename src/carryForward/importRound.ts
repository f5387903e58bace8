/**
 * The import of a previous round: one of the bot's own exports (JSON, CSV or XLSX) read back, its edition found,
 * its answers mapped to the current edition and classified, one response per country, and a summary. Nothing is
 * saved unless every row is sound; without a PreviousRoundSource it is a dry run.
 */
import { z } from 'zod';
import { loadDefinition, type Definition } from '../../dialogs';
import { checkEditionMap } from '../../dialogs/editions/check';
import { knownEditions } from '../../dialogs/editions';
import type { EditionMap } from '../../dialogs/editions/schema';
import type { QuestionnaireInput } from '../../dialogs/schema';
import { countryName } from '../interview/parse/country';
import { carryForward, sameEdition } from './carryForward';
import { toPreviousResponses, type ReadExport, type SkippedRecord } from './exportRecords';
import { ImportError, type ImportProblem } from './importProblem';
import type { PreviousAnswers, PreviousResponse } from './previousRound';
import type { PreviousRoundSource } from './previousRoundSource';
import { readCsvExport } from './readCsvExport';
import { readJsonExport } from './readJsonExport';
import { readXlsxExport } from './readXlsxExport';

/** The formats of the bot's exports. */
export const importFormatSchema = z.enum(['json', 'csv', 'xlsx']);
export type ImportFormat = z.infer<typeof importFormatSchema>;

export interface ImportOptions {
  format: ImportFormat;
  data: Buffer;
  /** The edition the file was answered in: needed when the file cannot tell (see findEdition), checked otherwise. */
  edition?: string;
  /** The current questionnaire. */
  current: Definition;
  /** The editions a file may be in, by id (default: dialogs/editions' knownEditions); the current one is added. */
  editions?: Readonly<Record<string, QuestionnaireInput>>;
  /** The maps between editions (default: none; see loadEditionMaps). */
  maps?: readonly EditionMap[];
  /** Where the mapped rounds are kept; without one, nothing is saved (a dry run). */
  source?: PreviousRoundSource;
  now?: Date;
}

/** What one country's previous round gives the next one. */
export interface CountrySummary {
  code: string;
  name: string;
  /** The response carried (the submitted one, or the latest, when the file has several for the country). */
  responseId: string | null;
  submittedAt: string | null;
  /** Answers the respondent may keep as they are. */
  carried: number;
  /** Answers shown for reference only, and why (counts by reason). */
  shownOnly: number;
  shownOnlyReasons: Record<string, number>;
  /** Items of the previous edition that the map removes. */
  removed: string[];
  /** Items that are not in the previous edition at all. */
  unknown: string[];
  /** Other responses of the same country in the file, not carried. */
  otherResponses: number;
}

export interface ImportSummary {
  format: ImportFormat;
  fromEdition: string;
  edition: string;
  /** Responses read from the file (rows, or entries of the JSON array). */
  responses: number;
  countries: CountrySummary[];
  skipped: SkippedRecord[];
  /** False for a dry run. */
  saved: boolean;
}

export type ImportResult = { ok: true; summary: ImportSummary; rounds: PreviousAnswers[] } | { ok: false; problem: ImportProblem };

/** Reads, checks, maps and (with a source) saves a previous round; a refusal changes nothing. */
export async function importPreviousRound(options: ImportOptions): Promise<ImportResult> {
  const now = options.now ?? new Date();
  let rounds: PreviousAnswers[];
  let summary: ImportSummary;
  try {
    const read = await readExport(options.format, options.data);
    const editions = definitions(options);
    const from = editions.get(findEdition(read, options.edition, editions))!;
    const map = editionMap(from, options.current, options.maps ?? []);
    const { responses, skipped } = toPreviousResponses(read, from);
    const chosen = onePerCountry(responses);
    rounds = chosen.map(({ response }) => carryForward(response, from, options.current, map, { importedAt: now }));
    summary = {
      format: options.format,
      fromEdition: from.questionnaire.id,
      edition: options.current.questionnaire.id,
      responses: read.records.length,
      countries: rounds.map((round, n) => countrySummary(round, chosen[n].others)),
      skipped,
      saved: false,
    };
  } catch (error) {
    if (error instanceof ImportError) return { ok: false, problem: { ...error.problem, format: options.format } };
    throw error;
  }
  if (options.source) {
    await options.source.save(rounds);
    summary.saved = true;
  }
  return { ok: true, summary, rounds };
}

async function readExport(format: ImportFormat, data: Buffer): Promise<ReadExport> {
  switch (format) {
    case 'json':
      return readJsonExport(data.toString('utf8'));
    case 'csv':
      return readCsvExport(data.toString('utf8'));
    case 'xlsx':
      return readXlsxExport(data);
  }
}

/** Every edition a file may be in, validated, the current one included as it is. */
function definitions(options: ImportOptions): Map<string, Definition> {
  const all = new Map<string, Definition>();
  for (const [id, input] of Object.entries(options.editions ?? knownEditions)) all.set(id, loadDefinition(input));
  all.set(options.current.questionnaire.id, options.current);
  return all;
}

/**
 * The file's edition: the one given, or the one the file records (JSON, XLSX), or the only known edition whose
 * items are exactly the file's columns (CSV, XLSX) or include every answered item (JSON).
 */
function findEdition(read: ReadExport, given: string | undefined, editions: ReadonlyMap<string, Definition>): string {
  if (given !== undefined && read.edition !== null && given !== read.edition) throw new ImportError({ code: 'editionConflict', edition: given, other: read.edition });
  const named = given ?? read.edition;
  if (named !== null) {
    if (!editions.has(named)) throw new ImportError({ code: 'editionUnknown', edition: named, other: [...editions.keys()].join(', ') });
    return named;
  }
  const fits = [...editions.values()].filter((def) =>
    read.complete ? def.items.length === read.itemIds.length && read.itemIds.every((id) => def.byId.has(id)) : read.itemIds.every((id) => def.byId.has(id)),
  );
  if (fits.length !== 1) throw new ImportError({ code: 'editionUndetected', other: [...editions.keys()].join(', ') });
  return fits[0].questionnaire.id;
}

/** The map from the file's edition to the current one, checked against both. */
function editionMap(from: Definition, to: Definition, maps: readonly EditionMap[]): EditionMap {
  if (from.questionnaire.id === to.questionnaire.id) return sameEdition(to.questionnaire.id);
  const map = maps.find((m) => m.from === from.questionnaire.id && m.to === to.questionnaire.id);
  if (!map) throw new ImportError({ code: 'noEditionMap', edition: from.questionnaire.id, other: to.questionnaire.id });
  const problems = checkEditionMap(map, from, to);
  if (problems.length) throw new ImportError({ code: 'editionMap', edition: from.questionnaire.id, other: to.questionnaire.id, detail: problems.join('; ') });
  return map;
}

/** One response per country: the submitted one, else the latest; how many others there were. */
function onePerCountry(responses: PreviousResponse[]): Array<{ response: PreviousResponse; others: number }> {
  const byCountry = new Map<string, PreviousResponse[]>();
  for (const response of responses) byCountry.set(response.country, [...(byCountry.get(response.country) ?? []), response]);
  const rank = (r: PreviousResponse) => `${r.status === 'submitted' ? 1 : 0}|${r.submittedAt ?? ''}|${r.updatedAt ?? ''}`;
  return [...byCountry.values()].map((list) => ({
    response: list.reduce((best, r) => (rank(r) > rank(best) ? r : best)),
    others: list.length - 1,
  }));
}

function countrySummary(round: PreviousAnswers, others: number): CountrySummary {
  const shownOnly = round.answers.filter((a) => a.fit === 'shownOnly');
  const reasons: Record<string, number> = {};
  for (const answer of shownOnly) reasons[answer.reason ?? 'invalid'] = (reasons[answer.reason ?? 'invalid'] ?? 0) + 1;
  return {
    code: round.country,
    name: countryName(round.country, 'en') ?? round.country,
    responseId: round.responseId,
    submittedAt: round.submittedAt,
    carried: round.answers.length - shownOnly.length,
    shownOnly: shownOnly.length,
    shownOnlyReasons: reasons,
    removed: round.dropped.filter((d) => d.reason === 'removed').map((d) => d.itemId),
    unknown: round.dropped.filter((d) => d.reason === 'unknown').map((d) => d.itemId),
    otherResponses: others,
  };
}
