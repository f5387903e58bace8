import { join } from 'node:path';
import type { i18n } from 'i18next';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { Definition } from '../../dialogs';
import { loadResources, locales, translatorFor, type Locale } from '../i18n';
import { itemLabel } from '../interview/render';
import type { Logger } from '../logger';
import { responseStatusSchema, type Participant, type ResponseDoc, type Store } from '../store/port';
import { fileRoute, publicDir } from '../webchat/static';
import { adminHeaders, createAdminApi, idSchema, JSON_TYPE, type AdminApi } from './adminApi';
import { documentMarkdown, documentPdf } from './document';
import { exportCsv, exportJson, exportXlsx } from './exports';
import { createInvitation, invitationLink, invitationView, MAX_EXPIRY_DAYS, parseDuration } from './invitations';
import { attributionsOf } from '../session/participants';
import { isNamed } from '../session/team';
import { adminView } from './view';
import { linkRoutes } from './linkRoutes';
import { importRoutes } from './importRoutes';
import { loadEditionMaps } from '../../dialogs/editions';
import type { EditionMap } from '../../dialogs/editions/schema';
import type { QuestionnaireInput } from '../../dialogs/schema';
import type { PreviousRoundSource } from '../carryForward/previousRoundSource';
import type { LinkCheckOptions } from './linkCheck';
import type { ReviewService } from '../review/flags';
import type { Reminders } from '../review/reminders';
import { reviewRoutes } from '../review/routes';

export interface AdminDeps {
  /** ADMIN_TOKEN: the bearer token of every `/admin` API call. */
  token: string;
  store: Store;
  definition: Definition;
  i18n: i18n;
  logger: Logger;
  /** Where respondents reach the web chat (the base of invitation links); known once the server listens. */
  publicUrl: () => string;
  now?: () => Date;
  /** How `POST /admin/responses/:id/links/check` checks links (tests allow their local server's address). */
  linkCheck?: LinkCheckOptions;
  /** Where `POST /admin/imports` keeps previous rounds (the app wires the store's); without one it checks and summarises only. */
  previousRounds?: PreviousRoundSource;
  /** The editions an imported file may be in (default: dialogs/editions' knownEditions). */
  editions?: Readonly<Record<string, QuestionnaireInput>>;
  /** The maps between editions (default: the files of dialogs/editions, read when the routes are made). */
  editionMaps?: readonly EditionMap[];
  /** The survey team's flags on submitted responses (`/admin/responses/:id/flags`); absent, those routes are not mounted. */
  review?: ReviewService;
  /** The reminders of the deadline (`POST /admin/reminders/run`). */
  reminders?: Reminders;
}

/** Who erases a response from the dashboard or the API, in the audit trail. */
export const SURVEY_TEAM = { channel: 'admin', userId: 'survey-team' } as const;

