import type { Locale } from '../i18n';

/** The deadline as a person reads it ("31 December 2026" / "31 de diciembre de 2026"), in UTC. */
export function formatDeadline(deadline: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'es' ? 'es' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(deadline);
}
