import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');
/** A whole number, or the default when unset or empty (an empty line in .env must not mean 0). */
const count = <T extends number | undefined>(fallback: T, min = 0) =>
  optional.pipe(z.coerce.number<string | undefined>().int().min(min).optional()).transform((v): number | T => v ?? fallback);

/** Every environment variable the application reads; nothing else reads process.env. */
export const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3978),
    MicrosoftAppId: optional,
    MicrosoftAppPassword: optional,
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: optional,
    /** For tests of the authentication: where the bot fetches the channel's signing keys. */
    ToBotFromChannelOpenIdMetadataUrl: optional.pipe(z.url().optional()),
    DEFAULT_LOCALE: z.enum(['en', 'es']).default('en'),
    MONGODB_URI: optional.pipe(z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional()),
    MONGODB_DB: optional,
    DATA_DIR: z.string().default('./data'),
    ADMIN_TOKEN: optional.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    DIRECT_LINE_SECRET: optional,
    /** The address people reach the bot at (links in invitations and documents); defaults to http://localhost:PORT. */
    PUBLIC_URL: optional.pipe(z.url().optional()),
    /** Signs respondents' links to their own document; set the same value on every instance (random per process otherwise). */
    LINK_SIGNING_KEY: optional.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    REQUIRE_INVITATION: bool,
    /**
     * Rate limits (token buckets in memory) on /api/messages and the web chat's endpoints: requests per minute per
     * conversation and per client address (0 turns a limit off); a burst of that many at once (default: a third
     * of the per-minute figure). Far above what a person typing or clicking sends.
     */
    RATE_LIMIT_CONVERSATION_PER_MINUTE: count(600),
    RATE_LIMIT_CONVERSATION_BURST: count(undefined, 1),
    RATE_LIMIT_IP_PER_MINUTE: count(1800),
    RATE_LIMIT_IP_BURST: count(undefined, 1),
    /** Behind a reverse proxy (App Service, a load balancer): the client address is the last X-Forwarded-For entry. */
    TRUST_PROXY: bool,
  })
  .superRefine((env, ctx) => {
    if (env.MicrosoftAppId && !env.MicrosoftAppPassword && env.MicrosoftAppType !== 'UserAssignedMSI') {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'is required when MicrosoftAppId is set' });
    }
    if (env.MicrosoftAppType === 'SingleTenant' && !env.MicrosoftAppTenantId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'is required when MicrosoftAppType is SingleTenant' });
    }
  });
export type Env = z.infer<typeof envSchema>;

/** A configuration problem, in one line naming the variable. */
export class ConfigError extends Error {}

/** Reads `.env` (if any) under the real environment, validates everything, and fails with one line naming the variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env, dotenvPath?: string): Env {
  const fromFile: Record<string, string> = {};
  if (source === process.env) loadDotenv({ path: dotenvPath, processEnv: fromFile, quiet: true });
  const parsed = envSchema.safeParse({ ...fromFile, ...source });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Configuration error: ${String(issue.path[0] ?? '')} ${issue.message}`.replace(/\s+/g, ' '));
  }
  return parsed.data;
}
