import { memberStates } from '../../../dialogs/countries';
import { countryKey, countryName, parseCountry } from '../../../src/interview/parse/country';

const code = (input: string): string | undefined => {
  const result = parseCountry(input);
  return result.ok ? result.value : undefined;
};

describe('memberStates', () => {
  it('lists the 193 UN Member States once each, by alpha-3 code', () => {
    expect(memberStates).toHaveLength(193);
    const codes = memberStates.map((state) => state.code);
    expect(new Set(codes).size).toBe(193);
    for (const c of codes) expect(c).toMatch(/^[A-Z]{3}$/);
  });

  it('leaves out observers and non-members', () => {
    const codes = new Set(memberStates.map((state) => state.code));
    for (const c of ['VAT', 'PSE', 'XKX', 'TWN']) expect(codes.has(c)).toBe(false);
  });

  it('has an English and a Spanish name for every state', () => {
    for (const state of memberStates) {
      expect(state.en.trim()).not.toBe('');
      expect(state.es.trim()).not.toBe('');
    }
  });

  it('reads every name and alias back to its own state (no two states share a name)', () => {
    for (const state of memberStates) {
      for (const name of [state.en, state.es, ...state.aliases, state.code, state.code.toLowerCase()]) {
        expect({ name, code: code(name) }).toEqual({ name, code: state.code });
      }
    }
  });

  it('has no name that is another state\'s code', () => {
    const codes = new Set(memberStates.map((state) => state.code.toLowerCase()));
    for (const state of memberStates) {
      for (const name of [state.en, state.es, ...state.aliases]) {
        const key = countryKey(name);
        if (codes.has(key)) expect(key).toBe(state.code.toLowerCase());
      }
    }
  });
});

