/**
 * The next round over HTTP, on the real server: the survey team imports Paraguay's previous response (this bot's
 * own JSON export), then Paraguay's focal point answers the new round in the web chat. Each item with a previous
 * answer is asked as "Last time Paraguay answered: … — keep it, or type the new answer"; most are kept (typed
 * `keep`, or the Keep button), some are changed, and the consent, asked anew every round, is shown but refused
 * for keeping. Kept answers are recorded as confirmed with a `carriedForward` event, and `review`, the JSON
 * export and the document (Markdown and PDF, English and Spanish) mark them.
 */
import { exportJson } from '../../src/admin/exports';
import { createInvitation } from '../../src/admin/invitations';
import { createStorePreviousRounds } from '../../src/carryForward/previousRoundSource';
import { responseDoc, startAdminBot } from '../fixtures/adminBot';
import { englishScript } from '../fixtures/answers';
import { directLineActivity, post, startBot } from '../fixtures/http';
import { answerAll, definition, respondent as engineRespondent } from '../fixtures/interview';
import { pdfTexts } from '../fixtures/pdfText';

jest.setTimeout(120_000);

const TOKEN = 'next-round-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

type Bot = Awaited<ReturnType<typeof startAdminBot>>;
let bot: Bot;

beforeAll(async () => {
  bot = await startAdminBot(TOKEN);
});
afterAll(async () => {
  await bot?.close();
});

/** Paraguay's 2022 response, as the engine stored it from the English script (every answer as the bot keeps it). */
function previousResponse() {
  const r = engineRespondent('en', new Date('2022-06-30T10:00:00Z'));
  answerAll(r, englishScript);
  return responseDoc(Object.fromEntries(r.state.answers.map((a) => [a.itemId, a.value])), { at: new Date('2022-06-30T12:00:00Z') });
}

/** A web chat visitor, over Direct Line with replies in the HTTP response. */
function visitor(userId: string, locale = 'en-US') {
  let n = 0;
  let last: any[] = [];
  const send = async (fields: Record<string, unknown>) => {
    const res = await post(bot.url, directLineActivity('http://127.0.0.1:9/', userId, { locale, deliveryMode: 'expectReplies', id: `${userId}-${++n}`, ...fields }));
    expect(res.status).toBe(200);
    last = res.body?.activities ?? [];
    return last.map((a: any) => a.text ?? '').join('\n');
  };
  return {
    key: `directline:${userId}`,
    greet: () => send({ type: 'conversationUpdate', membersAdded: [{ id: userId }] }),
    say: (text: string) => send({ text }),
    /** The question now asked: its metadata and its activity (text, buttons). */
    get prompt(): { meta: any; activity: any } | undefined {
      const activity = [...last].reverse().find((a) => a.channelData?.msq);
      return activity ? { meta: activity.channelData.msq, activity } : undefined;
    },
  };
}

const changed: Record<string, string> = {
  q1: 'https://www.paraguay.gov.py/portal-2026 — the new national portal.',
  'q10.detail': 'Law 7593/2025 on personal data protection: https://www.bacn.gov.py/leyes/7593',
  q44: 'A new digital identity programme started in 2025.',
};

