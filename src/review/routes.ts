import type { Server } from 'restify';
import { z } from 'zod';
import { idSchema, type AdminApi } from '../admin/adminApi';
import type { ReviewService } from './flags';

/** The body of `POST /admin/responses/:id/flags`: the item asked about and what the survey team asks. */
export const flagBodySchema = z.object({
  itemId: z.string().trim().min(1).max(200),
  comment: z.string().trim().min(1).max(2000),
});

/**
 * The survey team's flags (behind the admin token):
 * - `GET /admin/responses/:id/flags` — every flag of a response, open or resolved, with the item's answer now
 * - `POST /admin/responses/:id/flags` `{ itemId, comment }` — flags an item of a submitted response: 201 with the
 *   flag and how many Teams conversations were told; 404 unknown response; 409 not submitted; 400 an item that
 *   does not exist or does not apply to the response's answers
 */
export function reviewRoutes(review: ReviewService, kit: AdminApi): (server: Server) => void {
  return (server) => {
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
