import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'restify';

/** The page's folder, beside `src/` both in the sources and in `dist/`. */
export function publicDir(): string {
  const found = [join(__dirname, '../../public'), join(__dirname, '../../../public')].find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error('The public/ folder (web chat page) was not found beside the application.');
  return found;
}

/** Web Chat's official browser bundle, from the installed package (never a CDN). */
export function webChatBundlePath(): string {
  // The package exports only its entry point; its bundles are in dist/ beside lib/.
  const file = join(dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
  if (!existsSync(file)) throw new Error(`Web Chat's browser bundle was not found at ${file}.`);
  return file;
}

interface Asset {
  body: Buffer;
  gzip?: Buffer;
  etag: string;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * One file served from memory (read once, on first request): content type, strong ETag with 304 for a
 * matching If-None-Match, gzip when the browser accepts it, and the given headers (security, caching).
 */
export function fileRoute(path: string, headers: () => Record<string, string>) {
  let asset: Asset | undefined;
  const load = (): Asset => {
    if (asset) return asset;
    const body = readFileSync(path);
    const ext = path.slice(path.lastIndexOf('.'));
    asset = {
      body,
      ...(body.length > 1024 ? { gzip: gzipSync(body, { level: 9 }) } : {}),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      type: TYPES[ext] ?? 'application/octet-stream',
    };
    return asset;
  };
  return (req: Request, res: Response): void => {
    let file: Asset;
    try {
      file = load();
    } catch {
      res.send(404, { error: 'Not found.' });
      return;
    }
    const common = { ...headers(), ETag: file.etag, Vary: 'Accept-Encoding' };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, common);
      res.end();
      return;
    }
    const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzip! : file.body;
    res.writeHead(200, {
      ...common,
      'Content-Type': file.type,
      'Content-Length': String(body.length),
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
