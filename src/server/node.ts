/**
 * Runs a C2C handler on Node's http server (through @hono/node-server, which turns Node's
 * request/response into Web-standard ones, streaming included).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { C2CHandler } from './handler.ts';

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A listener for `http.createServer(listener)` or an Express/Connect mount. */
export function createNodeListener(handler: C2CHandler): NodeListener {
  return getRequestListener((request, env) => handler(request, { clientAddress: env.incoming.socket.remoteAddress }));
}

export interface ServeOptions {
  handler: C2CHandler;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback): exposing the endpoint is a deliberate choice. */
  host?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const server = createServer(createNodeListener(options.handler));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Long polls would otherwise hold close() for their whole hold time.
        server.closeAllConnections();
      }),
  };
}
