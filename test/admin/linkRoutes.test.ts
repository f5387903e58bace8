/**
 * POST /admin/responses/:id/links/check over HTTP, on the real server: every link of a response checked against
 * a local web site (live, missing, moved, hanging), a malformed one flagged, behind the admin token.
 */
import { linkReportSchema, type LinkReport } from '../../src/admin/linkRoutes';
import { responseDoc, startAdminBot } from '../fixtures/adminBot';
import { startLinkServer } from '../fixtures/linkServer';

jest.setTimeout(30_000);

const TOKEN = 'link-check-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

type Bot = Awaited<ReturnType<typeof startAdminBot>>;
let site: Awaited<ReturnType<typeof startLinkServer>>;
let bot: Bot;
let strictBot: Bot;
let responseId: string;

beforeAll(async () => {
  site = await startLinkServer();
  bot = await startAdminBot(TOKEN, { linkCheck: { allowPrivateAddresses: true, timeoutMs: 1_000 } });
  strictBot = await startAdminBot(TOKEN);
  const doc = responseDoc({
    country: 'PRY',
    'respondent.name': 'Ana María Giménez Núñez',
    'respondent.email': 'ana.gimenez@mitic.gov.py',
    q1: `The national portal: ${site.url}/live.\nThe old one (${site.url}/missing) is gone.`,
    'q2.eServices': `${site.url}/moved`,
    'q2.openData': 'http:/datos.gov.py',
    q3: `MITIC — ${site.url}/hang`,
    q4: 'yes',
    'q4.details': `See ${site.url}/live again.`,
  });
  responseId = doc.id;
  for (const b of [bot, strictBot]) expect((await b.store.insertResponse(doc)).ok).toBe(true);
});
afterAll(async () => {
  await bot?.close();
  await strictBot?.close();
  await site?.close();
});

const check = (b: Bot, id: string, headers: Record<string, string> = auth) => fetch(`${b.url}/admin/responses/${id}/links/check`, { method: 'POST', headers });

test('every link of the response, in questionnaire order, with what its check found', async () => {
  const res = await check(bot, responseId);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const report: LinkReport = linkReportSchema.parse(await res.json());
  expect(report.id).toBe(responseId);
  expect(report.links).toEqual([
    { itemId: 'q1', number: '1', url: `${site.url}/live`, wellFormed: true, result: 'live', status: 200, finalUrl: `${site.url}/live` },
    { itemId: 'q1', number: '1', url: `${site.url}/missing`, wellFormed: true, result: 'dead', reason: 'http', status: 404 },
    { itemId: 'q2.eServices', number: '2', url: `${site.url}/moved`, wellFormed: true, result: 'live', status: 200, finalUrl: `${site.url}/live` },
    { itemId: 'q2.openData', number: '2', url: 'http:/datos.gov.py', wellFormed: false, result: 'malformed' },
    { itemId: 'q3', number: '3', url: `${site.url}/hang`, wellFormed: true, result: 'dead', reason: 'timeout' },
    { itemId: 'q4.details', number: '4', url: `${site.url}/live`, wellFormed: true, result: 'live', status: 200, finalUrl: `${site.url}/live` },
  ]);
  expect(report.counts).toEqual({ live: 3, blocked: 0, dead: 2, malformed: 1, notChecked: 0 });
  // The same link in two answers is requested once.
  expect(site.requests.filter((r) => r.path === '/live' && r.method === 'HEAD')).toHaveLength(2); // itself, and after /moved
});

test('without the test option, the server refuses to check its own network', async () => {
  const before = site.requests.length;
  const report = linkReportSchema.parse(await (await check(strictBot, responseId)).json());
  expect(report.links.filter((l) => l.wellFormed).every((l) => l.result === 'notChecked' && l.reason === 'privateAddress')).toBe(true);
  expect(site.requests.length).toBe(before);
});

test('the admin token is required; an unknown response is a 404', async () => {
  const denied = await check(bot, responseId, {});
  expect(denied.status).toBe(401);
  expect(await denied.text()).not.toContain(site.url);
  expect((await check(bot, 'no-such-response')).status).toBe(404);
});
