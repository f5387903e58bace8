/**
 * The survey team's exports from the command line, reading the same store as the bot (MONGODB_URI, or the
 * embedded store under DATA_DIR).
 *
 *   npm run export -- --format json|csv|xlsx [--out FILE] [--status submitted|in_progress]
 *   npm run export -- --response <id> --format md|pdf [--lang en|es] [--out FILE]
 *
 * JSON, CSV and Markdown go to stdout unless --out is given; XLSX and PDF are binary and need --out. A mistake in
 * the command line prints one line and exits with 2; a failure (store unreachable, unknown response) exits with 1.
 *
 * The embedded store may be opened by several processes at once (see src/store/embedded.ts): the export reads
 * the bot's store directly, also while the bot runs.
 */
import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { i18n } from 'i18next';
import { loadDefinition, type Definition } from '../dialogs';
import { documentMarkdown, documentPdf } from '../src/admin/document';
import { exportCsv, exportJson, exportXlsx } from '../src/admin/exports';
import { attributionsOf, type ResponseAttribution } from '../src/session/participants';
import { ConfigError, loadEnv, type Env } from '../src/config/env';
import { createI18n, locales } from '../src/i18n';
import { createStore } from '../src/store';
import { responseStatusSchema, type ResponseDoc, type Store } from '../src/store/port';

const USAGE =
  'usage: npm run export -- --format json|csv|xlsx [--out FILE] [--status submitted|in_progress]  |  --response ID --format md|pdf [--lang en|es] [--out FILE]';

/** A mistake in the command line: one line, exit code 2. */
class UsageError extends Error {}

const TABLE_FORMATS = ['json', 'csv', 'xlsx'] as const;
const DOCUMENT_FORMATS = ['md', 'pdf'] as const;
const BINARY_FORMATS: readonly string[] = ['xlsx', 'pdf'];

/** The command line, validated. */
export const exportArgsSchema = z
  .object({
    format: z.enum([...TABLE_FORMATS, ...DOCUMENT_FORMATS], {
      error: (iss) => (iss.input === undefined ? '--format is required (json, csv, xlsx, md or pdf)' : `--format ${String(iss.input)}: use json, csv, xlsx, md or pdf`),
    }),
    out: z.string().trim().min(1, '--out needs a file name').optional(),
    status: z.enum(responseStatusSchema.options, { error: (iss) => `--status ${String(iss.input)}: use submitted or in_progress` }).optional(),
    response: z.string().trim().min(1, '--response needs a response id').optional(),
    lang: z.enum(locales, { error: (iss) => `--lang ${String(iss.input)}: use en or es` }).optional(),
    help: z.boolean().optional(),
  })
  .superRefine((args, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
    const isDocument = (DOCUMENT_FORMATS as readonly string[]).includes(args.format);
    if (isDocument && args.response === undefined) problem(`--format ${args.format} makes the document of one response: give --response ID`);
    if (!isDocument && args.response !== undefined) problem('--response makes one document: use --format md or pdf');
    if (isDocument && args.status !== undefined) problem('--status filters json, csv and xlsx exports, not a document');
    if (!isDocument && args.lang !== undefined) problem('--lang is for documents (--format md or pdf); exports carry every language');
    if (BINARY_FORMATS.includes(args.format) && args.out === undefined) problem(`--format ${args.format} writes a binary file: give --out FILE`);
  });
export type ExportArgs = z.infer<typeof exportArgsSchema>;

/** Reads the command line; a UsageError on anything wrong. */
export function parseExportArgs(argv: string[]): ExportArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string' },
        out: { type: 'string' },
        status: { type: 'string' },
        response: { type: 'string' },
        lang: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  if (values.help) return { format: 'json', help: true };
  const parsed = exportArgsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  return parsed.data;
}

/** Where the output goes: stdout, and a line of news on stderr. */
export interface ExportIo {
  stdout: (data: string) => void;
  stderr: (line: string) => void;
}
const processIo: ExportIo = {
  stdout: (data) => process.stdout.write(data),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the export; the exit code. */
export async function main(argv: string[], io: ExportIo = processIo, source: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseExportArgs(argv);
  if (args.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const env = loadEnv(source);
  const def = loadDefinition();
  const i18n = createI18n();
  const output = await withStore(env, async (store): Promise<{ data: string | Buffer; count: number } | null> => {
    if (args.response !== undefined) {
      const doc = await store.getResponse(args.response);
      if (!doc) return null;
      const locale = args.lang ?? 'en';
      const attribution = (await attributionsOf(store, [doc])).get(doc.id);
      const data = args.format === 'pdf' ? await documentPdf(doc, def, i18n, locale, {}, attribution) : documentMarkdown(doc, def, i18n, locale, attribution);
      return { data, count: 1 };
    }
    const docs = await store.listResponses(args.status ? { status: args.status } : {});
    const attributions = args.format === 'csv' ? undefined : await attributionsOf(store, docs);
    return { data: await tableExport(args.format, docs, def, i18n, attributions), count: docs.length };
  });
  if (!output) {
    io.stderr(`export: no response has the id ${args.response} (see the response_id column of a csv export).`);
    return 1;
  }
  if (args.out !== undefined) {
    await fs.writeFile(args.out, output.data);
    const what = args.response !== undefined ? `the ${args.format} document of ${args.response}` : `${output.count} response(s) as ${args.format}`;
    io.stderr(`export: wrote ${what} to ${args.out}`);
  } else {
    io.stdout(typeof output.data === 'string' ? output.data : output.data.toString('utf8'));
  }
  return 0;
}

/** The responses in one of the table formats. */
async function tableExport(format: ExportArgs['format'], docs: ResponseDoc[], def: Definition, i18n: i18n, attributions?: Map<string, ResponseAttribution>): Promise<string | Buffer> {
  if (format === 'csv') return exportCsv(docs, def, i18n);
  if (format === 'xlsx') return exportXlsx(docs, def, i18n, attributions);
  return exportJson(docs, def, attributions);
}

/** Opens the bot's store (MongoDB as configured, or the embedded store under DATA_DIR), closed afterwards. */
async function withStore<T>(env: Env, use: (store: Store) => Promise<T>): Promise<T> {
  if (!env.MONGODB_URI) {
    const stat = await fs.stat(env.DATA_DIR).catch(() => null);
    if (!stat?.isDirectory()) throw new Error(`DATA_DIR ${env.DATA_DIR} is not a folder; set DATA_DIR (or MONGODB_URI) as for the bot`);
  }
  const store = createStore({ mongodbUri: env.MONGODB_URI, mongodbDb: env.MONGODB_DB, dataDir: env.DATA_DIR });
  try {
    await store.init();
    return await use(store);
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`export: ${error.message} (${USAGE})`);
        process.exitCode = 2;
      } else if (error instanceof ConfigError) {
        console.error(error.message);
        process.exitCode = 2;
      } else {
        console.error(`export: failed: ${(error as Error)?.message ?? String(error)}`);
        process.exitCode = 1;
      }
    },
  );
}
