import type { Server } from 'restify';
import { z } from 'zod';
import type { Definition } from '../../dialogs';
import type { Logger } from '../logger';
import type { ResponseDoc, Store } from '../store/port';
import { idSchema, type AdminApi } from './adminApi';
import { checkLinks, type LinkCheckOptions, type LinkResult } from './linkCheck';
import { extractLinks } from '../interview/parse/links';
import { adminView } from './view';

export interface LinkRoutesDeps {
  store: Pick<Store, 'getResponse'>;
  definition: Definition;
  logger: Logger;
  options: LinkCheckOptions;
}

/** One link of a response and what its check found. */
export const linkReportEntrySchema = z.object({
  itemId: z.string(),
  /** The printed question number; null in the respondent block. */
  number: z.string().nullable(),
  url: z.string(),
  wellFormed: z.boolean(),
  result: z.enum(['live', 'blocked', 'dead', 'malformed', 'notChecked']),
  /** The last HTTP status, when there was one. */
  status: z.number().int().optional(),
  /** Why a link is dead or was not checked (see linkCheck.ts). */
  reason: z.enum(['http', 'timeout', 'dns', 'connection', 'tls', 'redirects', 'privateAddress', 'scheme', 'limit']).optional(),
  /** Where a live link ended after redirects. */
  finalUrl: z.string().optional(),
});

/** The answer of `POST /admin/responses/:id/links/check`. */
export const linkReportSchema = z.object({
  id: z.string(),
  checkedAt: z.iso.datetime(),
  counts: z.record(linkReportEntrySchema.shape.result, z.number().int().min(0)),
  links: z.array(linkReportEntrySchema),
});
export type LinkReport = z.infer<typeof linkReportSchema>;

/**
 * `POST /admin/responses/:id/links/check` (behind the admin token): checks every link written in the response's
 * answers from the server (see linkCheck.ts) and answers with one entry per link, in questionnaire order.
 */
export function linkRoutes(deps: LinkRoutesDeps, kit: AdminApi): (server: Server) => void {
  return (server) => {
    server.post('/admin/responses/:id/links/check', kit.api(async (req, res) => {
      const id = idSchema.safeParse(req.params.id);
      const doc = id.success ? await deps.store.getResponse(id.data) : null;
      if (!doc) return kit.notFound(res, 'response');
      const report = await linkReport(doc, deps.definition, deps.options);
      deps.logger.info({ response: doc.id, counts: report.counts }, 'admin: links checked');
      kit.sendJson(res, 200, report);
    }));
  };
}

/** Checks the links of the answers that apply to a response. */
async function linkReport(doc: ResponseDoc, def: Definition, options: LinkCheckOptions): Promise<LinkReport> {
  const view = adminView(doc, def);
  const found = Object.entries(view.answers).flatMap(([itemId, value]) => extractLinks(value).map((link) => ({ itemId, ...link })));
  const results = await checkLinks(found.map((link) => link.href), options);
  const links = found.map((link, n) => entry(link.itemId, def.byId.get(link.itemId)?.number ?? null, link.url, link.href !== null, results[n]));
  const counts = { live: 0, blocked: 0, dead: 0, malformed: 0, notChecked: 0 };
  for (const link of links) counts[link.result]++;
  return { id: doc.id, checkedAt: new Date().toISOString(), counts, links };
}

const entry = (itemId: string, number: string | null, url: string, wellFormed: boolean, check: LinkResult): LinkReport['links'][number] => ({
  itemId,
  number,
  url,
  wellFormed,
  ...check,
});
