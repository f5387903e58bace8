import type { Store } from '../store/port';
import { previousAnswersSchema, type PreviousAnswers } from './previousRound';

/**
 * Where imported previous rounds are kept and found, by country. The interview asks it for the previous round
 * of the respondent's country; the import saves into it. The store backs it in production; tests use memory.
 */
export interface PreviousRoundSource {
  /** The country's previous round, mapped to the current edition; null when none was imported. */
  previousAnswers(countryCode: string): Promise<PreviousAnswers | null>;
  /** Keeps these countries' previous rounds, each replacing what was imported for its country before. */
  save(rounds: readonly PreviousAnswers[]): Promise<void>;
}

/** A PreviousRoundSource in memory (tests; a process that keeps nothing). Values are validated and copied both ways. */
export function createMemoryPreviousRounds(): PreviousRoundSource & { countries(): string[] } {
  const rounds = new Map<string, PreviousAnswers>();
  return {
    async previousAnswers(countryCode) {
      const found = rounds.get(countryCode);
      return found ? structuredClone(found) : null;
    },
    async save(list) {
      const checked = list.map((round) => previousAnswersSchema.parse(structuredClone(round)));
      for (const round of checked) rounds.set(round.country, round);
    },
    countries: () => [...rounds.keys()].sort(),
  };
}

/**
 * The PreviousRoundSource of the bot: the store keeps each country's previous round (both adapters, see
 * Store.savePreviousRounds). A stored round that no longer reads as one (written by a later version) counts as none.
 */
export function createStorePreviousRounds(store: Pick<Store, 'savePreviousRounds' | 'getPreviousRound'>): PreviousRoundSource {
  return {
    async previousAnswers(countryCode) {
      const doc = await store.getPreviousRound(countryCode);
      if (!doc) return null;
      const parsed = previousAnswersSchema.safeParse(doc.round);
      return parsed.success && parsed.data.country === countryCode ? parsed.data : null;
    },
    async save(list) {
      const checked = list.map((round) => previousAnswersSchema.parse(round));
      await store.savePreviousRounds(checked.map((round) => ({ country: round.country, round: JSON.parse(JSON.stringify(round)) as Record<string, unknown>, importedAt: new Date(round.importedAt) })));
    },
  };
}
