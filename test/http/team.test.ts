/**
 * One response per country, answered by its team, over HTTP (REQUIRE_INVITATION=true): Ana (the lead, in Teams) and
 * Luis (section C, in the web chat over Direct Line) each join with their own code and answer their parts into the
 * country's one response; Ana continues from Teams in the web chat with `link`; only Ana submits, after a summary
 * of who answered what; Luis is then told who submitted.
 */
import { createInvitation } from '../../src/admin/invitations';
import { participantsOf, responseOf } from '../../src/session/participants';
import ExcelJS from 'exceljs';
import { englishScript } from '../fixtures/answers';
import { pdfTexts } from '../fixtures/pdfText';
import { directLineActivity, post, readable, startBot, startChannel, teamsActivity, type Recorded } from '../fixtures/http';

type Bot = Awaited<ReturnType<typeof startBot>>;
type Channel = Awaited<ReturnType<typeof startChannel>>;

jest.setTimeout(90_000);

const TOKEN = 'survey-team-token-0123456789';
/** An admin API call of the survey team. */
const admin = (path: string) => fetch(`${bot.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });

let bot: Bot;
let channel: Channel;
beforeAll(async () => {
  channel = await startChannel();
  bot = await startBot({ REQUIRE_INVITATION: 'true', ADMIN_TOKEN: TOKEN });
});
afterAll(async () => {
  await bot?.close();
  await channel?.close();
});

/** A person in one channel: what they type, what they read back, the question they are at. */
function person(conversationId: string, activity: (fields: Record<string, unknown>) => object) {
  const mine = (c: Recorded) => c.method === 'POST' && c.path.includes(encodeURIComponent(conversationId));
  return {
    async say(text: string): Promise<string> {
      const start = channel.calls.length;
      const res = await post(bot.url, activity({ text }));
      expect(res.status).toBe(200);
      // As read: markdown escapes (\\' for ') dropped.
      return channel.calls.slice(start).filter(mine).map((c) => readable(c.activity)).join('\n').replace(/\\(.)/g, '$1');
    },
    /** The question this person is at (the last question the bot sent them). */
    at(): { questionId: string; section: string } {
      const prompt = channel.calls.filter((c) => mine(c) && c.activity.channelData?.msq).at(-1);
      return prompt!.activity.channelData.msq;
    },
  };
}

/** Answers from the script until `stop` holds for the question asked (or the script has nothing for it: skip). */
async function answerUntil(p: ReturnType<typeof person>, stop: (at: { questionId: string; section: string }) => boolean): Promise<string[]> {
  const answered: string[] = [];
  for (let i = 0; i < 60 && !stop(p.at()); i++) {
    const { questionId } = p.at();
    expect(await p.say(englishScript[questionId] ?? 'skip')).toMatch(/Saved|skip|kept|left/i);
    answered.push(questionId);
  }
  return answered;
}

test('two officials of one country answer different sections into one response, from Teams and the web chat; only the lead submits', async () => {
  const anaInvitation = await createInvitation(bot.store, { country: 'Paraguay', email: 'ana@mitic.gov.py', lead: true });
  const luisInvitation = await createInvitation(bot.store, { country: 'PRY', email: 'luis@mitic.gov.py', sections: ['C'] });
  if (!anaInvitation.ok || !luisInvitation.ok) throw new Error('no invitation');

  // Ana, in Teams, with her code: the country's response starts; she leads it.
  const anaTeams = person('a:conv-aad-ana', (fields) => teamsActivity(channel.url, { aadObjectId: 'aad-ana', name: 'Ana Giménez' }, fields));
  const joined = await anaTeams.say(anaInvitation.code);
  expect(joined).toContain('This invitation is for Paraguay.');
  expect(joined).toContain('You are answering for Paraguay together with your country\'s team');
  expect(joined).toContain('You lead your country\'s response');
  expect(anaTeams.at().questionId).toBe('respondent.name');
  const anaAnswered = await answerUntil(anaTeams, (at) => at.questionId === 'q4');
  expect(anaAnswered).toEqual(expect.arrayContaining(['respondent.name', 'respondent.email', 'q1', 'q3']));

  // Luis, in the web chat (Direct Line), with his own code: the same response, walked through section C first.
  const luis = person('dlconv-dl-luis', (fields) => directLineActivity(channel.url, 'dl-luis', fields));
  const luisJoined = await luis.say(`my code: ${luisInvitation.code}`);
  expect(luisJoined).toContain('This invitation is for Paraguay.');
  expect(luisJoined).not.toContain('You lead');
  expect(luis.at()).toMatchObject({ questionId: 'q9', section: 'C' });
  expect(await luis.say(englishScript.q9)).toContain('Saved: Yes.');
  expect(await luis.say('yes')).toContain('Saved.');
  expect(luis.at().questionId).toBe('q10.detail');
  expect(await luis.say(englishScript['q10.detail'])).toContain('Saved.');
  expect(luis.at().questionId).toBe('q11');

  const shared = (await responseOf(bot.store, 'msteams:aad-ana'))!;
  expect((await responseOf(bot.store, 'directline:dl-luis'))!.id).toBe(shared.id);
  expect(shared.respondentKey).toBe('team:msq-2022:PRY');
  expect(shared.answers.map((a) => a.itemId)).toEqual(expect.arrayContaining(['country', 'respondent.name', 'q1', 'q9', 'q10', 'q10.detail']));
  expect((await bot.store.listResponses({ countryCode: 'PRY' })).map((r) => r.id)).toEqual([shared.id]);

  // Luis may not submit.
  expect(await luis.say('submit')).toContain('Only the lead of your country\'s response (ana@mitic.gov.py) can submit');
  expect((await bot.store.getResponse(shared.id))!.status).toBe('in_progress');

  // Ana continues in the web chat with a one-time code from Teams, at the question she was at.
  const code = /LINK-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(await anaTeams.say('link'))?.[0];
  expect(code).toBeDefined();
  const anaWeb = person('dlconv-dl-ana', (fields) => directLineActivity(channel.url, 'dl-ana', fields));
  const linked = await anaWeb.say(code!.toLowerCase());
  expect(linked).toContain('Linked: you continue the same response here.');
  expect(anaWeb.at().questionId).toBe('q4');
  expect(await anaWeb.say('no')).toContain('Saved.');
  // A link code works once.
  expect(await person('dlconv-dl-eve', (fields) => directLineActivity(channel.url, 'dl-eve', fields)).say(code!)).toContain('This code is not valid or has expired');
  expect(await responseOf(bot.store, 'directline:dl-eve')).toBeNull();

  // Both of Ana's channels are Ana; attribution follows the person, not the channel.
  const participants = await participantsOf(bot.store, shared.id);
  expect(participants).toEqual([
    expect.objectContaining({ id: anaInvitation.invitation.id, label: 'ana@mitic.gov.py', lead: true, identities: [expect.objectContaining({ key: 'msteams:aad-ana' }), expect.objectContaining({ key: 'directline:dl-ana' })] }),
    expect.objectContaining({ id: luisInvitation.invitation.id, label: 'luis@mitic.gov.py', lead: false, sections: ['C'], identities: [expect.objectContaining({ key: 'directline:dl-luis' })] }),
  ]);

  // Ana submits after a summary of who answered what; Luis is then told who submitted.
  const summary = await anaWeb.say('submit');
  expect(summary).toContain('Who answered what:');
  expect(summary).toMatch(/ana@mitic\.gov\.py: \d+ answers \(sections A/);
  expect(summary).toContain('luis@mitic.gov.py: 4 answers (sections C)');
  expect(summary).toMatch(/required answers? (is|are) missing/);
  expect(await anaWeb.say('yes')).toContain('Your response has been submitted');
  const submitted = (await bot.store.getResponse(shared.id))!;
  expect(submitted.status).toBe('submitted');
  expect(await luis.say('progress')).toMatch(/submitted by ana@mitic\.gov\.py on \d{4}-\d{2}-\d{2}/);
  expect(await luis.say('yes')).toContain('submitted by ana@mitic.gov.py');
  expect((await bot.store.getResponse(shared.id))!.version).toBe(submitted.version);
});

test('the survey team sees who answered what: admin view and JSON export, the XLSX "Answered by" sheet, the document in English and Spanish', async () => {
  const [shared] = await bot.store.listResponses({ countryCode: 'PRY' });
  expect(shared).toBeDefined();

  const view = await (await admin(`/admin/responses/${shared.id}`)).json();
  expect(view.participants).toEqual([
    expect.objectContaining({ label: 'ana@mitic.gov.py', email: 'ana@mitic.gov.py', lead: true, identities: ['msteams:aad-ana', 'directline:dl-ana'] }),
    expect.objectContaining({ label: 'luis@mitic.gov.py', lead: false, sections: ['C'], identities: ['directline:dl-luis'] }),
  ]);
  // The country from Ana's invitation, her answers from Teams and from the web chat, Luis's section C.
  expect(view.answeredBy).toMatchObject({ country: 'ana@mitic.gov.py', 'respondent.name': 'ana@mitic.gov.py', q1: 'ana@mitic.gov.py', q4: 'ana@mitic.gov.py', q9: 'luis@mitic.gov.py', 'q10.detail': 'luis@mitic.gov.py' });
  expect(Object.keys(view.answeredBy).sort()).toEqual(Object.keys(view.answers).sort());
  const exported = await (await admin('/admin/export?format=json')).json();
  expect(exported.find((r: { id: string }) => r.id === shared.id).answeredBy).toEqual(view.answeredBy);

  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await (await admin(`/admin/export?format=xlsx`)).arrayBuffer()) as ArrayBuffer);
  const sheet = workbook.getWorksheet('Answered by')!;
  expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['Response id', 'Country code', 'Item id', 'Question number', 'Answered by', 'Lead', 'Answered at (UTC)']);
  const rows: unknown[][] = [];
  sheet.eachRow((row, n) => n > 1 && rows.push((row.values as unknown[]).slice(1)));
  expect(rows).toContainEqual([shared.id, 'PRY', 'q9', '9', 'luis@mitic.gov.py', 'no', expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/)]);
  expect(rows).toContainEqual([shared.id, 'PRY', 'q4', '4', 'ana@mitic.gov.py', 'yes', expect.any(String)]);
  expect(rows).toHaveLength(Object.keys(view.answers).length);

  const en = await (await admin(`/admin/responses/${shared.id}?format=md`)).text();
  expect(en).toMatch(/Answered by: ana@mitic\\?\.gov\\?\.py \(1, 2, 3, 4\)/);
  expect(en).toMatch(/Answered by: luis@mitic\\?\.gov\\?\.py \(9, 10\)/);
  const es = await (await admin(`/admin/responses/${shared.id}?format=md&lang=es`)).text();
  expect(es).toMatch(/Respondido por: luis@mitic\\?\.gov\\?\.py \(9, 10\)/);
  const [pdf] = await pdfTexts([Buffer.from(await (await admin(`/admin/responses/${shared.id}?format=pdf`)).arrayBuffer())]);
  expect(pdf.replace(/\s+/g, ' ')).toContain('Answered by: luis@mitic.gov.py (9, 10)');
});

test('the survey team assigns sections over the admin API: each named participant holds exactly those sections', async () => {
  const [shared] = await bot.store.listResponses({ countryCode: 'PRY' });
  const put = (id: string, body: unknown, token = TOKEN) =>
    fetch(`${bot.url}/admin/responses/${id}/assignments`, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const luisId = shared.team!.participants.find((p) => p.email === 'luis@mitic.gov.py')!.id;

  const res = await put(shared.id, { assignments: [{ participant: 'ANA@mitic.gov.py', sections: ['A', 'C'] }, { participant: luisId, sections: ['D', 'E'] }] });
  expect(res.status).toBe(200);
  const view = await res.json();
  expect(view.participants.map((p: { label: string; sections: string[] }) => [p.label, p.sections])).toEqual([
    ['ana@mitic.gov.py', ['A', 'C']],
    ['luis@mitic.gov.py', ['D', 'E']],
  ]);
  expect((await bot.store.getResponse(shared.id))!.team!.participants.map((p) => p.sections)).toEqual([['A', 'C'], ['D', 'E']]);

  expect((await put(shared.id, { assignments: [{ participant: 'pedro@mitic.gov.py', sections: ['B'] }] })).status).toBe(400);
  expect((await put(shared.id, { assignments: [{ participant: luisId, sections: ['Z'] }] })).status).toBe(400);
  expect((await put('no-such-response', { assignments: [{ participant: luisId, sections: ['B'] }] })).status).toBe(404);
  expect((await put(shared.id, { assignments: [{ participant: luisId, sections: ['B'] }] }, 'wrong-token-0123456789')).status).toBe(401);
  expect((await bot.store.getResponse(shared.id))!.team!.participants.map((p) => p.sections)).toEqual([['A', 'C'], ['D', 'E']]);
});
