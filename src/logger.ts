import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Keys whose values are secrets wherever they appear: credentials of the configuration, HTTP authorization and
 * cookies, tokens (Direct Line, admin, OAuth). Matched without regard to case.
 */
const SECRET_KEYS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'MicrosoftAppPassword',
  'DIRECT_LINE_SECRET',
  'ADMIN_TOKEN',
  'LINK_SIGNING_KEY',
  'MONGODB_URI',
  'secret',
  'clientSecret',
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'id_token',
];
const secretKeys = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));

const CENSOR = '[redacted]';

/** Bearer credentials, compact JWTs (three base64url parts, the first a JSON header) and passwords in URLs. */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${CENSOR}`],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, CENSOR],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@/\s]+@/gi, `$1:${CENSOR}@`],
];

/** The text with every bearer token, JWT and URL password replaced. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A copy of a value fit for a log line: secret keys censored at any depth, secrets in strings replaced, cycles
 * and depth cut. Used on errors, whose properties (an HTTP client's request and its headers, a configuration)
 * are not known in advance.
 */
export function scrub(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth > 6) return '[Object]';
  seen.add(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrub(v, depth + 1, seen));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && !(value instanceof Error)) {
    try {
      return scrub((value as { toJSON(): unknown }).toJSON(), depth + 1, seen);
    } catch {
      return '[Unserializable]';
    }
  }
  const out: Record<string, unknown> = {};
  const keys = value instanceof Error ? ['name', 'message', 'stack', 'code', 'statusCode', ...Object.keys(value)] : Object.keys(value);
  for (const key of keys) {
    if (key in out) continue;
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (v === undefined || typeof v === 'function') continue;
    out[key] = secretKeys.has(key.toLowerCase()) ? CENSOR : scrub(v, depth + 1, seen);
  }
  return out;
}

/** pino's error serializer, then scrubbed (errors of HTTP clients carry the request, headers included). */
function errSerializer(error: unknown): unknown {
  if (!(error instanceof Error)) return scrub(error);
  return scrub(pino.stdSerializers.err(error));
}

/** Fixed paths for pino's fast redaction: the secret keys at the top level and one or two levels down. */
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
  return [`${k.startsWith('.') ? key : k}`, `*${k}`, `*.*${k}`];
}).concat(['req.headers.Authorization', 'headers.Authorization', '*.headers.Authorization']);

/**
 * Structured JSON logs; secrets and tokens are redacted wherever they appear: by key (authorization headers,
 * passwords, secrets, tokens, the admin token, the app password) in every logged object and error, and by
 * shape (bearer tokens, JWTs, passwords in URLs) in messages and error texts.
 */
export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: { err: errSerializer, error: errSerializer },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>;
        return method.apply(this, scrubbed);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };
