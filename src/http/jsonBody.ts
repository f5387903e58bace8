import type { Next, Request, RequestHandler, Response } from 'restify';

/**
 * Reads request bodies: a plain JSON body (`Content-Type: application/json`, no content encoding or digest —
 * every activity a channel posts) is read and parsed here; anything else goes to restify's own body parser
 * (`fallback`), which handles compressed bodies, digests, forms and unsupported types (415).
 *
 * The same outcomes as restify's parser: the parsed value in `req.body` (nothing for an empty body) and the text in
 * `req.rawBody`, 413 over `maxBytes` and 400 for malformed JSON, with restify's error bodies. Why not restify's for JSON too: its body reader
 * starts every request with the deprecated `new Buffer(0)`, whose deprecation check costs more than a whole
 * activity's parsing.
 */
export function jsonBody(maxBytes: number, fallback: RequestHandler[]): RequestHandler {
  const viaFallback = (req: Request, res: Response, next: Next) => runChain(fallback, req, res, next);
  return function readJsonBody(req: Request, res: Response, next: Next): void {
    if (!isPlainJson(req)) {
      viaFallback(req, res, next);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > maxBytes) {
      refuse(res, next, 413, 'PayloadTooLarge', `Request body size exceeds ${maxBytes}`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      req.removeListener('data', onData);
      if (error) {
        next(error);
        return;
      }
      if (size > maxBytes) {
        refuse(res, next, 413, 'PayloadTooLarge', `Request body size exceeds ${maxBytes}`);
        return;
      }
      if (size > 0) {
        const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8');
        (req as Request & { rawBody?: string }).rawBody = text;
        try {
          req.body = JSON.parse(text);
        } catch (parseError) {
          refuse(res, next, 400, 'InvalidContent', `Invalid JSON: ${(parseError as Error).message}`);
          return;
        }
      }
      next();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk); // beyond the limit the rest is read and dropped, then refused
    };
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('error', (error: Error) => finish(error));
    req.once('aborted', () => finish(new Error('request aborted')));
    req.resume();
  };
}

/** Answers as restify's errors do (`{ code, message }`), and ends the request's chain. */
function refuse(res: Response, next: Next, status: number, code: string, message: string): void {
  res.send(status, { code, message });
  next(false);
}

/** A JSON body as channels send it: not compressed, no digest to check. */
function isPlainJson(req: Request): boolean {
  if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') return false;
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/json\s*(;|$)/i.test(type)) return false;
  const encoding = req.headers['content-encoding'];
  return (encoding === undefined || encoding === 'identity') && req.headers['content-md5'] === undefined;
}

/** Runs restify handlers one after the other, as a route's chain does. */
function runChain(handlers: RequestHandler[], req: Request, res: Response, done: Next): void {
  let i = 0;
  const step = ((error?: unknown) => {
    if (error === false) {
      done(false); // a handler ended the request
      return;
    }
    if (error !== undefined && error !== null) {
      done(error as Error);
      return;
    }
    const handler = handlers[i++];
    if (!handler) {
      done();
      return;
    }
    handler(req, res, step);
  }) as Next;
  step();
}
