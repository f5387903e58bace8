import { z } from 'zod';
import { flagSchema, type Flag } from '../interview/state';
import type { ResponseDoc } from '../store/port';

/**
 * The survey team's flags on a response, as kept in the interview state: the respondent's, or for a country's team
 * the lead's (every participant gets every flag; resolutions are shared, see shareResolutions in flags.ts).
 */
export function flagsIn(doc: Pick<ResponseDoc, 'engine' | 'team'>): Flag[] {
  const holder = doc.team ? (doc.team.participants.find((p) => p.lead) ?? doc.team.participants[0])?.state : doc.engine;
  const parsed = z.array(flagSchema).safeParse(holder?.flags);
  return parsed.success ? parsed.data : [];
}
