/**
 * The import of a previous round from the command line: one of the bot's own exports (JSON, CSV or XLSX) checked,
 * mapped to the current edition of the questionnaire, summarised per country, and saved in the bot's store (the
 * one the environment names: MONGODB_URI, or DATA_DIR's embedded store, which the running bot may share).
 *
 *   npm run import -- --file FILE [--format json|csv|xlsx] [--edition ID] [--lang en|es] [--json] [--dry-run]
 *
 * The format comes from the file's extension unless --format says. --edition is needed only when the file does
 * not say (a CSV whose columns are not exactly one known edition's). --json prints the summary as JSON.
 * --dry-run checks and summarises only: the store is not even opened.
 *
 * A mistake in the command line exits with 2; a file that cannot be imported prints where and why, saves
 * nothing and exits with 1.
 */
import { promises as fs } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import type { i18n } from 'i18next';
import { z } from 'zod';
import { loadDefinition } from '../dialogs';
import { loadEditionMaps } from '../dialogs/editions';
import { adminText, describeProblem } from '../src/carryForward/importProblem';
import { importFormatSchema, importPreviousRound, type ImportSummary } from '../src/carryForward/importRound';
import { createI18n, locales, type Locale } from '../src/i18n';
import { createStorePreviousRounds } from '../src/carryForward/previousRoundSource';
import { loadEnv } from '../src/config/env';
import { createStore } from '../src/store';
import type { Store } from '../src/store/port';

/** A mistake in the command line: one line, exit code 2. */
class UsageError extends Error {}

/** The command line, validated. */
export const importArgsSchema = z.object({
  file: z.string({ error: '--file is required' }).trim().min(1, '--file needs a file name'),
  format: importFormatSchema.optional(),
  edition: z.string().trim().min(1).optional(),
  lang: z.enum(locales, { error: (iss) => `--lang ${String(iss.input)}: use en or es` }).default('en'),
  json: z.boolean().default(false),
  'dry-run': z.boolean().default(false),
});
export type ImportArgs = z.infer<typeof importArgsSchema>;

/** Reads the command line; a UsageError on anything wrong. */
export function parseImportArgs(argv: string[]): ImportArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { file: { type: 'string' }, format: { type: 'string' }, edition: { type: 'string' }, lang: { type: 'string' }, json: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const format = values.format ?? (typeof values.file === 'string' ? extname(values.file).slice(1).toLowerCase() : undefined);
  if (format !== undefined && !importFormatSchema.safeParse(format).success) {
    throw new UsageError(values.format ? `--format ${String(values.format)}: use json, csv or xlsx` : 'give --format json, csv or xlsx (the file name does not say)');
  }
  const parsed = importArgsSchema.safeParse({ ...values, format });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  return parsed.data;
}

export interface ImportIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}
const processIo: ImportIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Runs the import; the exit code. `openStore` opens the store to save into (default: the one the environment
 * names); it is not called for a dry run.
 */
export async function main(argv: string[], io: ImportIo = processIo, openStore: () => Store = storeOfEnv): Promise<number> {
  const args = parseImportArgs(argv);
  const data = await fs.readFile(args.file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--file ${args.file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const i18n = createI18n();
  const store = args['dry-run'] ? null : openStore();
  let result: Awaited<ReturnType<typeof importPreviousRound>>;
  try {
    await store?.init();
    result = await importPreviousRound({
      format: args.format!,
      data,
      ...(args.edition ? { edition: args.edition } : {}),
      current: loadDefinition(),
      maps: loadEditionMaps(),
      ...(store ? { source: createStorePreviousRounds(store) } : {}),
    });
  } finally {
    await store?.close();
  }
  if (!result.ok) {
    io.stderr(`import: ${adminText(i18n, args.lang, 'import.failed', { reason: describeProblem(result.problem, i18n, args.lang) })}`);
    return 1;
  }
  if (args.json) io.stdout(JSON.stringify(result.summary, null, 2));
  else for (const line of summaryLines(result.summary, i18n, args.lang)) io.stdout(line);
  io.stderr(`import: ${adminText(i18n, args.lang, result.summary.saved ? 'cli.import.saved' : 'cli.import.dryRun')}`);
  return 0;
}

/** The bot's store, as the environment names it. */
function storeOfEnv(): Store {
  const env = loadEnv();
  return createStore({ mongodbUri: env.MONGODB_URI, mongodbDb: env.MONGODB_DB, dataDir: env.DATA_DIR });
}

/** The summary as a table of text, in the survey team's language. */
export function summaryLines(summary: ImportSummary, i18n: i18n, lang: Locale): string[] {
  const text = (key: string, params: Record<string, unknown> = {}) => adminText(i18n, lang, key, params);
  const list = (ids: string[]) => (ids.length ? ids.join(', ') : text('import.none'));
  const header = ['colCountry', 'colCarried', 'colShownOnly', 'colRemoved', 'colUnknown', 'colOthers'].map((key) => text(`import.${key}`));
  const rows = summary.countries.map((c) => [`${c.name} (${c.code})`, String(c.carried), String(c.shownOnly), list(c.removed), list(c.unknown), String(c.otherResponses)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [
    text('import.summary', { countries: summary.countries.length, responses: summary.responses, fromEdition: summary.fromEdition, edition: summary.edition }),
    line(header),
    ...rows.map(line),
    ...(summary.skipped.length ? [text('import.skipped', { rows: summary.skipped.map((s) => s.row).join(', ') })] : []),
  ];
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`import: ${error.message} (usage: npm run import -- --file FILE [--format json|csv|xlsx] [--edition ID] [--lang en|es] [--json] [--dry-run])`);
        process.exitCode = 2;
      } else {
        console.error(`import: failed: ${(error as Error)?.message ?? String(error)}`);
        process.exitCode = 1;
      }
    },
  );
}