/** The formats of one response, and their content types and file extensions. */
const FORMATS = {
  json: { type: JSON_TYPE, ext: 'json' },
  csv: { type: 'text/csv; charset=utf-8', ext: 'csv' },
  xlsx: { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' },
  md: { type: 'text/markdown; charset=utf-8', ext: 'md' },
  pdf: { type: 'application/pdf', ext: 'pdf' },
} as const;
type Format = keyof typeof FORMATS;

const listQuery = z.object({ status: responseStatusSchema.optional() });
const oneQuery = z.object({ format: z.enum(['json', 'csv', 'xlsx', 'md', 'pdf']).default('json'), lang: z.enum(locales).default('en') });
const exportQuery = z.object({ format: z.enum(['json', 'csv', 'xlsx']).default('json'), status: responseStatusSchema.optional() });
/** A section a participant may hold (A–H; the contact block goes with the lead). */
const sectionLetter = z.enum(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);

const invitationBody = z.object({
  country: z.string().trim().min(1).max(200),
  email: z.union([z.literal(''), z.email().max(320)]).optional(),
  expires: z.string().max(10).optional(),
  /** The participant with this invitation leads the country's response. */
  lead: z.boolean().optional(),
  /** Sections assigned to them. */
  sections: z.array(sectionLetter).max(8).optional(),
});

/** `PUT /admin/responses/:id/assignments`: each named participant (id or e-mail) holds exactly these sections. */
const assignmentsBody = z.object({
  assignments: z.array(z.object({ participant: z.string().trim().min(1).max(320), sections: z.array(sectionLetter).max(8) })).min(1).max(50),
});

/** The dashboard's policy: this server's own script, style and data only; never framed. */
export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The survey team's API and dashboard, mounted only when ADMIN_TOKEN is set. Every `/admin/…` API call needs
 * `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant time over SHA-256 digests); the dashboard's page,
 * script, style and texts carry no data and are served without it (the page asks for the token).
 *
 * - `GET /admin/responses[?status=]` — every response as the survey team reads it (see view.ts)
 * - `GET /admin/responses/:id?format=json|csv|xlsx|md|pdf[&lang=en|es]` — one response, as data or as the filled questionnaire
 * - `DELETE /admin/responses/:id` — erase it (only a content-free erasure event stays)
 * - `GET /admin/export?format=json|csv|xlsx[&status=]` — all responses
 * - `GET|POST /admin/invitations`, `DELETE /admin/invitations/:id` — list, make, revoke invitations
 * - `POST /admin/responses/:id/links/check` — whether the links of a response answer (see linkRoutes.ts)
 * - `POST /admin/imports?format=` — a previous round's export checked, mapped and summarised (see importRoutes.ts)
 * - `GET|POST /admin/responses/:id/flags` — the survey team asks back about an item of a submitted response (see review/routes.ts)
 * - `GET|PUT /admin/settings`, `POST /admin/reminders/run` — the deadline and its reminders (see review/routes.ts)
 */
export function adminRoutes(deps: AdminDeps): (server: Server) => void {
  const { store, definition: def, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const kit: AdminApi = createAdminApi(deps);
  const { api, send, badRequest, notFound } = kit;
  const editionMaps = deps.editionMaps ?? loadEditionMaps();

  /** A response in one of the formats, with its file name. */
  async function render(doc: ResponseDoc, format: Format, lang: Locale): Promise<string | Buffer> {
    const attributions = await attributionsOf(store, [doc]);
    const attribution = attributions.get(doc.id);
    switch (format) {
      case 'json':
        return json(adminView(doc, def, attribution));
      case 'csv':
        return exportCsv([doc], def, deps.i18n);
      case 'xlsx':
        return exportXlsx([doc], def, deps.i18n, attributions);
      case 'md':
        return documentMarkdown(doc, def, deps.i18n, lang, attribution);
      case 'pdf':
        return documentPdf(doc, def, deps.i18n, lang, {}, attribution);
    }
  }

  return (server: Server) => {
    // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3), but restify's body
    // parser would refuse a bodiless DELETE from fetch() as an unsupported media type: say so before it runs.
    server.pre((req: Request, _res: Response, next: () => void) => {
      if (req.method === 'DELETE' && req.url?.startsWith('/admin/') && req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
        req.headers['content-length'] = '0';
      }
      next();
    });
    importRoutes({ definition: def, i18n: deps.i18n, logger, maps: editionMaps, ...(deps.previousRounds ? { previousRounds: deps.previousRounds } : {}), ...(deps.editions ? { editions: deps.editions } : {}) }, kit)(server);
    mountDashboard(server, send, def, deps.i18n);

    server.get('/admin/responses', api(async (_req, res, query) => {
      const parsed = listQuery.safeParse(query);
      if (!parsed.success) return badRequest(res, parsed.error);
      const docs = await store.listResponses(parsed.data.status ? { status: parsed.data.status } : {});
      const attributions = await attributionsOf(store, docs);
      send(res, 200, json(docs.map((doc) => adminView(doc, def, attributions.get(doc.id)))), FORMATS.json.type);
    }));

    server.get('/admin/responses/:id', api(async (req, res, query) => {
      const id = idSchema.safeParse(req.params.id);
      const parsed = oneQuery.safeParse(query);
      if (!parsed.success) return badRequest(res, parsed.error);
      const doc = id.success ? await store.getResponse(id.data) : null;
      if (!doc) return notFound(res, 'response');
      const { format, lang } = parsed.data;
      const body = await render(doc, format, lang);
      const localized = format === 'md' || format === 'pdf' ? `-${lang}` : '';
      const name = `msq-${doc.country?.code ?? 'response'}-${doc.id.slice(0, 8)}${localized}.${FORMATS[format].ext}`;
      send(res, 200, body, FORMATS[format].type, { 'Content-Disposition': disposition(format === 'json' ? 'inline' : 'attachment', name) });
    }));

    server.del('/admin/responses/:id', api(async (req, res) => {
      const id = idSchema.safeParse(req.params.id);
      const erased = id.success && (await store.eraseResponse(id.data, { ...SURVEY_TEAM }, now()));
      if (!erased) return notFound(res, 'response');
      logger.info({ response: id.data }, 'admin: response erased by the survey team');
      send(res, 200, json({ id: id.data, erased: true }), FORMATS.json.type);
    }));

    server.get('/admin/export', api(async (_req, res, query) => {
      const parsed = exportQuery.safeParse(query);
      if (!parsed.success) return badRequest(res, parsed.error);
      const { format, status } = parsed.data;
      const docs = await store.listResponses(status ? { status } : {});
      const attributions = format === 'csv' ? undefined : await attributionsOf(store, docs);
      const body = format === 'json' ? exportJson(docs, def, attributions) : format === 'csv' ? exportCsv(docs, def, deps.i18n) : await exportXlsx(docs, def, deps.i18n, attributions);
      const name = `msq-responses-${status ?? 'all'}-${now().toISOString().slice(0, 10)}.${FORMATS[format].ext}`;
      send(res, 200, body, FORMATS[format].type, { 'Content-Disposition': disposition('attachment', name) });
    }));

    server.put('/admin/responses/:id/assignments', api(async (req, res) => {
      const id = idSchema.safeParse(req.params.id);
      const parsed = assignmentsBody.safeParse(req.body ?? {});
      if (!parsed.success) return badRequest(res, parsed.error);
      for (let attempt = 1; attempt <= 5; attempt++) {
        const doc = id.success ? await store.getResponse(id.data) : null;
        if (!doc?.team) return notFound(res, 'response');
        const participants = assignParticipants(doc.team.participants, parsed.data.assignments);
        if (typeof participants === 'string') {
          return send(res, 400, json({ error: 'Bad request.', issues: [`participant: ${participants} is not a participant of this response`] }), FORMATS.json.type);
        }
        const written = await store.replaceResponse({ ...doc, team: { participants }, updatedAt: now() }, doc.version);
        if (!written.ok) continue; // a participant's turn got there first: again, on the fresh response
        logger.info({ response: doc.id, assignments: parsed.data.assignments.length }, 'admin: sections assigned by the survey team');
        const attribution = (await attributionsOf(store, [written.doc])).get(written.doc.id);
        return send(res, 200, json(adminView(written.doc, def, attribution)), FORMATS.json.type);
      }
      throw new Error('gave up assigning sections after conflicting writes');
    }));

    server.get('/admin/invitations', api(async (_req, res) => {
      const at = now();
      send(res, 200, json((await store.listInvitations()).map((i) => invitationView(i, at))), FORMATS.json.type);
    }));

    server.post('/admin/invitations', api(async (req, res) => {
      const parsed = invitationBody.safeParse(req.body ?? {});
      if (!parsed.success) return badRequest(res, parsed.error);
      const { country, email, expires, lead, sections } = parsed.data;
      const validForMs = expires === undefined || expires === '' ? undefined : parseDuration(expires);
      if (validForMs === null) {
        return send(res, 400, json({ error: 'Bad request.', issues: [`expires: give days (30d), weeks (2w) or hours (12h), up to ${MAX_EXPIRY_DAYS} days`] }), FORMATS.json.type);
      }
      const at = now();
      const made = await createInvitation(store, { country, ...(email ? { email } : {}), ...(validForMs ? { validForMs } : {}), ...(lead ? { lead } : {}), ...(sections?.length ? { sections } : {}) }, at);
      if (!made.ok) return send(res, 400, json({ error: 'Bad request.', issues: ['country: not a UN Member State name or ISO alpha-3 code'] }), FORMATS.json.type);
      logger.info({ invitation: made.invitation.id, country: made.invitation.country.code }, 'admin: invitation made');
      send(res, 201, json({ invitation: invitationView(made.invitation, at), code: made.code, link: invitationLink(deps.publicUrl(), made.code) }), FORMATS.json.type);
    }));

    server.del('/admin/invitations/:id', api(async (req, res) => {
      const id = idSchema.safeParse(req.params.id);
      const revoked = id.success ? await store.revokeInvitation(id.data, now()) : null;
      if (!revoked) return notFound(res, 'invitation');
      logger.info({ invitation: revoked.id }, 'admin: invitation revoked');
      send(res, 200, json(invitationView(revoked, now())), FORMATS.json.type);
    }));

    linkRoutes({ store, definition: def, logger, options: deps.linkCheck ?? {} }, kit)(server);
    if (deps.review) reviewRoutes({ review: deps.review, store, now, ...(deps.reminders ? { reminders: deps.reminders } : {}) }, kit)(server);
  };
}

/** The dashboard: page, script, style (public/admin/) and its texts in both languages (locales/<lng>/admin.json). */
function mountDashboard(server: Server, send: AdminApi['send'], def: Definition, i18n: i18n): void {
  const dir = join(publicDir(), 'admin');
  const page = fileRoute(join(dir, 'index.html'), () => ({ ...adminHeaders(), 'Cache-Control': 'no-cache', 'Content-Security-Policy': ADMIN_CSP }));
  const asset = (file: string) => fileRoute(join(dir, file), () => ({ ...adminHeaders(), 'Cache-Control': 'no-cache' }));
  const resources = loadResources();
  // Each question's number and short label ("item.q17": "17 — Legislation on digital signature"), so that lists
  // of questions (the required ones still unanswered) name them as the questionnaire does, not by internal id.
  const itemLabels = (locale: Locale) => Object.fromEntries(def.items.map((item) => [`item.${item.id}`, itemLabel(translatorFor(i18n, locale), item)]));
  const texts = Buffer.from(JSON.stringify({ en: { ...resources.en.admin, ...itemLabels('en') }, es: { ...resources.es.admin, ...itemLabels('es') } }));
  const routes: Array<[string, (req: Request, res: Response) => void]> = [
    ['/admin', page],
    ['/admin/', page],
    ['/admin/admin.js', asset('admin.js')],
    ['/admin/admin.css', asset('admin.css')],
    ['/admin/i18n.json', (_req, res) => send(res, 200, texts, FORMATS.json.type, { 'Cache-Control': 'no-cache' })],
  ];
  for (const [path, handler] of routes) {
    const wrapped = async (req: Request, res: Response) => handler(req, res);
    server.get(path, wrapped);
    server.head(path, wrapped);
  }
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * The participants with the assignments applied: each named participant holds exactly the given sections, which
 * nobody else holds any more. The name (id or e-mail) of an unknown participant instead.
 */
function assignParticipants(participants: readonly Participant[], assignments: ReadonlyArray<{ participant: string; sections: string[] }>): Participant[] | string {
  let out = [...participants];
  for (const { participant, sections } of assignments) {
    const target = out.find((p) => isNamed(p, participant));
    if (!target) return participant;
    out = out.map((p) => (p.id === target.id ? { ...p, sections: [...new Set(sections)] } : { ...p, sections: p.sections.filter((s) => !sections.includes(s)) }));
  }
  return out;
}

/** A Content-Disposition header with an ASCII file name (ids and ISO codes only, so nothing to escape). */
const disposition = (kind: 'inline' | 'attachment', name: string) => `${kind}; filename="${name.replace(/[^\w.-]/g, '_')}"`;
