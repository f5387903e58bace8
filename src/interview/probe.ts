/**
 * When an answer is thin enough to deserve one friendly follow-up (a probe): the UN team otherwise chases a "Yes"
 * with no link, or a three-word detail, by e-mail. What an item asks for is data (`asksForLink`, `asksForDetail`
 * in dialogs/); this decides from the answer alone. Pure.
 */
import type { Item } from '../../dialogs/schema';
import { extractLinks } from './parse/links';
import type { AnswerValue, Probe } from './state';

/** A detail with fewer words than this (links aside) is thin. */
export const MIN_DETAIL_WORDS = 3;

/** The probe an answer deserves, or null. A malformed link is pointed out first, then a missing link, then a short detail. */
export function probeFor(item: Pick<Item, 'id' | 'kind' | 'asksForLink' | 'asksForDetail'>, value: AnswerValue): Probe | null {
  if (item.kind !== 'text' || typeof value !== 'string') return null;
  const links = extractLinks(value);
  const malformed = links.find((link) => link.href === null);
  if (malformed) return { itemId: item.id, reason: 'malformed', link: malformed.url };
  if (item.asksForLink && links.length === 0) return { itemId: item.id, reason: 'link' };
  if (item.asksForDetail && wordsOutsideLinks(value, links.map((l) => l.url)) < MIN_DETAIL_WORDS) return { itemId: item.id, reason: 'detail' };
  return null;
}

/** The words of a text once its links are taken out ("Ley 5282 — https://…" has two). */
function wordsOutsideLinks(text: string, links: readonly string[]): number {
  let rest = text;
  for (const link of links) rest = rest.split(link).join(' ');
  return rest.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}
