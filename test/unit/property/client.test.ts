/**
 * (a) A token endpoint that answers anything, as the browser's EndpointClient sees it: a real
 * HTTP server on loopback answers every request with an arbitrary status, content type,
 * Retry-After and body (valid protocol answers, mutations of them, any JSON, broken JSON,
 * HTML), or drops the connection. The client must resolve with a value that passes the
 * protocol check, or reject with a CallError whose code is a known ErrorCode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { EndpointClient } from '../../../src/core/client.ts';
import { CallError } from '../../../src/core/errors.ts';
import { isErrorCode } from '../../../src/protocol/errors.ts';
import { EventsResponse, SessionResponse, StartCallResponse } from '../../../src/protocol/index.ts';
import { bounded, contentTypes, params, rawBodyLike, startScripted, statuses, type Scripted, type ScriptedServer } from './arbitraries.ts';

const TOKEN = 'tok_0123456789abcdef0123';

const SAMPLES = [
  { token: TOKEN, expiresAt: 1_900_000_000_000, provider: 'huawei', mode: 'webrtc', iceServers: [{ urls: ['stun:stun.example:3478'], username: 'u', credential: 'c' }] },
  { token: TOKEN, expiresAt: 1_900_000_000_000, provider: 'sarv', mode: 'callback' },
  { callId: 'c-42' },
  {
    events: [
      { id: '1', type: 'queued', position: 3 },
      { id: '2', type: 'ringing' },
      { id: '3', type: 'media', gateway: { domain: 'gw.example', addresses: ['wss://gw.example:443/ws', '10.0.0.1:7443'], target: '1790', caller: 'AnonymousCard' } },
      { id: '4', type: 'connected' },
      { id: '5', type: 'ended', reason: 'agent-hangup', message: 'bye' },
    ],
  },
  { events: [{ id: 's9', type: 'failed', code: 'queue-timeout', message: 'No agent answered in time.' }, { id: 's10', type: 'scheduled', at: '2030-01-01T10:00:00.000Z' }] },
  { events: [] },
  { ok: true },
  { slots: ['2030-01-01T10:00:00.000Z'] },
  { error: { code: 'rate-limited', message: 'Too many calls.', retryAfter: 30 } },
  { error: { code: 'quantum-decoherence', message: 'A code from a newer server.' } },
  { error: { code: 'session-expired', message: 'Start again.' } },
];

type Method = 'createSession' | 'startCall' | 'events' | 'hangup';

const scenario = fc.record({
  method: fc.constantFrom<Method>('createSession', 'startCall', 'events', 'hangup'),
  status: statuses,
  contentType: contentTypes,
  body: rawBodyLike(SAMPLES),
  retryAfter: fc.option(fc.oneof(fc.constantFrom('0', '-5', '30', 'soon', '1e400', 'Wed, 21 Oct 2015 07:28:00 GMT'), fc.nat().map(String)), { nil: undefined }),
});

describe('property: EndpointClient against an endpoint that answers anything', () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startScripted();
  });
  after(() => server.close());

  async function outcome(client: EndpointClient, method: Method): Promise<unknown> {
    const signal = new AbortController().signal;
    switch (method) {
      case 'createSession':
        return client.createSession({ destination: 'sales' }, signal);
      case 'startCall':
        return client.startCall(TOKEN, { phone: '+41446681800' }, signal);
      case 'events':
        return client.events(TOKEN, 'c-1', 'e 1', signal);
      case 'hangup':
        return client.hangup(TOKEN, 'c-1');
    }
  }

  it('resolves with a checked value or rejects with a CallError of a known code', async () => {
    const client = new EndpointClient(server.url, undefined, { requestMs: 3000, pollMs: 3000 });
    let resolved = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(scenario, fc.nat({ max: 19 }), async (s, dice) => {
        const reply: Scripted = dice === 0
          ? 'reset'
          : { status: s.status, contentType: s.contentType, body: s.body, ...(s.retryAfter === undefined ? {} : { headers: { 'retry-after': s.retryAfter } }) };
        server.answer(() => reply);
        let value: unknown;
        try {
          value = await bounded(outcome(client, s.method), 5000, s.method);
        } catch (error) {
          assert.ok(error instanceof CallError, `not a CallError: ${error instanceof Error ? error.stack : String(error)}`);
          assert.ok(isErrorCode(error.code), `unknown code ${error.code}`);
          assert.equal(typeof error.message, 'string');
          assert.ok(error.message.length > 0, 'an empty message');
          if (error.retryAfter !== undefined) assert.ok(Number.isFinite(error.retryAfter), `retryAfter ${error.retryAfter}`);
          rejected++;
          return;
        }
        resolved++;
        assert.notEqual(reply, 'reset', 'a dropped connection cannot succeed');
        if (reply === 'reset') return;
        assert.ok(reply.status >= 200 && reply.status < 300, `resolved on HTTP ${reply.status}`);
        // What came back passes the protocol, and is exactly what the check keeps.
        switch (s.method) {
          case 'createSession':
            assert.deepEqual(SessionResponse.parse(value), value);
            break;
          case 'startCall':
            assert.deepEqual(StartCallResponse.parse(value), value);
            break;
          case 'events':
            assert.deepEqual(EventsResponse.parse(value), value);
            break;
          case 'hangup':
            assert.equal(value, undefined);
        }
      }),
      params(300),
    );
    // Both branches were exercised, so the property means something.
    assert.ok(resolved > 10, `only ${resolved} answers were accepted`);
    assert.ok(rejected > 10, `only ${rejected} answers were refused`);
  });
});
