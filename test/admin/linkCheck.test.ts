import { checkLink, checkLinks } from '../../src/admin/linkCheck';
import { startLinkServer } from '../fixtures/linkServer';

/** Link checks against a local web site only (test/fixtures/linkServer.ts); nothing leaves the machine. */

type Site = Awaited<ReturnType<typeof startLinkServer>>;
let site: Site;
beforeAll(async () => {
  site = await startLinkServer();
});
afterAll(async () => {
  await site?.close();
});

const local = { allowPrivateAddresses: true, timeoutMs: 2_000 };

test('a live page is live, with HEAD only', async () => {
  await expect(checkLink(`${site.url}/live`, local)).resolves.toEqual({ result: 'live', status: 200, finalUrl: `${site.url}/live` });
  expect(site.requests.filter((r) => r.path === '/live')).toEqual([{ method: 'HEAD', path: '/live' }]);
});

test('a missing page is dead with its status (after trying GET too)', async () => {
  await expect(checkLink(`${site.url}/missing`, local)).resolves.toEqual({ result: 'dead', reason: 'http', status: 404 });
  expect(site.requests.filter((r) => r.path === '/missing').map((r) => r.method)).toEqual(['HEAD', 'GET']);
});

test('a server that refuses HEAD (405) is asked with GET', async () => {
  await expect(checkLink(`${site.url}/no-head`, local)).resolves.toMatchObject({ result: 'live', status: 200 });
  expect(site.requests.filter((r) => r.path === '/no-head').map((r) => r.method)).toEqual(['HEAD', 'GET']);
});

test('a redirect is followed to where it ends; a redirect loop gives up after the limit', async () => {
  await expect(checkLink(`${site.url}/moved`, local)).resolves.toEqual({ result: 'live', status: 200, finalUrl: `${site.url}/live` });
  const before = site.requests.length;
  await expect(checkLink(`${site.url}/loop`, { ...local, maxRedirects: 3 })).resolves.toEqual({ result: 'dead', reason: 'redirects', status: 302 });
  expect(site.requests.length - before).toBe(4);
});

test('a 403 is "blocked": the site answers but refuses automatic checks', async () => {
  await expect(checkLink(`${site.url}/forbidden`, local)).resolves.toEqual({ result: 'blocked', status: 403 });
});

test('a server that never answers times out within the deadline', async () => {
  const started = Date.now();
  await expect(checkLink(`${site.url}/hang`, { ...local, timeoutMs: 500 })).resolves.toEqual({ result: 'dead', reason: 'timeout' });
  const took = Date.now() - started;
  expect(took).toBeGreaterThanOrEqual(450);
  expect(took).toBeLessThan(3_000);
});

test('nothing is listening: no connection', async () => {
  const closed = await startLinkServer();
  const url = closed.url;
  await closed.close();
  await expect(checkLink(`${url}/live`, local)).resolves.toEqual({ result: 'dead', reason: 'connection' });
});

test('a malformed URL is not requested', async () => {
  const before = site.requests.length;
  await expect(checkLinks([null, 'not a url'], local)).resolves.toEqual([{ result: 'malformed' }, { result: 'malformed' }]);
  expect(site.requests.length).toBe(before);
});

test('loopback and private addresses are refused unless allowed, also behind a name', async () => {
  const before = site.requests.length;
  for (const url of [`${site.url}/live`, 'http://10.1.2.3/', 'http://192.168.0.1/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data/']) {
    await expect(checkLink(url, { timeoutMs: 2_000 })).resolves.toEqual({ result: 'notChecked', reason: 'privateAddress' });
  }
  // "localhost" is a name: refused when it resolves, before any connection.
  await expect(checkLink(`${site.url.replace('127.0.0.1', 'localhost')}/live`, { timeoutMs: 2_000 })).resolves.toEqual({ result: 'notChecked', reason: 'privateAddress' });
  expect(site.requests.length).toBe(before);
});

test('only http and https are followed', async () => {
  await expect(checkLink('ftp://files.example.org/x', local)).resolves.toEqual({ result: 'notChecked', reason: 'scheme' });
});

test('many links: each distinct one once, a few at a time, in the order given', async () => {
  const before = site.requests.length;
  const hrefs = [`${site.url}/hang`, `${site.url}/hang?b`, `${site.url}/hang?c`, `${site.url}/hang?d`, `${site.url}/live`, `${site.url}/live`, null, `${site.url}/missing`];
  const started = Date.now();
  const results = await checkLinks(hrefs, { ...local, timeoutMs: 600, concurrency: 2 });
  expect(results.map((r) => r.result)).toEqual(['dead', 'dead', 'dead', 'dead', 'live', 'live', 'malformed', 'dead']);
  expect(site.maxInFlight()).toBeLessThanOrEqual(2);
  // Two at a time: four hanging links take two rounds of the deadline.
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_100);
  const made = site.requests.slice(before);
  expect(made.filter((r) => r.path === '/live')).toHaveLength(1);
  expect(made.filter((r) => r.path === '/hang')).toHaveLength(4);
});

test('over the limit of one call, links are not checked', async () => {
  const results = await checkLinks([`${site.url}/live`, `${site.url}/live?2`, `${site.url}/live?3`], { ...local, maxLinks: 2 });
  expect(results.map((r) => r.result)).toEqual(['live', 'live', 'notChecked']);
});
