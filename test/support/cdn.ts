/**
 * A stand-in CDN for end-to-end tests: serves a directory (dist/) on its own loopback origin
 * under a deep, versioned path, with the CORS header module scripts need, and records every
 * request so a test can say which files the page took from here.
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { launchChromium, type ChromiumHandle } from './rig.ts';

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

/** A site for the CDN-served widget: the sandbox serving only `pages`, dist/ on a CDN origin, and Chromium. */
export interface CdnSite {
  chromium: ChromiumHandle;
  sandbox: Sandbox;
  cdn: Cdn;
  close(): Promise<void>;
}

/**
 * Publishes dist/ under `basePath` on a CDN origin, writes each page `pages(scriptUrl)` names
 * (file name → HTML, given the entry's URL on the CDN) into a site root of its own (no dist/
 * there: the page's origin cannot serve the widget), and starts the sandbox on that root and
 * Chromium. Pages are served at `${sandbox.url}/demo/<name>`.
 */
export async function startCdnSite(basePath: string, pages: (scriptUrl: string) => Record<string, string>): Promise<CdnSite> {
  const root = mkdtempSync(join(tmpdir(), 'c2c-cdn-site-'));
  mkdirSync(join(root, 'demo'));
  const cdn = await serveCdn(resolve('dist'), basePath);
  for (const [name, html] of Object.entries(pages(`${cdn.base}click-to-call.js`))) writeFileSync(join(root, 'demo', name), html);
  const [chromium, sandbox] = await Promise.all([launchChromium(), startSandbox({ port: 0, quiet: true, queueMs: 100, root })]);
  return {
    chromium,
    sandbox,
    cdn,
    async close() {
      await sandbox.close();
      await cdn.close();
      await chromium.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
