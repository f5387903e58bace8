import { Writable } from 'node:stream';
import { createLogger, scrubText } from '../src/logger';

/** What the logger wrote, as text. */
function capture() {
  let out = '';
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      out += chunk.toString();
      callback();
    },
  });
  return { logger: createLogger('trace', sink), text: () => out };
}

const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('the logger never writes a secret', () => {
  test('secret keys are censored at the top level and nested (configuration, headers, tokens)', () => {
    const { logger, text } = capture();
    logger.info(
      {
        authorization: 'Bearer top-level-secret-1',
        headers: { authorization: 'Bearer header-secret-2', Authorization: 'Bearer header-secret-3', cookie: 'sid=cookie-secret-4' },
        req: { headers: { authorization: 'Bearer req-secret-5' } },
        env: { MicrosoftAppPassword: 'app-password-6', DIRECT_LINE_SECRET: 'dl-secret-7', ADMIN_TOKEN: 'admin-token-8', LINK_SIGNING_KEY: 'link-key-9' },
        grant: { token: 'dl-token-10', conversationId: 'conversation-a' },
      },
      'something happened',
    );
    const out = text();
    for (let i = 1; i <= 10; i++) expect(out).not.toMatch(new RegExp(`-${i}\\b`));
    expect(out).toContain('conversation-a');
    expect(out).toContain('[redacted]');
  });

  test('errors: headers and configuration deep inside, tokens in the message and stack, cycles', () => {
    const { logger, text } = capture();
    const error = new Error(`request failed: Authorization: Bearer ${JWT}`) as Error & Record<string, unknown>;
    error.request = { url: 'https://user:url-password-1@example.org/x', headers: { Authorization: `Bearer ${JWT}`, 'x-ms-conversation-id': 'c-1' } };
    error.options = { credentials: { level: { deeper: { clientSecret: 'client-secret-2', password: 'password-3' } } } };
    error.self = error;
    logger.error({ err: error }, 'turn failed');
    const out = text();
    expect(out).not.toContain(JWT);
    expect(out).not.toContain(JWT.split('.')[2]);
    for (const secret of ['url-password-1', 'client-secret-2', 'password-3']) expect(out).not.toContain(secret);
    expect(out).toContain('c-1');
    expect(out).toContain('turn failed');
  });

  test('bearer tokens and JWTs in message strings', () => {
    const { logger, text } = capture();
    logger.warn(`could not refresh Bearer ${JWT} for the page`);
    logger.warn('token was %s', JWT);
    expect(text()).not.toContain(JWT.split('.')[1]);
  });

  test('scrubText keeps ordinary text', () => {
    expect(scrubText('Law No. 5282/2014 https://www.mitic.gov.py/decreto')).toBe('Law No. 5282/2014 https://www.mitic.gov.py/decreto');
    expect(scrubText(`Bearer ${JWT}`)).toBe('Bearer [redacted]');
  });
});
