import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EndpointClient } from '../../../src/core/client.ts';
import { CallError } from '../../../src/core/errors.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A real HTTP server on loopback whose answer each test sets. */
async function startServer() {
  const seen: Seen[] = [];
  let handler: Handler = (_req, res) => res.writeHead(204).end();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    seen,
    answer(next: Handler) {
      handler = next;
    },
    json(status: number, body: unknown, headers: Record<string, string> = {}) {
      handler = (_req, res) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function callError(promise: Promise<unknown>): Promise<CallError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CallError, `expected a CallError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

const TOKEN = 'tok_0123456789abcdef';
const SESSION = { token: TOKEN, expiresAt: 1_900_000_000_000, provider: 'huawei', mode: 'callback' };
const signal = () => new AbortController().signal;

describe('EndpointClient', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let client: EndpointClient;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.seen.length = 0;
    client = new EndpointClient(server.base);
  });

  describe('successful answers', () => {
    it('createSession: POSTs JSON to /session without a token and returns the checked body', async () => {
      server.json(200, SESSION);
      const session = await client.createSession({ destination: 'sales', mode: 'callback' }, signal());
      assert.deepEqual(session, SESSION);
      const [req] = server.seen;
      assert.equal(req?.method, 'POST');
      assert.equal(req?.url, '/session');
      assert.match(req?.headers['content-type'] ?? '', /^application\/json/);
      assert.equal(req?.headers.authorization, undefined);
      assert.deepEqual(JSON.parse(req?.body ?? ''), { destination: 'sales', mode: 'callback' });
    });

    it('drops fields the protocol does not know, at every depth', async () => {
      server.json(200, { ...SESSION, secret: 'vendor-key', iceServers: [{ urls: 'stun:a', internal: 1 }] });
      const session = await client.createSession({ destination: 'sales' }, signal());
      assert.deepEqual(session, { ...SESSION, iceServers: [{ urls: 'stun:a' }] });
    });

    it('startCall: sends the Bearer token and the JSON body to /calls', async () => {
      server.json(201, { callId: 'c-42', extra: true });
      const answer = await client.startCall(TOKEN, { phone: '+41446681800' }, signal());
      assert.deepEqual(answer, { callId: 'c-42' });
      const [req] = server.seen;
      assert.equal(req?.method, 'POST');
      assert.equal(req?.url, '/calls');
      assert.equal(req?.headers.authorization, `Bearer ${TOKEN}`);
      assert.match(req?.headers['content-type'] ?? '', /^application\/json/);
      assert.match(req?.headers.accept ?? '', /application\/json/);
      assert.deepEqual(JSON.parse(req?.body ?? ''), { phone: '+41446681800' });
    });

    it('events: GETs /calls/:id/events with the encoded id and `after`, no body', async () => {
      server.json(200, { events: [{ id: 'e 2', type: 'queued', position: 1, raw: {} }, { id: 'e3', type: 'ringing' }] });
      const first = await client.events(TOKEN, 'c/1', null, signal());
      const second = await client.events(TOKEN, 'c/1', 'e 2&x', signal());
      assert.deepEqual(first.events, [{ id: 'e 2', type: 'queued', position: 1 }, { id: 'e3', type: 'ringing' }]);
      assert.deepEqual(second, first);
      assert.equal(server.seen[0]?.method, 'GET');
      assert.equal(server.seen[0]?.url, '/calls/c%2F1/events');
      assert.equal(server.seen[1]?.url, '/calls/c%2F1/events?after=e%202%26x');
      assert.equal(server.seen[0]?.body, '');
      assert.equal(server.seen[0]?.headers['content-type'], undefined);
      assert.equal(server.seen[0]?.headers.authorization, `Bearer ${TOKEN}`);
    });

    it('hangup: POSTs to /calls/:id/hangup and resolves with nothing, whatever the 2xx body', async () => {
      server.json(200, { ok: true });
      assert.equal(await client.hangup(TOKEN, 'c-1'), undefined);
      server.answer((_req, res) => res.writeHead(204).end());
      assert.equal(await client.hangup(TOKEN, 'c-1', { keepalive: true }), undefined);
      assert.equal(server.seen.length, 2);
      for (const req of server.seen) {
        assert.equal(req.method, 'POST');
        assert.equal(req.url, '/calls/c-1/hangup');
        assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
        assert.deepEqual(JSON.parse(req.body), {});
      }
    });
  });

  describe('answers that are not right', () => {
    it('a 2xx body that breaks the protocol is invalid-response', async () => {
      server.json(200, { ...SESSION, token: 'short' });
      const error = await callError(client.createSession({ destination: 'sales' }, signal()));
      assert.equal(error.code, 'invalid-response');
    });

    it('a 2xx answer that is not JSON is invalid-response', async () => {
      server.answer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>welcome</html>'));
      const error = await callError(client.startCall(TOKEN, {}, signal()));
      assert.equal(error.code, 'invalid-response');
    });

    it('an unknown event type in the list is invalid-response', async () => {
      server.json(200, { events: [{ id: 'e1', type: 'teleported' }] });
      const error = await callError(client.events(TOKEN, 'c-1', null, signal()));
      assert.equal(error.code, 'invalid-response');
    });

    it('an ErrorBody gives its code, message and retryAfter', async () => {
      server.json(429, { error: { code: 'rate-limited', message: 'Too many calls from here.', retryAfter: 42 } });
      const limited = await callError(client.startCall(TOKEN, {}, signal()));
      assert.equal(limited.code, 'rate-limited');
      assert.equal(limited.message, 'Too many calls from here.');
      assert.equal(limited.retryAfter, 42);

      server.json(401, { error: { code: 'session-expired', message: 'Start again.' } });
      const expired = await callError(client.events(TOKEN, 'c-1', null, signal()));
      assert.equal(expired.code, 'session-expired');
      assert.equal(expired.message, 'Start again.');
      assert.equal(expired.retryAfter, undefined);
    });

    it('an ErrorBody without retryAfter takes the Retry-After header', async () => {
      server.json(429, { error: { code: 'rate-limited', message: 'Wait.' } }, { 'retry-after': '9' });
      const error = await callError(client.createSession({ destination: 'sales' }, signal()));
      assert.equal(error.retryAfter, 9);
    });

    it('an ErrorBody with a code this widget does not know is vendor-rejected, message kept', async () => {
      server.json(409, { error: { code: 'quantum-decoherence', message: 'The vendor said no.' } });
      const error = await callError(client.startCall(TOKEN, {}, signal()));
      assert.equal(error.code, 'vendor-rejected');
      assert.equal(error.message, 'The vendor said no.');
    });

    it('429 without a body is rate-limited', async () => {
      server.answer((_req, res) => res.writeHead(429).end());
      const error = await callError(client.createSession({ destination: 'sales' }, signal()));
      assert.equal(error.code, 'rate-limited');
    });

    it('429 without a body still takes the Retry-After header', async () => {
      server.answer((_req, res) => res.writeHead(429, { 'retry-after': '30' }).end());
      const error = await callError(client.createSession({ destination: 'sales' }, signal()));
      assert.equal(error.code, 'rate-limited');
      assert.equal(error.retryAfter, 30);
    });

    it('500 with garbage is token-endpoint-unreachable', async () => {
      server.answer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream exploded {'));
      const error = await callError(client.createSession({ destination: 'sales' }, signal()));
      assert.equal(error.code, 'token-endpoint-unreachable');
      assert.match(error.message, /500/);
    });

    it('502 with an ErrorBody-looking but broken body is token-endpoint-unreachable', async () => {
      server.json(502, { error: { code: 'x' } });
      const error = await callError(client.startCall(TOKEN, {}, signal()));
      assert.equal(error.code, 'token-endpoint-unreachable');
    });

    it('a 4xx without a reason is invalid-response', async () => {
      server.answer((_req, res) => res.writeHead(404).end('not here'));
      const error = await callError(client.hangup(TOKEN, 'c-1'));
      assert.equal(error.code, 'invalid-response');
      assert.match(error.message, /404/);
    });
  });

  describe('no answer', () => {
    it('a closed port is token-endpoint-unreachable, with the cause kept', async () => {
      const gone = await startServer();
      await gone.close();
      const error = await callError(new EndpointClient(gone.base).createSession({ destination: 'sales' }, signal()));
      assert.equal(error.code, 'token-endpoint-unreachable');
      assert.ok(error.cause !== undefined);
    });

    it('a server that never answers is token-endpoint-unreachable after requestMs (and events after pollMs)', async () => {
      server.answer(() => undefined);
      const impatient = new EndpointClient(server.base, undefined, { requestMs: 80, pollMs: 120 });
      const started = performance.now();
      const error = await callError(impatient.createSession({ destination: 'sales' }, signal()));
      assert.equal(error.code, 'token-endpoint-unreachable');
      assert.match(error.message, /in time/);
      const pollError = await callError(impatient.events(TOKEN, 'c-1', null, signal()));
      assert.equal(pollError.code, 'token-endpoint-unreachable');
      assert.ok(performance.now() - started >= 190, 'both timeouts were waited for');
    });

    it('headers then a body that never ends is token-endpoint-unreachable, not invalid-response', async () => {
      server.answer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"token":');
      });
      const impatient = new EndpointClient(server.base, undefined, { requestMs: 80, pollMs: 80 });
      const error = await callError(impatient.createSession({ destination: 'sales' }, signal()));
      assert.equal(error.code, 'token-endpoint-unreachable');
    });

    it('the caller aborting is not turned into a CallError', async () => {
      server.answer(() => undefined);
      const controller = new AbortController();
      const pending = client.events(TOKEN, 'c-1', null, controller.signal);
      controller.abort();
      await assert.rejects(pending, (error: unknown) => !(error instanceof CallError) && (error as Error).name === 'AbortError');
    });
  });

  describe('URLs', () => {
    for (const suffix of ['', '/', '//']) {
      it(`joins routes to an endpoint ending in "${suffix}"`, async () => {
        server.json(200, SESSION);
        const c = new EndpointClient(server.base + suffix);
        assert.equal(c.url('/session'), `${server.base}/session`);
        await c.createSession({ destination: 'sales' }, signal());
        assert.equal(server.seen.at(-1)?.url, '/session');
      });
    }

    for (const prefix of ['/c2c', '/c2c/']) {
      it(`keeps a path prefix (${prefix})`, async () => {
        server.json(200, { callId: 'c-1' });
        const c = new EndpointClient(server.base + prefix);
        assert.equal(c.url('/calls'), `${server.base}/c2c/calls`);
        await c.startCall(TOKEN, {}, signal());
        await c.hangup(TOKEN, 'c 1');
        assert.deepEqual(server.seen.map((r) => r.url), ['/c2c/calls', '/c2c/calls/c%201/hangup']);
      });
    }
  });
});
