import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import en from '../../locales/en/questionnaire.json';
import type { SectionId } from '../../dialogs/schema';
import { answerAll, definition, respondent, textOf } from '../fixtures/interview';
import { englishScript } from '../fixtures/answers';

/**
 * The UN's English text, exactly: every prompt, option, heading and front-matter line the bot shows is compared
 * with the UN's questionnaire as vendored in docs/msq-2022/questionnaire.md (a copy of the seed, so that the
 * test runs on a fresh clone).
 *
 * How the inventory is read: a table row's wording is the last column; "(if yes)", "(when …)" and such are
 * notes, not wording; " — options: `id` "label" · …" lists the options; "… — X" continues the row above's stem
 * with X; "Stem — Field" is a block's stem and its first field, and the bare fields below it ("Title",
 * "Email") belong to the same stem. A prompt shows a stem and its field as "Stem — Field", or "Stem: Field"
 * when the stem ends with a colon. A table after "— qN: Stem (*):" has that stem for every row.
 */

interface Spec {
  front: Record<'title' | 'intro' | 'glossary' | 'surveyInfo' | 'contact' | 'closing' | 'satisfactionSurvey', string>;
  sectionTitles: Map<SectionId, string>;
  notes: Map<SectionId, string>;
  /** A subheading and the question it stands before. */
  headings: Array<{ text: string; question: string }>;
  items: Map<string, string>;
  options: Map<string, Array<[id: string, label: string]>>;
  /** '*' required, '' optional, '(*)' required as part of a group. */
  required: Map<string, string>;
}

const source = readFileSync(join(__dirname, '../../docs/msq-2022/questionnaire.md'), 'utf8').replace(/<!--[\s\S]*?-->/, '');
const spec = readSpec(source);