test('an imported previous round, then a whole run: most answers kept, some changed, one refused; events, review, export and documents mark the kept ones', async () => {
  // The survey team imports last round's export.
  const previous = previousResponse();
  const imported = await fetch(`${bot.url}/admin/imports?format=json`, { method: 'POST', headers: auth, body: exportJson([previous], definition) });
  expect(imported.status).toBe(200);
  expect(((await imported.json()) as { summary: { saved: boolean } }).summary.saved).toBe(true);

  const v = visitor('pry-2026');
  await v.greet();
  const afterCountry = await v.say('Paraguay');
  // The first item after the country offers last time's answer; nothing is stored for it before the respondent keeps it.
  expect(afterCountry).toContain('Last time Paraguay answered: Ana María Giménez Núñez — keep it, or type the new answer.');
  expect(v.prompt!.meta).toMatchObject({ questionId: 'respondent.name', keep: { label: 'Keep' } });
  expect(v.prompt!.activity.suggestedActions.actions).toEqual([{ type: 'imBack', title: 'Keep', value: 'Keep' }]);
  expect((await bot.store.findResponseByRespondent(v.key))!.answers.map((a) => a.itemId)).toEqual(['country']);

  const kept: string[] = [];
  const typedAnew: string[] = [];
  let refused = '';
  for (let turns = 0; turns < 200 && v.prompt && v.prompt.meta.questionId !== 'submit'; turns++) {
    const { meta, activity } = v.prompt;
    const id: string = meta.questionId;
    if (changed[id] !== undefined) {
      expect(meta.keep).toBeDefined();
      await v.say(changed[id]);
      typedAnew.push(id);
    } else if (id === 'consent') {
      // Asked anew every round: last time's answer is shown, not offered.
      expect(activity.text).toContain('Last time Paraguay answered: Yes (shown for reference only: this question is answered anew in every round).');
      expect(meta.keep).toBeUndefined();
      expect(await v.say('keep')).toContain('This question is answered anew in every round, so the previous answer cannot be kept.');
      expect(v.prompt!.meta.questionId).toBe('consent');
      refused = id;
      await v.say('yes');
    } else if (meta.keep) {
      // Half by typing keep, half with the Keep button (which types its label).
      const button = (activity.suggestedActions?.actions ?? []).find((a: any) => a.title === 'Keep');
      const reply = await v.say(kept.length % 2 ? 'keep' : button?.value ?? 'Keep');
      expect(reply).toMatch(/^Kept from last time: /m);
      kept.push(id);
    } else {
      await v.say(englishScript[id] ?? 'skip');
    }
  }
  expect(v.prompt!.meta.questionId).toBe('submit');
  expect(typedAnew).toEqual(['q1', 'q10.detail', 'q44']);
  expect(refused).toBe('consent');
  expect(kept.length).toBeGreaterThan(40);
  expect(kept).toEqual(expect.arrayContaining(['respondent.name', 'q3', 'q4', 'q4.cio.name', 'q10', 'q20', 'q20.other', 'q29']));

  // review marks what was kept, and only that.
  const review = (await v.say('review')).split('\n').map((l) => l.trimEnd());
  expect(review.find((l) => l.startsWith('• 3 — '))).toMatch(/\(kept from last time\)$/);
  expect(review.find((l) => l.startsWith('• 1 — '))).not.toMatch(/kept from last time/);
  expect(review.filter((l) => l.endsWith('(kept from last time)'))).toHaveLength(kept.length);
  await v.say('submit');
  await v.say('yes');

  const doc = (await bot.store.findResponseByRespondent(v.key))!;
  expect(doc.status).toBe('submitted');
  // Every kept answer is last time's answer, recorded with a carriedForward event; changed ones are the new text.
  const before = new Map(previous.answers.map((a) => [a.itemId, a.value]));
  for (const id of kept) expect({ id, value: doc.answers.find((a) => a.itemId === id)?.value }).toEqual({ id, value: before.get(id) });
  for (const id of typedAnew) expect(doc.answers.find((a) => a.itemId === id)?.value).toBe(changed[id]);
  const events = await bot.store.listEvents(doc.id);
  expect(events.filter((e) => e.kind === 'carriedForward').map((e) => e.itemId)).toEqual(kept);
  expect(events.filter((e) => typedAnew.includes(e.itemId) || e.itemId === 'consent').every((e) => e.kind === undefined)).toBe(true);

  // The JSON export lists the kept items.
  const json = (await (await fetch(`${bot.url}/admin/responses/${doc.id}?format=json`, { headers: auth })).json()) as { carriedForward: string[] };
  expect(json.carriedForward).toEqual(kept);

  // The documents mark each kept answer, in English and in Spanish.
  const md = await (await fetch(`${bot.url}/admin/responses/${doc.id}?format=md`, { headers: auth })).text();
  expect(md.split('_Kept from the previous round (confirmed by the respondent)._')).toHaveLength(kept.length + 1);
  const mdEs = await (await fetch(`${bot.url}/admin/responses/${doc.id}?format=md&lang=es`, { headers: auth })).text();
  expect(mdEs.split('_Respuesta de la ronda anterior, mantenida (confirmada por la persona que responde)._')).toHaveLength(kept.length + 1);
  const portal = md.slice(md.indexOf('**1. '), md.indexOf('**2. '));
  expect(portal).toContain('portal-2026');
  expect(portal).not.toContain('Kept from the previous round');
  const pdfs = await Promise.all(['en', 'es'].map(async (lang) => Buffer.from(await (await fetch(`${bot.url}/admin/responses/${doc.id}?format=pdf&lang=${lang}`, { headers: auth })).arrayBuffer())));
  const [pdfEn, pdfEs] = (await pdfTexts(pdfs)).map((text) => text.replace(/\s+/g, ' '));
  expect(pdfEn.split('Kept from the previous round (confirmed by the respondent).').length - 1).toBe(kept.length);
  expect(pdfEs.split('Respuesta de la ronda anterior, mantenida (confirmada por la persona que responde).').length - 1).toBe(kept.length);
});

