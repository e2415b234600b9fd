import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALL_MODES,
  CallEvent,
  ERROR_CODES,
  ErrorBody,
  ErrorCode,
  EventsResponse,
  FINAL_EVENT_TYPES,
  Gateway,
  HangupResponse,
  IceServer,
  PATHS,
  SessionRequest,
  SessionResponse,
  StartCallRequest,
  StartCallResponse,
  isErrorCode,
  type Check,
} from '../../../src/protocol/index.ts';

function ok(check: Check<unknown>, value: unknown, expected: unknown = value): void {
  const result = check.safeParse(value);
  assert.ok(result.success, `rejected ${JSON.stringify(value)}: ${result.success ? '' : result.error.message}`);
  assert.deepEqual(result.data, expected);
}

function bad(check: Check<unknown>, value: unknown, path: Array<string | number>): void {
  const result = check.safeParse(value);
  assert.equal(result.success, false, `accepted ${JSON.stringify(value)}`);
  if (!result.success) assert.deepEqual(result.error.issues[0]?.path, path, JSON.stringify(value));
}

const gateway = { domain: 'gw.example', addresses: ['wss://gw.example:443/ws', 'gw2.example:7443'], target: '1001', caller: '88001' };

/** One documented example per event type. */
const EVENTS = {
  queued: { id: 'e1', type: 'queued', position: 3 },
  ringing: { id: 'e2', type: 'ringing' },
  media: { id: 'e3', type: 'media', gateway },
  connected: { id: 'e4', type: 'connected' },
  ended: { id: 'e5', type: 'ended', reason: 'agent', message: 'The agent hung up.' },
  failed: { id: 'e6', type: 'failed', code: 'no-agent-available', message: 'Nobody is free.' },
  scheduled: { id: 'e7', type: 'scheduled', at: '2030-01-02T10:00:00Z' },
} as const;

