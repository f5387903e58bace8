import { answerAll, respondent } from '../fixtures/interview';
import { englishScript, longLegalAnswer, spanishScript } from '../fixtures/answers';

describe('a whole questionnaire, answered to submission', () => {
  test('in English: every answer is stored exactly as given', () => {
    const r = respondent('en');
    expect(r.at).toBe('country');
    const asked = answerAll(r, englishScript);
    expect(asked[0]).toBe('country');
    expect(asked).toContain('q4.cio.email');
    expect(asked).not.toContain('q12.detail'); // q12 was no
    expect(asked).not.toContain('q9.detail'); // given inline with the yes
    expect(asked).toEqual(expect.arrayContaining(['q29.ai.detail', 'q29.iot.detail', 'q20.other']));
    expect(asked).not.toContain('q29.robotics.detail');
    expect(asked).not.toContain('respondent.capacityOther');

    expect(r.at).toBe('submit');
    const summary = r.turn.replies.map((x) => x.text).join('\n');
    expect(summary).toContain('Summary of your response');
    expect(summary).toContain('All required questions are answered.');
    expect(r.say('yes')).toContain('We very much appreciate your participation.');
    expect(r.state.phase).toBe('submitted');
    expect(r.state.submittedAt).toBe('2026-11-28T10:00:00.000Z');

    expect(r.answer('country')).toBe('PRY');
    expect(r.answer('respondent.name')).toBe('Ana María Giménez Núñez');
    expect(r.answer('respondent.capacity')).toEqual(['authorized', 'collective']);
    expect(r.answer('q1')).toBe(englishScript.q1);
    expect(r.answer('q4')).toBe('yes');
    expect(r.answer('q4.cio.email')).toBe('gperez@mitic.gov.py');
    expect(r.answer('q6')).toBe('yes');
    expect(r.answer('q6.detail')).toBe('https://www.mspbs.gov.py/covid-19.php');
    expect(r.answer('q9')).toBe('yes');
    expect(r.answer('q9.detail')).toBe(longLegalAnswer.replace(/^Yes — /, ''));
    expect((r.answer('q9.detail') as string).match(/https:\/\//g)).toHaveLength(13);
    expect(r.answer('q10.detail')).toBe(englishScript['q10.detail']);
    expect(r.answer('q11.detail')).toBe('National Cybersecurity Plan, Decree 7052/2017 https://www.mitic.gov.py/ciberseguridad');
    expect(r.answer('q12')).toBe('no');
    expect(r.answer('q13')).toBe('yes');
    expect(r.answer('q13.detail')).toBe('Ley 4017/2010 «De validez jurídica de la firma electrónica, la firma digital…» https://www.mic.gov.py/firma-digital');
    expect(r.answer('q20')).toBe('other');
    expect(r.answer('q20.other')).toBe('Eight-year (2022–2030)');
    expect(r.answer('q29')).toEqual(['ai', 'iot']);
    expect(r.answer('q44')).toBe('Nothing to add. "Thank you" — ¡gracias!');
    expect(r.answer('consent')).toBe('yes');
    expect(r.answer('q22')).toBeUndefined();
    expect(r.state.skipped).toEqual(expect.arrayContaining(['q2.eParticipation', 'q22', 'q27', 'q31']));
  });

  test('en español: the same questionnaire, answered in Spanish', () => {
    const r = respondent('es');
    expect(r.first.replies.map((x) => x.text).join('\n')).toContain('Cuestionario para los Estados Miembros');
    answerAll(r, spanishScript);
    expect(r.at).toBe('submit');
    expect(r.turn.replies.map((x) => x.text).join('\n')).toMatch(/Resumen/);
    r.say('Sí');
    expect(r.state.phase).toBe('submitted');
    expect(r.answer('country')).toBe('PRY');
    expect(r.answer('respondent.capacity')).toEqual(['authorized']);
    expect(r.answer('q9')).toBe('yes');
    expect(r.answer('q9.detail')).toBe(
      'Ley N.º 5282/2014 «De libre acceso ciudadano a la información pública y transparencia gubernamental».\n\nReglamentada por el Decreto N.º 4064/2015.',
    );
    expect(r.answer('q12')).toBe('no');
    expect(r.answer('q20')).toBe('other');
    expect(r.answer('q29')).toEqual(['ai', 'iot']);
    expect(r.answer('q44')).toBe(spanishScript.q44);
    expect(r.answer('consent')).toBe('yes');
  });
});
