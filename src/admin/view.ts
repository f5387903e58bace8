/**
 * A response as the survey team reads it: the shape of `GET /admin/responses` and of the JSON export. Plain JSON
 * (dates as ISO strings), answers keyed by item id, only the items that apply to this response.
 */
import { z } from 'zod';
import type { Definition } from '../../dialogs';
import { locales } from '../i18n';
import { answerMap, applicableItems, unansweredRequired, type Answers, type DefinedItem } from '../interview/flow';
import { countryName } from '../interview/parse/country';
import { flagsIn } from '../review/flagsIn';
import { answerValueSchema, countrySchema, responseStatusSchema, type AnswerValue, type ResponseDoc } from '../store/port';
import type { ResponseAttribution } from '../session/participants';
import { extractLinks } from '../interview/parse/links';

/** The respondent block of a response; null where not answered. */
export const adminRespondentSchema = z.object({
  name: z.string().nullable(),
  title: z.string().nullable(),
  organization: z.string().nullable(),
  email: z.string().nullable(),
});

/** A link written in an answer (see links.ts): as written, and whether it is a well-formed http(s) URL. */
export const adminLinkSchema = z.object({ url: z.string(), wellFormed: z.boolean() });
/** A link written in an answer. */
export type AdminLink = z.infer<typeof adminLinkSchema>;

/** A participant of a response as the survey team reads it. */
export const adminParticipantSchema = z.object({
  id: z.string(),
  /** E-mail, else the name the channel gave, else their first channel identity. */
  label: z.string(),
  email: z.string().optional(),
  lead: z.boolean(),
  sections: z.array(z.string()),
  /** When the survey team revoked their invitation: their access is withdrawn (they answer no more, are sent nothing). */
  revokedAt: z.iso.datetime().optional(),
  /** The channel identities (`channel:userId`) they answer from. */
  identities: z.array(z.string()),
});

/** One response for the survey team. */
export const adminResponseSchema = z.object({
  id: z.string(),
  /** The edition of the questionnaire the response answers (the definition's id, e.g. "msq-2022"). */
  edition: z.string(),
  country: countrySchema.nullable(),
  status: responseStatusSchema,
  /** The language the respondent last used. */
  locale: z.enum(locales),
  respondent: adminRespondentSchema,
  /** Items that apply to this response (their conditions hold) and have an answer. */
  answered: z.number().int().min(0),
  /** Items that apply to this response. */
  total: z.number().int().min(0),
  /** Required items that apply and have no answer, in questionnaire order. */
  unansweredRequired: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  submittedAt: z.iso.datetime().nullable(),
  /**
   * Item id → answer: "yes"/"no", the option id of a choice, the option ids of a multi, the ISO alpha-3 code of a
   * country, the text otherwise. Unanswered items, and answers to items that no longer apply, are absent.
   */
  answers: z.record(z.string(), answerValueSchema),
  /** Item id → the links written in its answer, in questionnaire order; items without links are absent. */
  links: z.record(z.string(), z.array(adminLinkSchema)),
  /** Items whose answer is the previous round's, kept (confirmed) by the respondent, in questionnaire order. */
  carriedForward: z.array(z.string()),
  /** The survey team's flags on the submitted response: open (waiting for the respondent) and resolved (answered again). */
  review: z.object({ open: z.number().int().min(0), resolved: z.number().int().min(0) }),
  /** True for a country's response answered by a team (invitations); absent for one respondent's own response. */
  team: z.literal(true).optional(),
  /** Who answers the response: a country's team (invitations), or its one respondent. */
  participants: z.array(adminParticipantSchema).optional(),
  /** Item id → who gave its current answer (a participant's label: e-mail, else name); answered items only. */
  answeredBy: z.record(z.string(), z.string()).optional(),
});
/** One response for the survey team (see adminResponseSchema). */
export type AdminResponse = z.infer<typeof adminResponseSchema>;

/** The respondent block's item ids (dialogs/sections/respondent.ts). */
export const RESPONDENT_ITEMS = {
  name: 'respondent.name',
  title: 'respondent.title',
  organization: 'respondent.organization',
  email: 'respondent.email',
} as const;

