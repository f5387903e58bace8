/**
 * Are the links of a response alive? Checked from the server, on demand, politely: HTTP HEAD (GET when a server
 * refuses HEAD), a short deadline per link, a few at a time, redirects followed up to a limit, http and https
 * only, and never an address inside a private network (the check must not become a way to probe the bot's own
 * network), unless allowed for tests.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** How links are checked. */
export interface LinkCheckOptions {
  /** The whole check of one link, redirects included (default 5 s). */
  timeoutMs?: number;
  /** Links checked at the same time (default 6). */
  concurrency?: number;
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number;
  /** Links checked in one call; the rest are not checked (default 300). */
  maxLinks?: number;
  /** Allow loopback and private addresses. Only for tests, which check links against a local server. */
  allowPrivateAddresses?: boolean;
}

/** What a check found. */
export type LinkResult =
  /** The server answered with a success (after redirects): `finalUrl` is where it ended. */
  | { result: 'live'; status: number; finalUrl: string }
  /** The server answered but refuses automatic checks (401, 403, 429): a person should open it. */
  | { result: 'blocked'; status: number }
  /** Not reachable: an HTTP error status, no answer in time, no such host, no connection, a bad certificate, a redirect loop. */
  | { result: 'dead'; reason: DeadReason; status?: number }
  /** Not a well-formed http(s) URL (see links.ts). */
  | { result: 'malformed' }
  /** Not checked: a private or loopback address, a redirect to another scheme, or over the limit of one call. */
  | { result: 'notChecked'; reason: 'privateAddress' | 'scheme' | 'limit' };

export type DeadReason = 'http' | 'timeout' | 'dns' | 'connection' | 'tls' | 'redirects';

const DEFAULTS = { timeoutMs: 5_000, concurrency: 6, maxRedirects: 5, maxLinks: 300, allowPrivateAddresses: false } as const;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const BLOCKED = new Set([401, 403, 429]);
const USER_AGENT = 'MSQ-Bot link check (UN DESA E-Government Survey)';

/**
 * Checks every link (each distinct href once), at most `concurrency` at a time. The results are in the order of
 * the links; a null href is malformed.
 */
export async function checkLinks(hrefs: ReadonlyArray<string | null>, options: LinkCheckOptions = {}): Promise<LinkResult[]> {
  const settings = { ...DEFAULTS, ...options };
  const distinct = [...new Set(hrefs.filter((h): h is string => h !== null))];
  const checked = new Map<string, LinkResult>();
  distinct.slice(settings.maxLinks).forEach((href) => checked.set(href, { result: 'notChecked', reason: 'limit' }));
  const queue = distinct.slice(0, settings.maxLinks);
  const worker = async () => {
    for (let href = queue.shift(); href !== undefined; href = queue.shift()) checked.set(href, await checkLink(href, settings));
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, queue.length) }, worker));
  return hrefs.map((href) => (href === null ? { result: 'malformed' } : checked.get(href)!));
}

/** Checks one link: HEAD, GET if HEAD fails, following redirects, within the deadline. */
export async function checkLink(href: string, options: LinkCheckOptions = {}): Promise<LinkResult> {
  const settings = { ...DEFAULTS, ...options };
  const signal = AbortSignal.timeout(settings.timeoutMs);
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return { result: 'malformed' };
  }
  try {
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return { result: 'notChecked', reason: 'scheme' };
      if (!settings.allowPrivateAddresses && isPrivateLiteral(url.hostname)) return { result: 'notChecked', reason: 'privateAddress' };
      let answer = await request(url, 'HEAD', settings.allowPrivateAddresses, signal);
      // Many servers answer HEAD with 405, 501, or even 403/404, while GET works: GET decides.
      if (answer.status >= 400) answer = await request(url, 'GET', settings.allowPrivateAddresses, signal);
      if (REDIRECTS.has(answer.status) && answer.location) {
        if (hop >= settings.maxRedirects) return { result: 'dead', reason: 'redirects', status: answer.status };
        url = new URL(answer.location, url);
        continue;
      }
      if (answer.status < 400) return { result: 'live', status: answer.status, finalUrl: url.href };
      if (BLOCKED.has(answer.status)) return { result: 'blocked', status: answer.status };
      return { result: 'dead', reason: 'http', status: answer.status };
    }
  } catch (error) {
    if (signal.aborted) return { result: 'dead', reason: 'timeout' };
    const code = String((error as NodeJS.ErrnoException).code ?? '');
    if (code === PRIVATE_CODE) return { result: 'notChecked', reason: 'privateAddress' };
    if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_FAIL'].includes(code)) return { result: 'dead', reason: 'dns' };
    if (/CERT|SSL|TLS|SIGNATURE|ISSUER/.test(code)) return { result: 'dead', reason: 'tls' };
    return { result: 'dead', reason: 'connection' };
  }
}

/** One request: the status and Location header; the body is never read. */
function request(url: URL, method: 'HEAD' | 'GET', allowPrivate: boolean, signal: AbortSignal): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method,
        signal,
        agent: false,
        headers: { 'user-agent': USER_AGENT, accept: '*/*' },
        ...(allowPrivate ? {} : { lookup: publicLookup }),
      },
      (res) => {
        const location = res.headers.location;
        resolve({ status: res.statusCode ?? 0, ...(location ? { location } : {}) });
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The error code of a host name that resolves to a private address. */
const PRIVATE_CODE = 'EMSQPRIVATE';

/** Loopback, private, link-local, carrier-grade NAT, benchmark, multicast and reserved ranges (IPv4-mapped IPv6 too). */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');

const isPrivateAddress = (address: string, family: number): boolean => PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');

/** A host written as a private IP address ("127.0.0.1", "[::1]"); names are checked when resolved (publicLookup). */
function isPrivateLiteral(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  return family !== 0 && isPrivateAddress(host, family);
}

/**
 * dns.lookup that fails when a name resolves to any private address. It runs when the connection is made, so a
 * name cannot pass a check and then resolve elsewhere.
 */
const publicLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address, a.family))) {
      const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private address`);
      refused.code = PRIVATE_CODE;
      return callback(refused, '', 0);
    }
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
};
