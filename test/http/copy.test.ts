import { createDocumentLinks } from '../../src/admin/documentLinks';
import { directLineActivity, post, startBot } from '../fixtures/http';
import { pdfTexts } from '../fixtures/pdfText';

/** A respondent asks for a copy of their questionnaire and downloads it through the link they get. */

const texts = (body: any): string => (body?.activities ?? []).map((a: any) => a.text ?? '').join('\n');
/** The document link of a message, as the target of its markdown link (the text is markdown with clickable links). */
const documentLink = (text: string): string | undefined => /\]\((https?:\/\/[^)\s]+\/documents\/[^)\s]+)\)/.exec(text)?.[1];

describe('copy / copia over HTTP', () => {
  let bot: Awaited<ReturnType<typeof startBot>>;
  beforeAll(async () => (bot = await startBot()));
  afterAll(() => bot.close());

  function respondent(userId: string, locale: string) {
    let n = 0;
    return (text: string) => post(bot.url, directLineActivity('http://127.0.0.1:9/', userId, { text, locale, deliveryMode: 'expectReplies', id: `${userId}-${++n}`, channelData: { clientActivityID: `${userId}-${n}` } }));
  }

  test('in Spanish: the link opens the filled questionnaire as a PDF in Spanish, and the interview goes on where it was', async () => {
    const say = respondent('copy-es', 'es-ES');
    await say('hola');
    await say('Paraguay');
    await say('Ana Giménez Núñez');
    const reply = await say('copia');
    const text = texts(reply.body);
    expect(text).toContain('Aquí tiene su cuestionario');
    expect(reply.body.activities.at(-1).channelData.msq.questionId).toBe('respondent.title');
    const url = documentLink(text);
    expect(url).toBeDefined();

    const res = await fetch(url!.replace(/^http:\/\/localhost:\d+/, bot.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const [content] = await pdfTexts([pdf]);
    expect(content).toContain('Ana Giménez Núñez');
    expect(content).toMatch(/Paraguay/);
    expect(content).toContain('Cuestionario para los Estados Miembros');
  });

  test('a link that was altered or has expired says, in both languages, how to get a new one', async () => {
    const say = respondent('copy-en', 'en-US');
    await say('hello');
    const text = texts((await say('copy')).body);
    const url = documentLink(text)!.replace(/^http:\/\/localhost:\d+/, bot.url);

    const tampered = await fetch(url.slice(0, -3) + (url.endsWith('AAA') ? 'BBB' : 'AAA'));
    expect(tampered.status).toBe(404);
    const body = await tampered.text();
    expect(body).toContain('type copy');
    expect(body).toContain('escriba copia');

    const links = createDocumentLinks({ baseUrl: () => bot.url, now: () => Date.now() - 2 * 60 * 60 * 1000 });
    const token = links.create('whatever', 'en').url.split('/documents/')[1];
    // Signed with another key: refused as invalid, not served.
    expect((await fetch(`${bot.url}/documents/${token}`)).status).toBe(404);
  });
});

describe('document links', () => {
  test('expire after their lifetime and cannot be altered', () => {
    let now = Date.parse('2026-11-29T10:00:00Z');
    const links = createDocumentLinks({ key: 'k'.repeat(32), baseUrl: () => 'https://msq.example.org/', now: () => now });
    const { url, minutes } = links.create('resp-1', 'es');
    expect(url.startsWith('https://msq.example.org/documents/')).toBe(true);
    const token = url.split('/documents/')[1];
    expect(links.verify(token)).toEqual({ ok: true, responseId: 'resp-1', locale: 'es' });
    const [payload, signature] = token.split('~');
    const forged = Buffer.from(JSON.stringify({ r: 'resp-2', l: 'es', exp: 9999999999 })).toString('base64url');
    expect(links.verify(`${forged}~${signature}`)).toEqual({ ok: false, reason: 'signature' });
    expect(links.verify(`${payload}`)).toEqual({ ok: false, reason: 'malformed' });
    now += minutes * 60 * 1000;
    expect(links.verify(token)).toEqual({ ok: false, reason: 'expired' });
    // Another instance with the same key accepts it (several bot processes behind one address).
    const other = createDocumentLinks({ key: 'k'.repeat(32), baseUrl: () => '', now: () => Date.parse('2026-11-29T10:30:00Z') });
    expect(other.verify(token)).toMatchObject({ ok: true });
  });
});
