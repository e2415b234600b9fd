/**
 * A stand-in for the token endpoint that speaks the routes of src/protocol/index.ts and
 * nothing else, scripted by the test: what /session answers, which events a call emits and
 * when, and which requests are held until the test lets them through. It records every
 * request and knows how many are still open, so tests can await silence instead of sleeping.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallEvent, SessionResponse } from '../../../src/protocol/index.ts';

export interface SeenRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export type Route = 'session' | 'start' | 'events' | 'hangup';

export const TOKEN = 'tok_session_0123456789';
/** The endpoint lives under a path prefix, as on a real site. */
const PREFIX = '/c2c';

export interface ProtocolServer {
  readonly url: string;
  readonly requests: readonly SeenRequest[];
  /** Requests received and not yet answered or dropped. */
  readonly open: number;
  /** What POST /session answers; by default a callback-mode session. */
  session: (body: unknown) => Reply;
  /** What POST /calls answers; by default a new call id. */
  start: (body: unknown) => Reply;
  /** How long an events request waits for a new event before answering an empty list. */
  longPollMs: number;
  /** Answer every events request with all the call's events, ignoring `after` (a server that repeats itself). */
  replay: boolean;
  /** When it returns a reply for a request, that reply is sent instead of the route's own. */
  intercept: (route: Route, request: SeenRequest) => Reply | undefined;
  /** Makes the call emit events; waiting polls answer at once. */
  push(callId: string, ...events: CallEvent[]): void;
  /** Holds the next request(s) on `route` until the returned function is called. */
  hold(route: Route): () => void;
  /** The first request (already seen or still to come) that matches. */
  waitFor(match: (r: SeenRequest) => boolean): Promise<SeenRequest>;
  /** Resolves once no request is open. */
  idle(): Promise<void>;
  count(method: string, path: RegExp): number;
  close(): Promise<void>;
}

export function sessionReply(overrides: Partial<SessionResponse> = {}): Reply {
  return { status: 200, body: { token: TOKEN, expiresAt: Date.now() + 600_000, provider: 'test-vendor', mode: 'callback', ...overrides } };
}

export function errorReply(status: number, code: string, message: string, retryAfter?: number): Reply {
  return { status, body: { error: { code, message, ...(retryAfter === undefined ? {} : { retryAfter }) } } };
}

export async function startProtocolServer(): Promise<ProtocolServer> {
  const changes = new EventEmitter();
  const requests: SeenRequest[] = [];
  const calls = new Map<string, CallEvent[]>();
  const gates = new Map<Route, Promise<void>>();
  let open = 0;
  let nextCall = 1;

  const send = (res: ServerResponse, reply: Reply) => {
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  };

  const authorized = (headers: IncomingHttpHeaders) => headers.authorization === `Bearer ${TOKEN}`;

  const state: ProtocolServer = {
    url: '',
    requests,
    get open() {
      return open;
    },
    session: () => sessionReply(),
    start: () => ({ status: 201, body: { callId: `call-${nextCall++}` } }),
    longPollMs: 300,
    replay: false,
    intercept: () => undefined,
    push(callId, ...events) {
      const list = calls.get(callId);
      if (!list) throw new Error(`no call ${callId}`);
      list.push(...events);
      changes.emit('events', callId);
    },
    hold(route) {
      let release!: () => void;
      gates.set(route, new Promise<void>((resolve) => (release = resolve)));
      return () => {
        gates.delete(route);
        release();
      };
    },
    waitFor(match) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const check = (r: SeenRequest) => {
          if (!match(r)) return;
          changes.off('request', check);
          resolve(r);
        };
        changes.on('request', check);
      });
    },
    async idle() {
      while (open > 0) await once(changes, 'closed');
    },
    count: (method, path) => requests.filter((r) => r.method === method && path.test(r.path)).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer((req, res) => {
    open++;
    res.on('close', () => {
      open--;
      changes.emit('closed');
    });
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => void handle(raw));

    async function handle(raw: string): Promise<void> {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname.startsWith(PREFIX)) url.pathname = url.pathname.slice(PREFIX.length);
      else url.pathname = '/outside-the-endpoint' + url.pathname;
      let body: unknown = undefined;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const seen: SeenRequest = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body };
      requests.push(seen);
      changes.emit('request', seen);

      const m = /^\/calls\/([^/]+)\/(events|hangup)$/.exec(url.pathname);
      const route: Route | null =
        req.method === 'POST' && url.pathname === '/session' ? 'session'
        : req.method === 'POST' && url.pathname === '/calls' ? 'start'
        : req.method === 'GET' && m?.[2] === 'events' ? 'events'
        : req.method === 'POST' && m?.[2] === 'hangup' ? 'hangup'
        : null;
      if (route === null) return send(res, errorReply(404, 'invalid-request', 'No such route.'));
      const gate = gates.get(route);
      if (gate) await gate;
      const intercepted = state.intercept(route, seen);
      if (intercepted) return send(res, intercepted);
      if (route === 'session') return send(res, state.session(body));
      if (!authorized(req.headers)) return send(res, errorReply(401, 'session-expired', 'Bad token.'));
      if (route === 'start') {
        const reply = state.start(body);
        const callId = (reply.body as { callId?: unknown } | undefined)?.callId;
        if (typeof callId === 'string') calls.set(callId, []);
        return send(res, reply);
      }
      const callId = decodeURIComponent(m?.[1] ?? '');
      const list = calls.get(callId);
      if (!list) return send(res, errorReply(404, 'call-not-found', 'No such call.'));
      if (route === 'hangup') return send(res, { status: 200, body: { ok: true } });

      const fresh = () => {
        if (state.replay) return list.slice();
        const after = url.searchParams.get('after');
        const from = after === null ? 0 : list.findIndex((e) => e.id === after) + 1;
        return list.slice(from);
      };
      if (fresh().length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, state.longPollMs);
          const onEvents = (id: string) => id === callId && done();
          function done() {
            clearTimeout(timer);
            changes.off('events', onEvents);
            res.off('close', done);
            resolve();
          }
          changes.on('events', onEvents);
          res.on('close', done);
        });
      }
      send(res, { status: 200, body: { events: fresh() } });
    }
  });
  changes.setMaxListeners(100);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (state as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PREFIX}`;
  return state;
}
