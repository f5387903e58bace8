import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCommandWord } from '../../src/interview/parse/command';
import { normalize } from '../../src/interview/parse/normalize';

/**
 * The Spanish a UN translator would sign: the UN's own terms, one word for one thing, and nothing a respondent
 * could take for something else.
 */

const dir = join(__dirname, '../../locales/es');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const es: Record<string, Record<string, string>> = Object.fromEntries(files.map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))]));
const all = Object.entries(es).flatMap(([file, dict]) => Object.entries(dict).map(([key, text]) => ({ where: `${file} ${key}`, text })));
const q = es['questionnaire.json'];
const bot = es['bot.json'];

/** Texts matching, placeholders ({{item}}) left out. */
const containing = (pattern: RegExp) => all.filter((e) => pattern.test(e.text.replace(/\{\{[^}]*\}\}/g, ''))).map((e) => e.where);

describe('Spanish (locales/es)', () => {
  test('UN DESA is "el DAES" throughout — never "UN DESA", "ONU DAES" or "UNDESA"', () => {
    expect(containing(/UN ?DESA|ONU DAES/)).toEqual([]);
    expect(q.intro).toContain('El DAES evalúa los portales nacionales');
    expect(q['item.consent']).toBe('Autorizo/Autorizamos al DAES a publicar mis/nuestras respuestas según se estime necesario.');
    expect(bot['submit.question']).toContain('al DAES');
  });

  test('a question is a "pregunta", never an "ítem"', () => {
    expect(containing(/(?<!\p{L})[ÍíIi]tems?(?!\p{L})/u)).toEqual([]);
  });

  test('"link and detail" is "el enlace y los detalles" everywhere', () => {
    expect(containing(/enlace y (el )?detalle\b|enlace y detalle /)).toEqual([]);
    expect(q['item.q9.detail']).toBe('En caso afirmativo, proporcione el enlace y los detalles.');
    expect(q['item.q7']).toMatch(/Proporcione el enlace y los detalles\.$/);
  });

  test('the answer button does not read like a command: "Responder", not "Enviar" (which submits the questionnaire)', () => {
    expect(bot['card.send']).toBe('Responder');
    for (const lng of ['en', 'es']) {
      const label = JSON.parse(readFileSync(join(__dirname, `../../locales/${lng}/bot.json`), 'utf8'))['card.send'] as string;
      expect({ lng, label, command: isCommandWord(normalize(label)) }).toEqual({ lng, label, command: false });
    }
  });

  test('q10 is privacy and/or protection of data, as the UN says (not "datos personales")', () => {
    expect(q['item.q10']).toBe('¿Existe alguna legislación, ley o reglamento sobre la privacidad y/o la protección de datos?');
  });

  test('q16 keeps "sharing" beside exchange and interoperability', () => {
    expect(q['item.q16']).toContain('el uso compartido/intercambio de datos/la interoperabilidad');
  });

  test('section D is "Estrategia y aplicación"', () => {
    expect(q['section.D.title']).toBe('D. Estrategia y aplicación');
  });

  test('short labels keep what the question is about', () => {
    expect(q['item.q7.short']).toMatch(/gobierno electrónico.*respuesta\/recuperación/);
    expect(q['item.q10.detail.short']).toContain('Privacidad/protección de datos');
    expect(q['item.q41.short']).toContain('servicios de gobierno electrónico');
    expect(q['item.q42.short']).toContain('servicios de gobierno electrónico');
    expect(q['item.q44.short']).toContain('desarrollo del gobierno electrónico');
  });
});