test('in Spanish: "mantener" keeps, and the Keep button reads Mantener', async () => {
  const v = visitor('pry-2026-es', 'es-ES');
  await v.greet();
  expect(await v.say('Paraguay')).toContain('La última vez Paraguay respondió: Ana María Giménez Núñez — puede mantenerla o escribir la nueva respuesta.');
  expect(v.prompt!.activity.suggestedActions.actions).toEqual([{ type: 'imBack', title: 'Mantener', value: 'Mantener' }]);
  expect(await v.say('Mantener')).toContain('Se mantuvo la respuesta de la vez anterior: Ana María Giménez Núñez.');
  expect(v.prompt!.meta.questionId).toBe('respondent.title');
  expect(await v.say('mantener')).toContain('Se mantuvo la respuesta de la vez anterior');
  const events = await bot.store.listEvents((await bot.store.findResponseByRespondent(v.key))!.id);
  expect(events.filter((e) => e.kind === 'carriedForward').map((e) => e.itemId)).toEqual(['respondent.name', 'respondent.title']);
});

test('a country without a previous round is asked as always: keep has nothing to keep', async () => {
  const v = visitor('ury-2026');
  await v.greet();
  const reply = await v.say('Uruguay');
  expect(reply).not.toContain('Last time');
  expect(v.prompt!.meta.keep).toBeUndefined();
  expect(await v.say('keep')).toContain('There is no answer to keep yet.');
});

test('probes over HTTP: a "Yes" without a link is followed up once; the follow-up answered, then another declined, all recorded', async () => {
  const v = visitor('ury-probes');
  await v.greet();
  await v.say('Uruguay');
  await v.say('edit 9');
  expect(v.prompt!.meta.questionId).toBe('q9');
  expect(await v.say('Yes — Ley 18.381 de acceso a la información pública')).toContain('Could you add the link to the law, the portal or the document?');
  expect(v.prompt!.meta.questionId).toBe('q9.detail');
  expect(await v.say('https://www.impo.com.uy/bases/leyes/18381-2008')).toContain('Thank you, that is added to your answer.');
  expect(v.prompt!.meta.questionId).toBe('q10');
  await v.say('yes, Ley 18.331');
  expect(v.prompt!.meta.questionId).toBe('q10.detail');
  expect(await v.say('no')).toContain('All right, your answer is kept as it is.');

  const doc = (await bot.store.findResponseByRespondent(v.key))!;
  expect(doc.answers.find((a) => a.itemId === 'q9.detail')?.value).toBe('Ley 18.381 de acceso a la información pública\nhttps://www.impo.com.uy/bases/leyes/18381-2008');
  expect(doc.answers.find((a) => a.itemId === 'q10.detail')?.value).toBe('Ley 18.331');
  const events = (await bot.store.listEvents(doc.id)).filter((e) => e.kind);
  expect(events.map((e) => [e.itemId, e.kind])).toEqual([
    ['q9.detail', 'probeAsked'],
    ['q9.detail', 'probeAnswered'],
    ['q10.detail', 'probeAsked'],
    ['q10.detail', 'probeDeclined'],
  ]);
});

test('with an invitation the country is known from the start: the first question already offers last time\'s answer', async () => {
  const invited = await startBot({ REQUIRE_INVITATION: 'true' });
  try {
    await createStorePreviousRounds(invited.store).save([
      {
        country: 'PRY',
        fromEdition: 'msq-2022',
        edition: 'msq-2022',
        definitionVersion: definition.version,
        responseId: null,
        submittedAt: null,
        respondent: null,
        answers: [{ itemId: 'respondent.name', value: 'Ana María Giménez Núñez', fit: 'keepable', previous: { itemId: 'respondent.name', value: 'Ana María Giménez Núñez' } }],
        dropped: [],
        importedAt: new Date().toISOString(),
      },
    ]);
    const made = await createInvitation(invited.store, { country: 'Paraguay' });
    if (!made.ok) throw new Error('no invitation');
    const res = await post(invited.url, directLineActivity('http://127.0.0.1:9/', 'pry-invited', { text: made.code, locale: 'en-US', deliveryMode: 'expectReplies' }));
    const text = (res.body?.activities ?? []).map((a: any) => a.text ?? '').join('\n');
    expect(text).toContain('Last time Paraguay answered: Ana María Giménez Núñez — keep it, or type the new answer.');
    const keep = await post(invited.url, directLineActivity('http://127.0.0.1:9/', 'pry-invited', { text: 'keep', locale: 'en-US', deliveryMode: 'expectReplies' }));
    expect((keep.body?.activities ?? []).map((a: any) => a.text ?? '').join('\n')).toContain('Kept from last time: Ana María Giménez Núñez.');
    // The invited response, found by its country (the only one in this store).
    const [doc] = await invited.store.listResponses({ countryCode: 'PRY' });
    expect((await invited.store.listEvents(doc.id)).filter((e) => e.kind === 'carriedForward').map((e) => e.itemId)).toEqual(['respondent.name']);
  } finally {
    await invited.close();
  }
});
