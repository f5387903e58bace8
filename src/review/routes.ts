import type { Server } from 'restify';
import { z } from 'zod';
import { idSchema, type AdminApi } from '../admin/adminApi';
import type { Store, SurveySettings } from '../store/port';
import type { ReviewService } from './flags';
import type { Reminders } from './reminders';

/** The body of `POST /admin/responses/:id/flags`: the item asked about and what the survey team asks. */
export const flagBodySchema = z.object({
  itemId: z.string().trim().min(1).max(200),
  comment: z.string().trim().min(1).max(2000),
});

/**
 * The body of `PUT /admin/settings`: the deadline (a date, meaning the end of that day in UTC, or a date and time)
 * or null, and the days before it on which to remind.
 */
export const settingsBodySchema = z.object({
  deadline: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).nullable(),
  reminderDays: z.array(z.number().int().min(0).max(365)).max(20).default([]),
});

export interface ReviewRoutesDeps {
  review: ReviewService;
  reminders?: Reminders;
  store: Pick<Store, 'getSettings' | 'saveSettings'>;
  now?: () => Date;
}

/**
 * The survey team's flags, deadline and reminders (behind the admin token):
 * - `GET /admin/responses/:id/flags` — every flag of a response, open or resolved, with the item's answer now
 * - `POST /admin/responses/:id/flags` `{ itemId, comment }` — flags an item of a submitted response: 201 with the
 *   flag and how many Teams conversations were told; 404 unknown response; 409 not submitted; 400 an item that
 *   does not exist or does not apply to the response's answers
 * - `GET /admin/settings`, `PUT /admin/settings` `{ deadline, reminderDays }` — the deadline and the reminder days
 * - `POST /admin/reminders/run` — sends the reminders that are due now (as the 5-minute schedule would)
 */
export function reviewRoutes(deps: ReviewRoutesDeps, kit: AdminApi): (server: Server) => void {
  const { review } = deps;
  const now = deps.now ?? (() => new Date());
  return (server) => {
    server.get('/admin/settings', kit.api(async (_req, res) => {
      kit.sendJson(res, 200, settingsView(await deps.store.getSettings()));
    }));

    server.put('/admin/settings', kit.api(async (req, res) => {
      const body = settingsBodySchema.safeParse(req.body ?? {});
      if (!body.success) return kit.badRequest(res, body.error);
      const { deadline, reminderDays } = body.data;
      const settings: SurveySettings = {
        deadline: deadline === null ? null : new Date(deadline.length === 10 ? `${deadline}T23:59:59.999Z` : deadline),
        reminderDays: [...new Set(reminderDays)].sort((a, b) => b - a),
        updatedAt: now(),
      };
      await deps.store.saveSettings(settings);
      kit.sendJson(res, 200, settingsView(settings));
    }));

    server.post('/admin/reminders/run', kit.api(async (_req, res) => {
      if (!deps.reminders) return kit.sendJson(res, 404, { error: 'Reminders are not available on this bot.' });
      kit.sendJson(res, 200, await deps.reminders.run());
    }));

    server.get('/admin/responses/:id/flags', kit.api(async (req, res) => {
      const id = idSchema.safeParse(req.params.id);
      const flags = id.success ? await review.flagsOf(id.data) : null;
      if (!flags) return kit.notFound(res, 'response');
      kit.sendJson(res, 200, { id: id.data, flags });
    }));

    server.post('/admin/responses/:id/flags', kit.api(async (req, res) => {
      const id = idSchema.safeParse(req.params.id);
      if (!id.success) return kit.notFound(res, 'response');
      const body = flagBodySchema.safeParse(req.body ?? {});
      if (!body.success) return kit.badRequest(res, body.error);
      const outcome = await review.flag(id.data, body.data);
      if (outcome.ok) return kit.sendJson(res, 201, { id: id.data, flag: { ...outcome.flag, status: 'open' }, notified: outcome.notified });
      if (outcome.reason === 'notFound') return kit.notFound(res, 'response');
      if (outcome.reason === 'notSubmitted') return kit.sendJson(res, 409, { error: 'Only a submitted response can be flagged; this one is still in progress.' });
      kit.sendJson(res, 400, { error: 'Bad request.', issues: ['itemId: not an item of the questionnaire that applies to this response'] });
    }));
  };
}

/** The settings as the API shows them (none saved: no deadline, no reminders). */
function settingsView(settings: SurveySettings | null) {
  return {
    deadline: settings?.deadline?.toISOString() ?? null,
    reminderDays: settings?.reminderDays ?? [],
    updatedAt: settings?.updatedAt.toISOString() ?? null,
  };
}