describe('parseCountry', () => {
  it.each([
    ['Paraguay', 'PRY'],
    ['República del Paraguay', 'PRY'],
    ['Republica del Paraguay', 'PRY'],
    ['PRY', 'PRY'],
    ['pry', 'PRY'],
    ['  paraguay  ', 'PRY'],
    ['PARAGUAY.', 'PRY'],
    ['Parag', 'PRY'],
    ['Mexico', 'MEX'],
    ['México', 'MEX'],
    ['MEX', 'MEX'],
    ['España', 'ESP'],
    ['Spain', 'ESP'],
    ['Reino de España', 'ESP'],
    ['United States of America', 'USA'],
    ['Estados Unidos', 'USA'],
    ['USA', 'USA'],
    ['EE. UU.', 'USA'],
    ['EEUU', 'USA'],
    ['UK', 'GBR'],
    ["Côte d'Ivoire", 'CIV'],
    ["Cote d'Ivoire", 'CIV'],
    ['Cote d Ivoire', 'CIV'],
    ['Costa de Marfil', 'CIV'],
    ['Ivory Coast', 'CIV'],
    ['Türkiye', 'TUR'],
    ['Turkiye', 'TUR'],
    ['Turkey', 'TUR'],
    ['Turquía', 'TUR'],
    ['Viet Nam', 'VNM'],
    ['Vietnam', 'VNM'],
    ['Guinea', 'GIN'],
    ['Guinea-Bissau', 'GNB'],
    ['Guinea Bissau', 'GNB'],
    ['Equatorial Guinea', 'GNQ'],
    ['Guinea Ecuatorial', 'GNQ'],
    ['Papua New Guinea', 'PNG'],
    ['Niger', 'NER'],
    ['Níger', 'NER'],
    ['Nigeria', 'NGA'],
    ['Sudan', 'SDN'],
    ['The Sudan', 'SDN'],
    ['South Sudan', 'SSD'],
    ['Sudán del Sur', 'SSD'],
    ['Dominica', 'DMA'],
    ['Dominican Republic', 'DOM'],
    ['República Dominicana', 'DOM'],
    ['Congo', 'COG'],
    ['Republic of the Congo', 'COG'],
    ['Democratic Republic of the Congo', 'COD'],
    ['RD Congo', 'COD'],
    ['República Democrática del Congo', 'COD'],
    ['The Gambia', 'GMB'],
    ['El Salvador', 'SLV'],
    ['Los Países Bajos', 'NLD'],
    ['Bolivia (Plurinational State of)', 'BOL'],
    ['Antigua & Barbuda', 'ATG'],
    ['Republic of Korea', 'KOR'],
    ["Democratic People's Republic of Korea", 'PRK'],
  ])('reads %j as %s', (input, expected) => {
    expect(parseCountry(input)).toEqual({ ok: true, value: expected, exact: input !== 'Parag' });
  });

  it.each([
    ['Parag', 'PRY'],
    ['paragu', 'PRY'],
    ['Urug', 'URY'],
    ['República del Parag', 'PRY'],
    ['Holand', 'NLD'],
  ])('completes the beginning %j to %s, marked as not exact so that the bot confirms it', (input, expected) => {
    expect(parseCountry(input)).toEqual({ ok: true, value: expected, exact: false });
  });

  it.each([
    // Greetings, which begin aliases ("Hola" → "Holanda") or nothing at all.
    ['hola'], ['Hola!'], ['¡Hola!'], ['HOLA'], ['hola.'], ['Hola, buenos días'], ['buenas'], ['Buenos días'], ['hello'], ['Hi'],
    ['Good morning'], ['saludos'],
    // Command words in either language.
    ['ayuda'], ['help'], ['atrás'], ['omitir'], ['progreso'], ['revisar'], ['editar'], ['enviar'], ['reiniciar'], ['mantener'], ['copia'],
    // Short beginnings of other names (aliases) than the English and Spanish ones.
    ['Hola'], ['Holan'], ['Repub'], ['Unit'],
  ])('never reads %j as a country', (input) => {
    expect(parseCountry(input)).toEqual({ ok: false, reason: 'country' });
  });

  it.each([
    [''],
    ['   '],
    ['Atlantis'],
    ['Holy See'],
    ['State of Palestine'],
    ['Kosovo'],
    ['Taiwan'],
    ['no'],
    ['es'],
    ['yes'],
    ['sí'],
    ['PY'],
    ['{"$gt":""}'],
    ['__proto__'],
    ['constructor'],
    ['Guin'],
    ['Nige'],
    ['Sout'],
    ['Estados'],
    ['Korea'],
    ['I work in Paraguay'],
  ])('rejects %j', (input) => {
    expect(parseCountry(input)).toEqual({ ok: false, reason: 'country' });
  });

  it('rejects a 100 000-character string quickly, without throwing', () => {
    const started = Date.now();
    expect(parseCountry('a'.repeat(100_000))).toEqual({ ok: false, reason: 'country' });
    expect(parseCountry('Paraguay '.repeat(11_112).slice(0, 100_000))).toEqual({ ok: false, reason: 'country' });
    expect(parseCountry(` Paraguay${' '.repeat(100_000)}`)).toEqual({ ok: true, value: 'PRY', exact: true });
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('never throws on odd input', () => {
    for (const input of ['\u0000', '\uD800', '💥', 'Ελλάδα', '日本', '\u0301\u0301', 'e\u0301spana', null, undefined, 42]) {
      expect(() => parseCountry(input as string)).not.toThrow();
    }
  });
});

describe('countryName', () => {
  it('names a state in English and Spanish', () => {
    expect(countryName('PRY', 'es')).toBe('Paraguay');
    expect(countryName('USA', 'es')).toBe('Estados Unidos');
    expect(countryName('USA', 'en')).toBe('United States');
    expect(countryName('GBR', 'es')).toBe('Reino Unido');
    expect(countryName('CIV', 'en')).toBe("Côte d'Ivoire");
  });

  it('is undefined for an unknown code', () => {
    expect(countryName('VAT', 'en')).toBeUndefined();
    expect(countryName('', 'es')).toBeUndefined();
    expect(countryName('__proto__', 'en')).toBeUndefined();
  });
});
