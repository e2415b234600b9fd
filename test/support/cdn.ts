/**
 * A stand-in CDN for end-to-end tests: serves a directory (dist/) on its own loopback origin
 * under a deep, versioned path, with the CORS header module scripts need, and records every
 * request so a test can say which files the page took from here.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

export interface CdnRequest {
  path: string;
  status: number;
  /** The Origin header: module scripts and their imports are fetched in CORS mode. */
  origin: string | null;
}

export interface Cdn {
  /** Where the directory is published, ending in `/`, e.g. `http://127.0.0.1:4321/npm/click-to-call@0.1.0/dist/`. */
  base: string;
  origin: string;
  requests: CdnRequest[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };

export async function serveCdn(dir: string, basePath: string): Promise<Cdn> {
  const root = resolve(dir);
  const prefix = basePath.endsWith('/') ? basePath : `${basePath}/`;
  const requests: CdnRequest[] = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://cdn').pathname);
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : null;
    const answer = (status: number, headers: Record<string, string> = {}) => {
      requests.push({ path, status, origin });
      res.writeHead(status, { 'access-control-allow-origin': '*', ...headers });
    };
    const file = normalize(join(root, path.slice(prefix.length)));
    if (!path.startsWith(prefix) || !file.startsWith(root + sep)) return answer(404), res.end();
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
    } catch {
      return answer(404), res.end();
    }
    answer(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=31536000, immutable' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base: `${origin}${prefix}`,
    origin,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
