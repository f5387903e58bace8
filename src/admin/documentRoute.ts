import type { i18n } from 'i18next';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';
import { translatorFor, type Locale } from '../i18n';
import type { ResponseDoc, Store } from '../store/port';
import type { DocumentLinks } from './documentLinks';

export interface DocumentRouteDeps {
  links: Pick<DocumentLinks, 'verify'>;
  store: Pick<Store, 'getResponse'>;
  i18n: i18n;
  logger: Logger;
  /** The filled questionnaire as a PDF. */
  renderPdf(doc: ResponseDoc, locale: Locale): Promise<Buffer>;
}

/**
 * `GET /documents/:token`: a respondent's own filled questionnaire, through the signed link the `copy` command
 * gave them. An expired or altered link gets a short page, in both languages, saying how to get a new one.
 */
export function documentRoute(deps: DocumentRouteDeps): (server: Server) => void {
  return (server) => {
    // A wildcard, not `:token`: the router caps named parameters at 100 characters and a token is longer.
    server.get('/documents/*', async (req: Request, res: Response) => {
      const check = deps.links.verify(String(req.params['*'] ?? ''));
      const refuse = (status: number, key: string) => {
        const text = (['en', 'es'] as const).map((l) => translatorFor(deps.i18n, l)(key)).join('\n\n');
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(text);
      };
      if (!check.ok) return refuse(check.reason === 'expired' ? 410 : 404, check.reason === 'expired' ? 'copy.expired' : 'copy.invalid');
      try {
        const doc = await deps.store.getResponse(check.responseId);
        if (!doc) return refuse(404, 'copy.invalid');
        const pdf = await deps.renderPdf(doc, check.locale);
        const name = `msq-${doc.country?.code ?? 'response'}-${check.locale}.pdf`;
        res.writeHead(200, {
          'Content-Type': 'application/pdf',
          'Content-Length': pdf.length,
          'Content-Disposition': `inline; filename="${name}"`,
          'Cache-Control': 'private, no-store',
        });
        res.end(pdf);
      } catch (error) {
        deps.logger.error({ err: error }, 'document link: could not render the document');
        refuse(503, 'copy.unavailable');
      }
    });
  };
}
