import { z } from 'zod';
import { editionIdSchema } from '../../dialogs/editions/schema';
import { answerValueSchema, responseStatusSchema } from '../store/port';
import type { ExportRecord, ReadExport } from './exportRecords';
import { ImportError } from './importProblem';

/** What the import needs of a response of the JSON export (the admin view, see src/admin/view.ts); more is ignored. */
const jsonResponseSchema = z.looseObject({
  id: z.string().optional(),
  edition: editionIdSchema.optional(),
  country: z.object({ code: z.string(), name: z.string() }).nullable().optional(),
  status: responseStatusSchema.optional(),
  submittedAt: z.iso.datetime().nullable().optional(),
  updatedAt: z.iso.datetime().optional(),
  answers: z.record(z.string(), answerValueSchema),
});

/**
 * Reads the JSON export (an array of admin views), or one response as `GET /admin/responses/:id` gives it.
 * Throws an ImportError naming the response (its position, from 1) and the field at fault.
 */
export function readJsonExport(text: string): ReadExport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ImportError({ code: 'notJson', detail: (error as Error).message });
  }
  const list = Array.isArray(parsed) ? parsed : parsed !== null && typeof parsed === 'object' ? [parsed] : null;
  if (!list) throw new ImportError({ code: 'notArray' });
  const editions = new Set<string>();
  const itemIds = new Set<string>();
  const records: ExportRecord[] = list.map((entry, index) => {
    const row = index + 1;
    const response = jsonResponseSchema.safeParse(entry);
    if (!response.success) {
      const issue = response.error.issues[0];
      throw new ImportError({ code: 'jsonResponse', row, column: issue.path.map(String).join('.') || '(response)', detail: issue.message });
    }
    const r = response.data;
    if (r.edition) editions.add(r.edition);
    for (const id of Object.keys(r.answers)) itemIds.add(id);
    return {
      row,
      ...(r.id ? { responseId: r.id } : {}),
      ...(r.country ? { countryCode: r.country.code } : {}),
      ...(r.status ? { status: r.status } : {}),
      ...(r.submittedAt !== undefined ? { submittedAt: r.submittedAt } : {}),
      ...(r.updatedAt ? { updatedAt: r.updatedAt } : {}),
      values: Object.entries(r.answers).map(([itemId, value]) => ({ itemId, value })),
    };
  });
  if (editions.size > 1) {
    const [edition, other] = [...editions];
    throw new ImportError({ code: 'editionMixed', edition, other });
  }
  return { edition: [...editions][0] ?? null, itemIds: [...itemIds], complete: false, records };
}