function readSpec(markdown: string): Spec {
  const quoted = (label: string) => {
    const match = new RegExp(`${label}: "([\\s\\S]*?)"(?:\\s|$)`).exec(markdown);
    if (!match) throw new Error(`the inventory has no ${label}`);
    return oneLine(match[1]);
  };
  const front = {
    title: quoted('Title'),
    intro: quoted('Introduction \\(verbatim\\)'),
    glossary: quoted('Glossary line \\(verbatim\\)'),
    surveyInfo: quoted('Survey line \\(verbatim\\)'),
    contact: quoted('Contact line \\(verbatim\\)'),
    closing: quoted('Closing text \\(verbatim\\)'),
    satisfactionSurvey: quoted('Then \\(verbatim\\)'),
  };
  const result: Spec = { front, sectionTitles: new Map(), notes: new Map(), headings: [], items: new Map(), options: new Map(), required: new Map() };
  for (const part of markdown.split(/^## /m).slice(1)) {
    const [titleLine, ...body] = part.split('\n');
    const letter = /^([A-H])\. /.exec(titleLine)?.[1] as SectionId | undefined;
    const section: SectionId | undefined = letter ?? (titleLine.trim() === 'Respondent' ? 'respondent' : undefined);
    if (!section) continue;
    if (letter) result.sectionTitles.set(letter, titleLine.trim());
    readSection(result, section, body.join('\n'));
  }
  return result;
}

function readSection(spec: Spec, section: SectionId, body: string): void {
  // Paragraphs become one line each; table rows stay rows.
  const blocks = body.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  let detailWording: string | null = null;
  let tableStem: string | null = null;
  for (const block of blocks) {
    if (!block.startsWith('|')) {
      const text = oneLine(block);
      const note = /^Note shown with the section: "(.*)"$/.exec(text);
      if (note) spec.notes.set(section, note[1]);
      const eachDetail = /followed — if yes — by `qN\.detail` \(text\): "(.*)"$/.exec(text);
      if (eachDetail) detailWording = eachDetail[1];
      const stemmed = /^"(.*)" — (q\d+): (.*?)(?: \(\*\))?:$/.exec(text);
      if (stemmed) {
        spec.headings.push({ text: stemmed[1], question: stemmed[2] });
        tableStem = `${stemmed[3]}:`;
      }
      continue;
    }
    readTable(spec, block, detailWording, tableStem);
    tableStem = null;
  }
}

function readTable(spec: Spec, table: string, detailWording: string | null, tableStem: string | null): void {
  const rows = table.split('\n').slice(2).map((line) => line.split('|').slice(1, -1).map((c) => c.trim()));
  let stem: string | null = null;
  for (const cells of rows) {
    const id = cells[0].replace(/^→\s*/, '');
    let wording = cells.at(-1)!;
    const req = cells.length === 4 ? cells[2] : cells.length === 3 ? cells[1] : '*';
    if (id.includes('&lt;option&gt;')) {
      // "as printed: "Artificial intelligence (AI); link/detail:", … — the option label, then "; link/detail:""
      const parent = id.split('.')[0];
      for (const [option, label] of spec.options.get(parent) ?? []) spec.items.set(`${parent}.${option}.detail`, `${label}; link/detail:`);
      continue;
    }
    const options = / — options: (.*)$/.exec(wording);
    if (options) {
      spec.options.set(id, [...options[1].matchAll(/`([^`]+)` "([^"]+)"/g)].map((m) => [m[1], m[2]] as [string, string]));
      wording = wording.slice(0, options.index);
    }
    const followUp = / — its follow-up `([^`]+)` reads: "(.*)"$/.exec(wording);
    if (followUp) {
      spec.items.set(followUp[1], followUp[2]);
      wording = wording.slice(0, followUp.index);
    }
    wording = wording.replace(/^\((?:if yes|when [^)]*|asked [^)]*)\)\s*/, '');
    const printed = /(?:the prompt is|as printed:) "([^"]+)"/.exec(wording);
    if (printed) wording = printed[1];
    if (wording.startsWith('… — ') && stem) {
      wording = joinStem(stem, wording.slice('… — '.length));
    } else if (tableStem) {
      wording = joinStem(tableStem, wording);
    } else if (wording.includes(' — ')) {
      const at = wording.indexOf(' — ');
      stem = wording.slice(0, at);
      wording = joinStem(stem, wording.slice(at + ' — '.length));
    } else if (stem && /^\S+( \S+)?$/.test(wording)) {
      wording = joinStem(stem, wording);
    } else {
      stem = null;
    }
    spec.items.set(id, wording);
    spec.required.set(id, req);
    if (detailWording && /^q\d+$/.test(id) && !spec.items.has(`${id}.detail`)) spec.items.set(`${id}.detail`, detailWording);
  }
}

function joinStem(stem: string, field: string): string {
  return stem.endsWith(':') ? `${stem} ${field}` : `${stem} — ${field}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const wording = en as Record<string, string>;

describe("the UN's English text, exactly (docs/msq-2022/questionnaire.md)", () => {
  test('the inventory is read whole: every item of the definition has its UN wording, and no other item is listed', () => {
    expect([...spec.items.keys()].sort()).toEqual(definition.items.map((i) => i.id).sort());
  });

  test.each(definition.items.map((item) => [item.id]))('%s: the prompt is the UN wording', (id) => {
    expect(wording[`item.${id}`]).toBe(spec.items.get(id));
  });

  test('every option label is the UN wording, in the UN order', () => {
    for (const item of definition.items.filter((i) => i.options)) {
      const labels = item.options!.map((o) => [o, wording[`option.${item.id}.${o}`]]);
      expect({ id: item.id, labels }).toEqual({ id: item.id, labels: spec.options.get(item.id) });
    }
  });

  test.each(Object.keys(spec.front) as Array<keyof Spec['front']>)('front matter: %s', (key) => {
    expect(wording[key]).toBe(spec.front[key]);
  });

  test('section titles, the section note and the subheading before question 5', () => {
    for (const [letter, title] of spec.sectionTitles) expect(wording[`section.${letter}.title`]).toBe(title);
    for (const [section, note] of spec.notes) expect(wording[`section.${section}.note`]).toBe(note);
    expect(spec.headings).toEqual([{ text: 'Sectoral agencies/departments/ministries', question: 'q5' }]);
    const first = definition.items.find((i) => i.number === '5')!;
    expect(first.heading).toBe(true);
    expect(wording[`item.${first.id}.heading`]).toBe('Sectoral agencies/departments/ministries');
  });

  test('what is required: "*" on its own, "(*)" — question 2 — as a group needing at least one of its links', () => {
    for (const [id, req] of spec.required) {
      const item = definition.byId.get(id)!;
      if (req === '(*)') {
        expect({ id, group: definition.groupOf.get(id)?.atLeast }).toEqual({ id, group: 1 });
      } else {
        expect({ id, required: item.required }).toEqual({ id, required: req === '*' });
      }
    }
    const q2 = definition.groupOf.get('q2.eServices')!;
    expect(q2.items).toEqual(['q2.eServices', 'q2.eParticipation', 'q2.openData', 'q2.procurement', 'q2.others']);
    expect(q2.items.every((id) => definition.groupOf.get(id) === q2 && !definition.byId.get(id)!.required)).toBe(true);
  });
});

describe('the respondent reads them where the UN put them', () => {
  test('the welcome has the introduction, the glossary, the survey and the contact lines; help has the contact line', () => {
    const r = respondent('en');
    const welcome = textOf(r.first.replies);
    for (const key of ['intro', 'glossary', 'surveyInfo', 'contact'] as const) expect(welcome).toContain(spec.front[key]);
    expect(r.say('help')).toContain(spec.front.contact);
  });

  test('the subheading stands before question 5, and section E is announced with its "Note:"', () => {
    const walk = respondent('en');
    for (let i = 0; i < 60 && walk.at !== 'q5.planning'; i++) walk.say('skip');
    expect(textOf(walk.turn.replies)).toContain(`Sectoral agencies/departments/ministries\n\n5. ${wording['item.q5.planning']}`);
    for (let i = 0; i < 80 && walk.at !== 'q33'; i++) walk.say('skip');
    expect(textOf(walk.turn.replies)).toContain(`Note: ${spec.notes.get('E')}`);
  });

  test('after submission: the closing text, then the optional satisfaction survey', () => {
    const r = respondent('en');
    answerAll(r, englishScript);
    const done = r.say('yes');
    expect(done).toContain(`${spec.front.closing}\n\n${spec.front.satisfactionSurvey}`);
  });
});
