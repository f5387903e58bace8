import { loadDefinition, msq2022 } from '../../dialogs';
import { createInterview } from '../../src/interview/engine';
import { i18n, interview, respondent } from '../fixtures/interview';

describe('a saved state loads again', () => {
  test('anything that is not a state is refused, not guessed', () => {
    for (const junk of [null, 42, 'x', {}, { schemaVersion: 99 }, { __proto__: { schemaVersion: 1 } }]) expect(interview.load(junk)).toBeNull();
  });

  test('after the questionnaire changed, the position is rebuilt from the answers and no answer is lost', () => {
    const r = respondent();
    for (const text of ['Paraguay', 'Ana', 'Director', 'MITIC', 'ana@mitic.gov.py', '1', 'https://www.paraguay.gov.py']) r.say(text);
    expect(r.at).toBe('q2.eServices');
    const saved = JSON.parse(JSON.stringify(r.state));

    // A new version of the questionnaire drops q2.eServices and adds a required q1.extra.
    const changed = structuredClone(msq2022);
    const a = changed.sections[1];
    a.items = a.items.filter((i) => i.id !== 'q2.eServices');
    a.groups = a.groups?.map((g) => ({ ...g, items: g.items.filter((id) => id !== 'q2.eServices') }));
    a.items.splice(1, 0, { id: 'q1.extra', kind: 'text', required: true, number: '1' });
    const next = createInterview(loadDefinition(changed), i18n);

    const loaded = next.load(saved)!;
    expect(loaded.definitionVersion).not.toBe(saved.definitionVersion);
    expect(loaded.answers).toEqual(saved.answers);
    expect(loaded.current).toBe('q1.extra');
    expect(next.resume(loaded).replies.map((x) => x.text).join('\n')).toContain('Welcome back');
  });
});

describe('the definition is validated at load', () => {
  test('a malformed item stops start-up with a message naming the item', () => {
    const broken = structuredClone(msq2022);
    broken.sections[3].items[0] = { ...broken.sections[3].items[0], kind: 'yesnoo' as never };
    expect(() => loadDefinition(broken)).toThrow(/item "q9" \(kind\)/);

    const dangling = structuredClone(msq2022);
    dangling.sections[4].items.push({ id: 'q99', kind: 'text', required: false, when: { op: 'equals', item: 'q404', value: 'yes' } });
    dangling.sections[4].items.push({ id: 'q98', kind: 'choice', required: false, options: ['a', 'a'] });
    expect(() => loadDefinition(dangling)).toThrow(/item "q99": its condition refers to "q404"[\s\S]*item "q98": an option id is listed twice/);
  });

  test('the 2022 MSQ has every item of the spec, in order', () => {
    const ids = loadDefinition().items.map((i) => i.id);
    expect(ids).toHaveLength(99);
    expect(ids.slice(0, 8)).toEqual(['country', 'respondent.name', 'respondent.title', 'respondent.organization', 'respondent.email', 'respondent.capacity', 'respondent.capacityOther', 'q1']);
    expect(ids.at(-1)).toBe('consent');
    expect(ids.indexOf('q29.5g.detail')).toBeGreaterThan(ids.indexOf('q29'));
  });
});
