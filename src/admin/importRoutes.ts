import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { i18n } from 'i18next';
import type { Definition } from '../../dialogs';
import { knownEditions } from '../../dialogs/editions';
import { editionIdSchema, type EditionMap } from '../../dialogs/editions/schema';
import type { QuestionnaireInput } from '../../dialogs/schema';
import { describeProblem, type ImportProblem } from '../carryForward/importProblem';
import { importFormatSchema, importPreviousRound, type ImportFormat } from '../carryForward/importRound';
import type { PreviousRoundSource } from '../carryForward/previousRoundSource';
import { pickLocale } from '../i18n';
import type { Logger } from '../logger';
import type { AdminApi } from './adminApi';

export interface ImportRoutesDeps {
  definition: Definition;
  i18n: i18n;
  logger: Logger;
  /** Where imported rounds are kept; without one, an import is checked and summarised, never saved. */
  previousRounds?: PreviousRoundSource;
  /** The editions a file may be in (default: dialogs/editions' knownEditions). */
  editions?: Readonly<Record<string, QuestionnaireInput>>;
  /** The maps between editions (dialogs/editions/*.json). */
  maps: readonly EditionMap[];
}

/** The largest file accepted: the export of every Member State's long answers, with room to spare. */
export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;

/** The content types a format may be sent with, when the query does not name it. */
const TYPES: Record<string, ImportFormat> = {
  'application/json': 'json',
  'text/csv': 'csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

/**
 * `POST /admin/imports?format=json|csv|xlsx[&edition=<id>][&lang=en|es][&dryRun=true]` (behind the admin token):
 * the body is one of the bot's own exports of a previous round. Answers 200 with a summary per country, saved
 * (each country's round replacing the one imported before) unless `dryRun` asks to check only or no
 * PreviousRoundSource is wired (`summary.saved` is false), or 400 with the problem, its message in the language
 * asked for, and nothing changed.
 *
 * The route runs before restify's body parser (a `pre` handler), which would refuse a file of this size or type:
 * the body is read here, up to IMPORT_MAX_BYTES.
 */
export function importRoutes(deps: ImportRoutesDeps, kit: AdminApi): (server: Server) => void {
  return (server) => {
    server.pre((req: Request, res: Response, next: (stop?: false) => void) => {
      if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://admin.invalid').pathname !== '/admin/imports') return next();
      handle(req, res).then(
        () => next(false),
        (error: unknown) => {
          deps.logger.error({ err: error }, 'admin: import failed');
          if (!res.headersSent) kit.sendJson(res, 500, { error: 'The request could not be completed; see the log.' });
          next(false);
        },
      );
    });
  };

  async function handle(req: Request, res: Response): Promise<void> {
    if (!kit.authorized(req)) {
      req.resume();
      return kit.unauthorized(req, res);
    }
    const query = new URL(req.url ?? '/', 'http://admin.invalid').searchParams;
    const lang = pickLocale(query.get('lang'), 'en');
    const refuse = (status: number, problem: ImportProblem) => {
      kit.sendJson(res, status, { error: describeProblem(problem, deps.i18n, lang), problem });
    };
    const format = importFormatSchema.safeParse(query.get('format') ?? TYPES[String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()]);
    if (!format.success) {
      req.resume();
      return refuse(400, { code: 'format' });
    }
    const dryRun = DRY_RUN.safeParse(query.get('dryRun') ?? 'false');
    if (!dryRun.success) {
      req.resume();
      return refuse(400, { code: 'dryRun', value: query.get('dryRun') ?? '' });
    }
    const edition = query.get('edition') || undefined;
    if (edition !== undefined && !editionIdSchema.safeParse(edition).success) {
      req.resume();
      return refuse(400, { code: 'editionUnknown', edition, other: Object.keys(deps.editions ?? knownEditions).join(', ') });
    }
    const data = await readBody(req, IMPORT_MAX_BYTES);
    if (data === null) {
      res.setHeader('Connection', 'close');
      return refuse(413, { code: 'tooLarge', expected: IMPORT_MAX_BYTES / (1024 * 1024) });
    }
    const result = await importPreviousRound({
      format: format.data,
      data,
      ...(edition ? { edition } : {}),
      current: deps.definition,
      ...(deps.editions ? { editions: deps.editions } : {}),
      maps: deps.maps,
      ...(deps.previousRounds && !dryRun.data ? { source: deps.previousRounds } : {}),
    });
    if (!result.ok) {
      deps.logger.info({ format: format.data, problem: result.problem.code, row: result.problem.row }, 'admin: previous round refused');
      return refuse(400, result.problem);
    }
    const { summary } = result;
    deps.logger.info({ format: summary.format, from: summary.fromEdition, countries: summary.countries.length, saved: summary.saved }, 'admin: previous round imported');
    const outcome = summary.saved ? 'saved' : deps.previousRounds ? 'dryRun' : 'notKept';
    kit.sendJson(res, 200, { summary, message: deps.i18n.getFixedT(lang)(`admin:import.${outcome}`) });
  }
}

/** `dryRun=true|false` (also 1/0, yes/no). */
const DRY_RUN = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The request body, or null when it is larger than `max` bytes (the rest is not read). */
async function readBody(req: Request, max: number): Promise<Buffer | null> {
  if (Number(req.headers['content-length'] ?? 0) > max) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