describe('protocol schemas', () => {
  describe('SessionRequest', () => {
    it('accepts a destination with optional mode and locale', () => {
      ok(SessionRequest, { destination: 'sales' });
      ok(SessionRequest, { destination: 'sales', mode: 'callback', locale: 'de-CH' });
      ok(SessionRequest, { destination: 'x'.repeat(64), mode: 'webrtc' });
    });
    it('rejects empty or long destinations, unknown modes, long locales', () => {
      bad(SessionRequest, {}, ['destination']);
      bad(SessionRequest, { destination: '' }, ['destination']);
      bad(SessionRequest, { destination: 'x'.repeat(65) }, ['destination']);
      bad(SessionRequest, { destination: 'sales', mode: 'sip' }, ['mode']);
      bad(SessionRequest, { destination: 'sales', locale: 'x'.repeat(17) }, ['locale']);
    });
  });

  describe('SessionResponse', () => {
    const good = { token: 't'.repeat(16), expiresAt: 1_700_000_000_000, provider: 'huawei', mode: 'webrtc' };
    it('accepts the documented shape, with or without ICE servers', () => {
      ok(SessionResponse, good);
      ok(SessionResponse, {
        ...good,
        iceServers: [{ urls: 'stun:stun.example' }, { urls: ['turn:a', 'turns:b'], username: 'u', credential: 'c' }],
      });
    });
    it('strips what it does not know (a leaked secret field never reaches the page)', () => {
      ok(SessionResponse, { ...good, appSecret: 'shh' }, good);
    });
    it('needs a token of at least 16 characters', () => {
      bad(SessionResponse, { ...good, token: 't'.repeat(15) }, ['token']);
      bad(SessionResponse, { ...good, token: undefined }, ['token']);
    });
    it('rejects a bad expiry, provider, mode or ICE server', () => {
      bad(SessionResponse, { ...good, expiresAt: '2030' }, ['expiresAt']);
      bad(SessionResponse, { ...good, expiresAt: Number.NaN }, ['expiresAt']);
      bad(SessionResponse, { ...good, provider: null }, ['provider']);
      bad(SessionResponse, { ...good, mode: 'both' }, ['mode']);
      bad(SessionResponse, { ...good, iceServers: [{ urls: 'stun:a' }, { urls: 5 }] }, ['iceServers', 1, 'urls']);
      bad(SessionResponse, { ...good, iceServers: [{ urls: 'stun:a', username: 1 }] }, ['iceServers', 0, 'username']);
    });
  });

  describe('IceServer', () => {
    it('takes urls as a string or a list of strings', () => {
      ok(IceServer, { urls: 'stun:a' });
      ok(IceServer, { urls: [] });
      bad(IceServer, { urls: ['stun:a', 1] }, ['urls']);
      bad(IceServer, {}, ['urls']);
    });
  });

  describe('StartCallRequest / StartCallResponse', () => {
    it('start: phone and scheduledAt are optional and bounded', () => {
      ok(StartCallRequest, {});
      ok(StartCallRequest, { phone: '+41446681800', scheduledAt: '2030-01-02T10:00:00+01:00' });
      bad(StartCallRequest, { phone: '1'.repeat(33) }, ['phone']);
      bad(StartCallRequest, { scheduledAt: 'x'.repeat(41) }, ['scheduledAt']);
      bad(StartCallRequest, { phone: 41446681800 }, ['phone']);
    });
    it('answer: a non-empty callId', () => {
      ok(StartCallResponse, { callId: 'c-1', vendorSecret: 'x' }, { callId: 'c-1' });
      bad(StartCallResponse, { callId: '' }, ['callId']);
      bad(StartCallResponse, { id: 'c-1' }, ['callId']);
    });
  });

  describe('Gateway', () => {
    it('accepts the documented shape', () => ok(Gateway, gateway));
    it('needs at least one address, none of them empty', () => {
      bad(Gateway, { ...gateway, addresses: [] }, ['addresses']);
      bad(Gateway, { ...gateway, addresses: ['wss://a', ''] }, ['addresses', 1]);
      bad(Gateway, { ...gateway, addresses: 'wss://a' }, ['addresses']);
    });
    it('needs a domain, a target and a caller', () => {
      for (const key of ['domain', 'target', 'caller'] as const) {
        bad(Gateway, { ...gateway, [key]: '' }, [key]);
        const { [key]: _, ...without } = gateway;
        bad(Gateway, without, [key]);
      }
    });
  });

  describe('CallEvent', () => {
    for (const [type, event] of Object.entries(EVENTS)) {
      it(`accepts a ${type} event`, () => ok(CallEvent, event));
      it(`${type}: rejects a missing or empty id`, () => {
        bad(CallEvent, { ...event, id: '' }, ['id']);
        const { id: _, ...without } = event;
        bad(CallEvent, without, ['id']);
      });
    }

    it('keeps the optional fields optional', () => {
      ok(CallEvent, { id: 'q', type: 'queued' });
      ok(CallEvent, { id: 'e', type: 'ended' });
      ok(CallEvent, { id: 'f', type: 'failed', code: 'some-future-code', message: '' });
    });

    it('strips unknown fields of an event', () => {
      ok(CallEvent, { ...EVENTS.ringing, vendorRaw: { a: 1 } }, EVENTS.ringing);
    });

    it('rejects broken events of each type', () => {
      bad(CallEvent, { ...EVENTS.queued, position: '3' }, ['position']);
      bad(CallEvent, { ...EVENTS.media, gateway: undefined }, ['gateway']);
      bad(CallEvent, { ...EVENTS.media, gateway: { ...gateway, addresses: [] } }, ['gateway', 'addresses']);
      bad(CallEvent, { ...EVENTS.ended, reason: 5 }, ['reason']);
      bad(CallEvent, { id: 'f', type: 'failed', message: 'x' }, ['code']);
      bad(CallEvent, { id: 'f', type: 'failed', code: '', message: 'x' }, ['code']);
      bad(CallEvent, { id: 'f', type: 'failed', code: 'x' }, ['message']);
      bad(CallEvent, { id: 's', type: 'scheduled' }, ['at']);
    });

    it('rejects an unknown or missing type at the type field', () => {
      bad(CallEvent, { id: 'x', type: 'transferred' }, ['type']);
      bad(CallEvent, { id: 'x' }, ['type']);
      bad(CallEvent, { id: 'x', type: 'Queued' }, ['type']);
    });
  });

  describe('EventsResponse', () => {
    it('accepts a list of events (possibly empty) and reports the bad one by index', () => {
      ok(EventsResponse, { events: [] });
      ok(EventsResponse, { events: Object.values(EVENTS) });
      bad(EventsResponse, { events: [EVENTS.queued, { id: 'x', type: 'nope' }] }, ['events', 1, 'type']);
      bad(EventsResponse, {}, ['events']);
      bad(EventsResponse, { events: {} }, ['events']);
    });
  });

  describe('HangupResponse and ErrorBody', () => {
    it('hang-up answer: ok is a boolean', () => {
      ok(HangupResponse, { ok: true });
      bad(HangupResponse, { ok: 'yes' }, ['ok']);
    });
    it('error body: code and message, retryAfter optional and numeric', () => {
      ok(ErrorBody, { error: { code: 'rate-limited', message: 'Slow down.', retryAfter: 30 } });
      ok(ErrorBody, { error: { code: 'session-expired', message: 'Again.' } });
      bad(ErrorBody, { error: { code: 'rate-limited', message: 'x', retryAfter: '30' } }, ['error', 'retryAfter']);
      bad(ErrorBody, { error: { message: 'x' } }, ['error', 'code']);
      bad(ErrorBody, { code: 'x', message: 'y' }, ['error']);
    });
  });

  describe('routes and codes', () => {
    it('builds the routes, encoding the call id', () => {
      assert.equal(PATHS.session, '/session');
      assert.equal(PATHS.calls, '/calls');
      assert.equal(PATHS.events('abc'), '/calls/abc/events');
      assert.equal(PATHS.hangup('abc'), '/calls/abc/hangup');
      assert.equal(PATHS.events('a/b?c#d'), '/calls/a%2Fb%3Fc%23d/events');
      assert.equal(PATHS.hangup('../x'), '/calls/..%2Fx/hangup');
    });

    it('offers both call modes', () => assert.deepEqual([...CALL_MODES], ['webrtc', 'callback']));

    it('has the contract error codes, all kebab-case', () => {
      const contract = [
        'token-endpoint-unreachable', 'invalid-response', 'vendor-rejected', 'no-agent-available',
        'outside-business-hours', 'queue-timeout', 'microphone-denied', 'webrtc-unsupported',
        'gateway-unreachable', 'media-failed', 'network-lost', 'invalid-phone-number', 'rate-limited',
        'session-expired', 'call-not-found',
      ];
      for (const code of contract) assert.ok(isErrorCode(code), code);
      for (const code of ERROR_CODES) assert.match(code, /^[a-z]+(-[a-z]+)*$/);
      assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
      assert.equal(ErrorCode.RateLimited, 'rate-limited');
    });

    it('isErrorCode refuses everything else', () => {
      for (const value of ['Rate-Limited', 'rate_limited', '', 'constructor', null, 1, undefined]) assert.equal(isErrorCode(value), false);
    });

    it('final event types are ended, failed and scheduled', () => {
      assert.deepEqual([...FINAL_EVENT_TYPES].sort(), ['ended', 'failed', 'scheduled']);
    });
  });
});
