/**
 * What does not change between turns is made once: the translator of each language, the machine's transition,
 * the definition's look-ups. Each turn still gets its own language, and the same answers give the same walk.
 */
import fc from 'fast-check';
import type { Definition } from '../../dialogs';
import { createI18n, translatorFor } from '../../src/i18n';
import { createInterview } from '../../src/interview/engine';
import {
  answerMap,
  applicableItems,
  followingItem,
  isApplicable,
  isGroupShort,
  nextItem,
  previousItem,
  questionKey,
  questionsAnswered,
  unansweredRequired,
  type Answers,
  type DefinedItem,
  type Position,
} from '../../src/interview/flow';
import type { EngineState, StoredAnswer } from '../../src/interview/state';
import { definition, interview, respondent } from '../fixtures/interview';

describe('translators, one per language for the whole process', () => {
  test('every turn in Spanish gets the same Spanish translator, and it stays Spanish whatever else is spoken', () => {
    const i18n = createI18n();
    const es = translatorFor(i18n, 'es');
    expect(translatorFor(i18n, 'es')).toBe(es);
    expect(translatorFor(i18n, 'en')).not.toBe(es);

    // An English conversation in between, and even a global language switch, leave the Spanish translator Spanish.
    expect(translatorFor(i18n, 'en')('answer.yes')).toBe('Yes');
    void i18n.changeLanguage('en');
    expect(es('answer.yes')).toBe('Sí');
    expect(es('summary.count', { answered: 1, total: 3 })).toBe(translatorFor(createI18n(), 'es')('summary.count', { answered: 1, total: 3 }));
  });

  test('a text is looked up by i18next once per set of short parameters; with a long parameter, every time', () => {
    const i18n = createI18n();
    const lookups = jest.spyOn(i18n, 't');
    const t = translatorFor(i18n, 'en');
    expect(t('welcome.title')).toBe(t('welcome.title'));
    expect(t('welcome.title')).toContain('Member States Questionnaire');
    expect(lookups).toHaveBeenCalledTimes(1);

    expect(t('summary.count', { answered: 2, total: 5 })).toBe(t('summary.count', { answered: 2, total: 5 }));
    expect(lookups).toHaveBeenCalledTimes(2);
    // Other values, or the same digits as text rather than numbers, are other texts.
    expect(t('summary.count', { answered: 3, total: 5 })).not.toBe(t('summary.count', { answered: 2, total: 5 }));
    t('summary.count', { answered: '2', total: '5' });
    expect(lookups).toHaveBeenCalledTimes(4);
    // Plurals follow the count, remembered or not.
    expect(t('summary.missing', { count: 1 })).not.toBe(t('summary.missing', { count: 2 }));
    expect(t('summary.missing', { count: 1 })).toBe(translatorFor(createI18n(), 'en')('summary.missing', { count: 1 }));

    const answer = 'x'.repeat(500);
    lookups.mockClear();
    expect(t('answer.savedValue', { answer })).toContain(answer);
    expect(t('answer.savedValue', { answer })).toContain(answer);
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  test('wording added after a translator was made is what it says from then on', () => {
    const i18n = createI18n();
    const before = translatorFor(i18n, 'en');
    expect(before('answer.yes')).toBe('Yes');
    i18n.addResource('en', 'bot', 'answer.yes', 'Yes, indeed');
    expect(translatorFor(i18n, 'en')('answer.yes')).toBe('Yes, indeed');
  });

  test('a whole conversation makes no translator per turn: one per language, once', () => {
    const i18n = createI18n();
    const fixed = jest.spyOn(i18n, 'getFixedT');
    const engine = createInterview(definition, i18n);
    let turn = engine.start('es', new Date('2026-11-28T10:00:00Z'));
    for (const text of ['Paraguay', 'Ana', 'omitir', 'ayuda', 'progreso', 'idioma en', 'skip', 'review']) {
      turn = engine.handle(turn.state, { text }, new Date('2026-11-28T10:00:00Z'));
    }
    expect(turn.state.locale).toBe('en');
    expect(fixed.mock.calls.map(([lng]) => lng).sort()).toEqual(['en', 'es']);
  });
});

describe('the machine, reused from turn to turn', () => {
  test('a turn never changes the state it was given, and the same message gives the same turn again', () => {
    const r = respondent('en');
    for (const text of ['Paraguay', 'Ana', 'Director', 'MITIC']) r.say(text);
    const state: EngineState = deepFreeze(structuredClone(r.state));
    const now = new Date('2026-11-28T10:00:00Z');
    for (const text of ['ana@mitic.gov.py', 'skip', 'back', 'help', 'restart', 'edit 4']) {
      const first = interview.handle(state, { text }, now);
      expect(interview.handle(state, { text }, now)).toEqual(first);
    }
  });

  test('an answer given again unchanged records no change; other choices record one', () => {
    const r = respondent('en');
    for (const text of ['Paraguay', 'Ana', 'Director', 'MITIC', 'ana@mitic.gov.py', '1, 2']) r.say(text);
    expect(r.turn.changes).toEqual([{ itemId: 'respondent.capacity', oldValue: null, newValue: ['authorized', 'collective'] }]);
    r.say('back');
    r.say('2, 1');
    expect(r.answer('respondent.capacity')).toEqual(['authorized', 'collective']);
    expect(r.turn.changes).toEqual([]);
    r.say('back');
    r.say('1');
    expect(r.turn.changes).toEqual([{ itemId: 'respondent.capacity', oldValue: ['authorized', 'collective'], newValue: ['authorized'] }]);
  });
});

describe('the walk through the definition, looked up by position', () => {
  test('agrees with reading the questionnaire item by item, for any answers, skips and deferrals', () => {
    fc.assert(
      fc.property(positions(definition), fc.option(fc.constantFrom(...definition.items.map((i) => i.id), 'no-such-item'), { nil: null }), (p, fromId) => {
        expect(nextItem(definition, p, fromId)?.id ?? null).toBe(plainReading.nextItem(definition, p, fromId)?.id ?? null);
        expect(previousItem(definition, p.answers, fromId)?.id ?? null).toBe(plainReading.previousItem(definition, p.answers, fromId)?.id ?? null);
        if (fromId) expect(followingItem(definition, p.answers, fromId)?.id ?? null).toBe(plainReading.followingItem(definition, p.answers, fromId)?.id ?? null);
        expect(unansweredRequired(definition, p.answers).map((i) => i.id)).toEqual(plainReading.unansweredRequired(definition, p.answers).map((i) => i.id));
        expect(questionsAnswered(definition, p.answers)).toBe(plainReading.questionsAnswered(definition, p.answers));
      }),
      { numRuns: 300 },
    );
  });
});

describe('what is worked out from a set of answers, kept with them', () => {
  test('answers changed after a look-up are looked up anew: a "yes" to q4 opens its CIO questions', () => {
    const q4 = definition.byId.get('q4')!;
    const cioName = definition.byId.get('q4.cio.name')!;
    const answers = answerMap([{ itemId: 'country', value: 'PRY' }, { itemId: 'q4', value: 'no' }]);
    expect(isApplicable(definition, cioName, answers)).toBe(false);
    expect(unansweredRequired(definition, answers).map((i) => i.id)).not.toContain('q4.cio.name');
    const answered = questionsAnswered(definition, answers);

    answers.set(q4.id, 'yes');
    expect(isApplicable(definition, cioName, answers)).toBe(true);
    expect(unansweredRequired(definition, answers).map((i) => i.id)).toContain('q4.cio.name');
    // Question 4 now has required parts left unanswered: it no longer counts as answered.
    expect(questionsAnswered(definition, answers)).toBe(answered - 1);

    answers.delete(q4.id);
    expect(isApplicable(definition, cioName, answers)).toBe(false);
    answers.clear();
    expect(applicableItems(definition, answers)).toEqual(applicableItems(definition, new Map()));
  });

  test('the same answers give the same results however often they are asked, and a caller cannot change them', () => {
    const answers = answerMap([{ itemId: 'q4', value: 'yes' }]);
    const first = unansweredRequired(definition, answers);
    first.length = 0;
    expect(unansweredRequired(definition, answers)).toEqual(plainReading.unansweredRequired(definition, new Map(answers)));
  });
});

/** The walker's rules read literally: every applicable item, in order, filtered (as the engine first did it). */
const plainReading = {
  nextItem(def: Definition, p: Position, fromId: string | null): DefinedItem | null {
    const items = applicableItems(def, p.answers);
    const start = fromId === null ? 0 : def.items.findIndex((i) => i.id === fromId) + 1;
    const after = items.filter((item) => def.items.indexOf(item) >= start);
    const open = (item: DefinedItem) =>
      p.resolving
        ? !p.answers.has(item.id) && (item.required || isShortGroupMember(def, item, p.answers))
        : !p.answers.has(item.id) && !p.skipped.has(item.id) && !p.deferred.has(item.id);
    if (p.resolving) return after.find(open) ?? null;
    return after.find(open) ?? items.find(open) ?? null;
  },
  previousItem(def: Definition, answers: Answers, fromId: string | null): DefinedItem | null {
    const items = applicableItems(def, answers);
    if (fromId === null) return items.at(-1) ?? null;
    const index = def.items.findIndex((i) => i.id === fromId);
    return items.filter((item) => def.items.indexOf(item) < index).at(-1) ?? null;
  },
  followingItem(def: Definition, answers: Answers, fromId: string): DefinedItem | null {
    const index = def.items.findIndex((i) => i.id === fromId);
    return def.items.slice(index + 1).find((item) => isApplicable(def, item, answers)) ?? null;
  },
  unansweredRequired(def: Definition, answers: Answers): DefinedItem[] {
    const seen = new Set<string>();
    return applicableItems(def, answers).filter((item) => {
      if (answers.has(item.id)) return false;
      if (item.required) return true;
      const group = def.groupOf.get(item.id);
      if (!group || seen.has(group.id) || !isGroupShort(def, group, answers)) return false;
      seen.add(group.id);
      return true;
    });
  },
  questionsAnswered(def: Definition, answers: Answers): number {
    const missing = new Set(plainReading.unansweredRequired(def, answers).map(questionKey));
    const answered = new Set(def.items.filter((i) => i.number && answers.has(i.id)).map(questionKey));
    return [...answered].filter((key) => !missing.has(key)).length;
  },
};

function isShortGroupMember(def: Definition, item: DefinedItem, answers: Answers): boolean {
  const group = def.groupOf.get(item.id);
  return group !== undefined && isGroupShort(def, group, answers);
}

/** Any answers (each item answered or not, with a value of its kind), skips, deferrals, resolving or not. */
function positions(def: Definition): fc.Arbitrary<Position> {
  const answer = (item: DefinedItem): fc.Arbitrary<StoredAnswer['value'] | null> => {
    const options = item.kind === 'yesno' ? ['yes', 'no'] : (item.options ?? []);
    const value: fc.Arbitrary<StoredAnswer['value']> =
      item.kind === 'multi' ? fc.subarray(options, { minLength: 1 }) : options.length ? fc.constantFrom(...options) : fc.constant('text');
    return fc.option(value, { nil: null, freq: 2 });
  };
  const ids = def.items.map((i) => i.id);
  return fc
    .record({
      values: fc.tuple(...def.items.map(answer)),
      skipped: fc.subarray(ids, { maxLength: 10 }),
      deferred: fc.subarray(ids, { maxLength: 10 }),
      resolving: fc.boolean(),
    })
    .map(({ values, skipped, deferred, resolving }) => {
      const answers: StoredAnswer[] = [];
      values.forEach((value, at) => {
        if (value !== null) answers.push({ itemId: ids[at], value });
      });
      return { answers: answerMap(answers), skipped: new Set(skipped), deferred: new Set(deferred), resolving };
    });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

