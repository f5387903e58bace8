import ExcelJS from 'exceljs';
import { extractLinks } from '../../src/interview/parse/links';
import { adminView } from '../../src/admin/view';
import { exportXlsx } from '../../src/admin/exports';
import { englishScript, longLegalAnswer } from '../fixtures/answers';
import { definition, i18n } from '../fixtures/interview';
import { englishTricky, responseFrom } from '../fixtures/responses';

/** The links of a text as written, and which are well-formed. */
const links = (text: string) => extractLinks(text).map((l) => [l.url, l.href !== null]);

describe('extractLinks: the links in an answer, as officials write them', () => {
  test('with and without a scheme, trailing punctuation trimmed, brackets kept when balanced', () => {
    expect(links('Yes — Law 5282/2014, see https://www.mitic.gov.py/ley-5282.')).toEqual([['https://www.mitic.gov.py/ley-5282', true]]);
    expect(links('The portal is www.gov.py/x, and (https://a.gov.py/path_(beta)) or «https://b.gov.py».')).toEqual([
      ['www.gov.py/x', true],
      ['https://a.gov.py/path_(beta)', true],
      ['https://b.gov.py', true],
    ]);
    expect(links('Reports: https://informacionpublica.paraguay.gov.py/portal/#!/reportes?year=2021&lang=es (tab «Estadísticas»).')).toEqual([
      ['https://informacionpublica.paraguay.gov.py/portal/#!/reportes?year=2021&lang=es', true],
    ]);
    expect(links('datos.gov.py; un.org/egovkb and gob.mx/tramites!')).toEqual([
      ['datos.gov.py', true],
      ['un.org/egovkb', true],
      ['gob.mx/tramites', true],
    ]);
    expect(links('Link:https://a.gov.py;https://b.gov.py https://c.gov.py/?next=https://d.gov.py')).toEqual([
      ['https://a.gov.py', true],
      ['https://b.gov.py', true],
      ['https://c.gov.py/?next=https://d.gov.py', true],
    ]);
  });

  test('a scheme-less link opens over https; international domain names are punycoded', () => {
    expect(extractLinks('www.gov.py/x')).toEqual([{ url: 'www.gov.py/x', href: 'https://www.gov.py/x' }]);
    expect(extractLinks('ñandutí.gov.py/x')).toEqual([{ url: 'ñandutí.gov.py/x', href: 'https://xn--andut-3saw.gov.py/x' }]);
  });

  test('law and decree numbers, e-mail addresses, handles, file names and abbreviations are not links', () => {
    for (const text of [
      'Law 5282/2014 and Decree No. 4064/2015',
      'Ley N.º 5282/2014',
      'ana.gimenez@mitic.gov.py, <gperez@mitic.gov.py>, mailto:info@un.org',
      '@mitic_py on X',
      'See informe.pdf and notes.md, e.g. the U.S.A. report, Ph.D. thesis, v2.0, art.15, i.e. nothing.',
    ]) {
      expect(extractLinks(text)).toEqual([]);
    }
  });

  test('a link that is not a well-formed http(s) URL is flagged', () => {
    expect(links('http:/www.x.gov.py https://mitic..gov.py ftp://files.gov.py https://x.gov.py:99999/ https://localhost:3000/ http//www.y.gov.py')).toEqual([
      ['http:/www.x.gov.py', false],
      ['https://mitic..gov.py', false],
      ['ftp://files.gov.py', false],
      ['https://x.gov.py:99999/', false],
      ['https://localhost:3000/', false],
      ['http//www.y.gov.py', false],
    ]);
  });

  test('each link once per answer; multi-choice option ids and yes/no hold none', () => {
    expect(links('https://a.gov.py and again https://a.gov.py.')).toEqual([['https://a.gov.py', true]]);
    expect(extractLinks(['ai', 'iot'])).toEqual([]);
    expect(extractLinks('yes')).toEqual([]);
    expect(extractLinks('PRY')).toEqual([]);
  });

  test('every link of a long legal answer', () => {
    const found = links(longLegalAnswer);
    expect(found).toHaveLength(13);
    expect(found.every(([, ok]) => ok)).toBe(true);
    expect(found[0]).toEqual(['https://www.mitic.gov.py/normativa/2014/decreto-100.pdf', true]);
    expect(found.at(-1)).toEqual(['https://informacionpublica.paraguay.gov.py/portal/#!/reportes?year=2021&lang=es', true]);
  });
});

describe('links in the admin view and the XLSX export', () => {
  const doc = responseFrom({ ...englishTricky, q21: 'Plan at mitic.gov.py/plan and http:/broken.gov.py' }, { now: new Date('2026-11-28T10:00:00Z') });
  const view = adminView(doc, definition);

  test('the view lists the links of each item that has any, in questionnaire order', () => {
    expect(view.links.q1).toEqual([
      { url: 'https://www.paraguay.gov.py', wellFormed: true },
      { url: 'https://www.tramites.gov.py', wellFormed: true },
    ]);
    expect(view.links['q2.procurement']).toEqual([{ url: 'https://www.contrataciones.gov.py', wellFormed: true }]);
    expect(view.links.q21).toEqual([
      { url: 'mitic.gov.py/plan', wellFormed: true },
      { url: 'http:/broken.gov.py', wellFormed: false },
    ]);
    expect(view.links.q32).toEqual([{ url: 'https://www.mitic.gov.py/sandbox_(beta)', wellFormed: true }]);
    // No link in an e-mail address, a yes/no or a multi-choice.
    for (const id of ['respondent.email', 'q4.cio.email', 'q4', 'q29', 'country']) expect(view.links).not.toHaveProperty([id]);
    // The link inside a pasted formula is a link too: the survey team sees where it points.
    expect(view.links.q44).toEqual([{ url: 'https://evil.example/?leak=', wellFormed: true }]);
    const order = definition.items.map((i) => i.id).filter((id) => id in view.links);
    expect(Object.keys(view.links)).toEqual(order);
    expect(view.edition).toBe('msq-2022');
  });

  test('sheet "Links": response, country, item, question number, url and well-formed, one row per link', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await exportXlsx([doc], definition, i18n)) as unknown as ArrayBuffer);
    expect(workbook.subject).toBe('msq-2022');
    const sheet = workbook.getWorksheet('Links')!;
    const rows = sheet.getSheetValues().slice(1).map((r) => (r as unknown[]).slice(1));
    expect(rows[0]).toEqual(['Response id', 'Country code', 'Item id', 'Question number', 'Link (as written)', 'Well-formed URL']);
    const total = Object.values(view.links).reduce((n, l) => n + l.length, 0);
    expect(rows).toHaveLength(1 + total);
    expect(rows).toContainEqual([doc.id, 'PRY', 'q21', '21', 'mitic.gov.py/plan', 'yes']);
    expect(rows).toContainEqual([doc.id, 'PRY', 'q21', '21', 'http:/broken.gov.py', 'no']);
    expect(rows).toContainEqual([doc.id, 'PRY', 'q1', '1', 'https://www.paraguay.gov.py', 'yes']);
    expect(rows.filter((r) => r[2] === 'q9.detail')).toHaveLength(13);
    expect(englishScript.q1).toContain('https://www.paraguay.gov.py');
  });
});
