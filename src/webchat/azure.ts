import { z } from 'zod';

/** Azure Bot Service's Direct Line, unless a regional or test endpoint is given. */
export const DEFAULT_DIRECT_LINE_ENDPOINT = 'https://directline.botframework.com';

const tokenResponseSchema = z.looseObject({
  conversationId: z.string().min(1).max(1024),
  token: z.string().min(1).max(8192),
  expires_in: z.number().int().positive(),
});

/** Direct Line did not issue a token; `status` is its HTTP status (0 when it could not be reached). */
export class DirectLineUpstreamError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'DirectLineUpstreamError';
  }
}

/**
 * Exchanges the Direct Line secret for a short-lived token bound to one user id (`POST /v3/directline/tokens/generate`
 * with the secret as bearer). The secret stays on the server: it is neither returned nor put in an error message.
 */
export async function generateDirectLineToken(options: {
  secret: string;
  userId: string;
  endpoint?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Promise<{ token: string; conversationId: string; expires_in: number; domain: string }> {
  const endpoint = (options.endpoint ?? DEFAULT_DIRECT_LINE_ENDPOINT).replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  let response: Awaited<ReturnType<typeof fetch>>;
  try {
    response = await doFetch(`${endpoint}/v3/directline/tokens/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.secret}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ user: { id: options.userId } }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new DirectLineUpstreamError(0, `Direct Line could not be reached (${(error as Error)?.name ?? 'error'})`);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new DirectLineUpstreamError(response.status, `Direct Line answered ${response.status}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DirectLineUpstreamError(response.status, 'Direct Line answered with something that is not JSON');
  }
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) throw new DirectLineUpstreamError(response.status, 'Direct Line answered without a token');
  const { token, conversationId, expires_in } = parsed.data;
  return { token, conversationId, expires_in, domain: `${endpoint}/v3/directline` };
}
