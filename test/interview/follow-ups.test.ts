import { respondent, type Respondent } from '../fixtures/interview';

/** Walks to an item by skipping everything before it. */
function reach(r: Respondent, itemId: string) {
  for (let i = 0; i < 150 && r.at !== itemId; i++) r.say('skip');
  expect(r.at).toBe(itemId);
}

describe('follow-ups are asked only when their condition holds', () => {
  test.each(['q6', 'q9', 'q13', 'q18', 'q19', 'q33', 'q36', 'q40', 'q41', 'q42'])('%s: yes → its detail; no → straight on', (id) => {
    const yes = respondent();
    reach(yes, id);
    yes.say('yes');
    expect(yes.at).toBe(`${id}.detail`);
    expect(yes.say('https://example.gov/law')).toContain('Saved.');
    expect(yes.answer(`${id}.detail`)).toBe('https://example.gov/law');

    const no = respondent();
    reach(no, id);
    no.say('no');
    expect(no.at).not.toBe(`${id}.detail`);
    expect(no.answer(`${id}.detail`)).toBeUndefined();
  });

  test('q4 yes → the four CIO fields, in order; no → q4.details', () => {
    const r = respondent();
    reach(r, 'q4');
    r.say('yes');
    const asked = [r.at];
    for (const answer of ['Name', 'Title', 'Organization', 'cio@example.gov']) {
      r.say(answer);
      asked.push(r.at);
    }
    expect(asked).toEqual(['q4.cio.name', 'q4.cio.title', 'q4.cio.organization', 'q4.cio.email', 'q4.details']);

    const no = respondent();
    reach(no, 'q4');
    no.say('no');
    expect(no.at).toBe('q4.details');
  });

  test('q20 other → the text; any other option → q21', () => {
    const other = respondent();
    reach(other, 'q20');
    other.say('5');
    expect(other.at).toBe('q20.other');
    const five = respondent();
    reach(five, 'q20');
    five.say('Five-year');
    expect(five.answer('q20')).toBe('five');
    expect(five.at).toBe('q21');
  });

  test('each selected q29 option → its own detail, in order; nothing selected → q30', () => {
    const r = respondent();
    reach(r, 'q29');
    r.say('Robotics, 5G, Others');
    expect(r.answer('q29')).toEqual(['robotics', '5g', 'others']);
    const asked = [];
    for (let i = 0; i < 3; i++) {
      asked.push(r.at);
      r.say(`detail ${i}`);
    }
    expect(asked).toEqual(['q29.robotics.detail', 'q29.5g.detail', 'q29.others.detail']);
    expect(r.at).toBe('q30');

    const none = respondent();
    reach(none, 'q29');
    none.say('skip');
    expect(none.at).toBe('q30');
  });

  test('capacity other → its text; otherwise straight to section A', () => {
    const r = respondent();
    reach(r, 'respondent.capacity');
    r.say('Other');
    expect(r.at).toBe('respondent.capacityOther');
    const plain = respondent();
    reach(plain, 'respondent.capacity');
    expect(plain.say('authorized')).toContain('A. Institutional / Organizational Framework');
    expect(plain.at).toBe('q1');
  });

  test('q39.guidelines is asked after q39 whatever the answer', () => {
    const r = respondent();
    reach(r, 'q39');
    r.say('no');
    expect(r.at).toBe('q39.guidelines');
  });

  test('section E is announced with its note', () => {
    const r = respondent();
    reach(r, 'q32');
    expect(r.say('skip')).toContain('Vulnerable groups include women, older people, youth, people with disabilities, migrants, minorities and others');
  });

  test('changing a yes to no later drops its follow-ups from what is asked, keeping the stored text', () => {
    const r = respondent();
    reach(r, 'q6');
    r.say('yes https://covid.example.gov');
    r.say('edit q6');
    expect(r.at).toBe('q6');
    r.say('no');
    expect(r.at).toBe('q7');
    expect(r.say('progress')).toMatch(/questions answered/);
  });
});