/** A stored response as the survey team reads it; applicability and required items follow the engine's rules (flow.ts). */
export function adminView(doc: ResponseDoc, def: Definition, attribution?: ResponseAttribution): AdminResponse {
  const answers = answerMap(doc.answers);
  const items = applicableItems(def, answers);
  const given = appliedAnswers(items, answers);
  const text = (id: string): string | null => {
    const value = given[id];
    return typeof value === 'string' ? value : null;
  };
  return {
    id: doc.id,
    edition: def.questionnaire.id,
    country: doc.country ?? countryOf(def, answers),
    status: doc.status,
    locale: doc.locale,
    respondent: {
      name: text(RESPONDENT_ITEMS.name),
      title: text(RESPONDENT_ITEMS.title),
      organization: text(RESPONDENT_ITEMS.organization),
      email: text(RESPONDENT_ITEMS.email),
    },
    answered: Object.keys(given).length,
    total: items.length,
    unansweredRequired: unansweredRequired(def, answers).map((item) => item.id),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    submittedAt: doc.submittedAt ? doc.submittedAt.toISOString() : null,
    answers: given,
    links: linksOf(given),
    carriedForward: carriedOf(doc).filter((id) => id in given),
    review: reviewOf(doc),
    ...(doc.team ? { team: true as const } : {}),
    ...(attribution ? attributed(attribution, given) : {}),
  };
}

/** The items the engine marked as kept from the previous round (its state's `carried`), as stored with the response. */
export function carriedOf(doc: ResponseDoc): string[] {
  const carried = doc.engine.carried;
  return Array.isArray(carried) ? carried.filter((id): id is string => typeof id === 'string') : [];
}

/** How many flags of the survey team are open and resolved (kept in the engine's state, see src/review/flags.ts). */
function reviewOf(doc: ResponseDoc): AdminResponse['review'] {
  const list = flagsIn(doc);
  const open = list.filter((f) => f.resolvedAt === null).length;
  return { open, resolved: list.length - open };
}

/** The participants and who gave each given answer. */
function attributed(attribution: ResponseAttribution, given: Record<string, AnswerValue>): Pick<AdminResponse, 'participants' | 'answeredBy'> {
  const answeredBy: Record<string, string> = {};
  for (const itemId of Object.keys(given)) {
    const by = attribution.answeredBy.get(itemId);
    if (by) answeredBy[itemId] = by.label;
  }
  const participants = attribution.participants.map((p) => ({
    id: p.id,
    label: p.label,
    ...(p.email ? { email: p.email } : {}),
    lead: p.lead,
    sections: [...p.sections],
    ...(p.revokedAt ? { revokedAt: p.revokedAt.toISOString() } : {}),
    identities: p.identities.map((i) => i.key),
  }));
  return { participants, answeredBy };
}

/** The links of each answer that has any. */
function linksOf(answers: Record<string, AnswerValue>): Record<string, AdminLink[]> {
  const links: Record<string, AdminLink[]> = {};
  for (const [itemId, value] of Object.entries(answers)) {
    const found = extractLinks(value);
    if (found.length) links[itemId] = found.map((link) => ({ url: link.url, wellFormed: link.href !== null }));
  }
  return links;
}

/** The answers of the applicable items, in questionnaire order (copies: the view never shares arrays with the doc). */
function appliedAnswers(items: readonly DefinedItem[], answers: Answers): Record<string, AnswerValue> {
  const given: Record<string, AnswerValue> = {};
  for (const item of items) {
    const value = answers.get(item.id);
    if (value !== undefined) given[item.id] = Array.isArray(value) ? [...value] : value;
  }
  return given;
}

/** The country from the answers, for a response stored before its `country` field was kept. */
function countryOf(def: Definition, answers: Answers): AdminResponse['country'] {
  const item = def.items.find((i) => i.kind === 'country');
  const code = item ? answers.get(item.id) : undefined;
  if (typeof code !== 'string') return null;
  return { code, name: countryName(code, 'en') ?? code };
}
