import pino, { type Logger } from 'pino';

/** Structured JSON logs; secrets and tokens are redacted wherever they appear. */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'password', 'token', '*.token', '*.password', 'MicrosoftAppPassword', 'secret'],
      censor: '[redacted]',
    },
  });
}
export type { Logger };
