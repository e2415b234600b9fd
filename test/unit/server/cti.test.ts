/**
 * CtiProvider: the signed InboundCallStateChange feed (seed 004) and its mapping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../../../src/protocol/errors.ts';
import { C2CError, type VendorEvent } from '../../../src/server/provider.ts';
import { CTI_HEADERS, CtiConfig, CtiProvider, mapCtiEvent, signCtiMessage } from '../../../src/server/providers/cti.ts';

const SECRET = 'cti-shared-secret-0123456789';

class Clock {
  t = 1_760_000_000_000;
  now = (): number => this.t;
}

/** A message shaped like seed 004's, for one call and one event. */
function message(event: string, options: { id?: string | number; topic?: string; subtopic?: string; stateTime?: string } = {}) {
  return {
    subtopic: options.subtopic ?? 'InboundCallStateChange',
    channel: 'Amazon',
    topic: options.topic ?? 'InboundCall',
    message: {
      source: 'cti-adapter',
      call: {
        id: options.id ?? 'conn-42',
        event,
        CallType: 'inbound',
        CallVariables: {},
        ButtonStates: { items: {}, count: 0 },
        ResponseFields: {
          MediaProperties: { callType: 'inbound', queueName: 'Sales', queueTimestamp: '2025-10-09T08:00:00Z' },
          fromAddress: '+14155550123',
          CallState: event,
          Type: 'inbound',
          ...(options.stateTime === undefined ? {} : { CurrentStateTime: options.stateTime }),
          DN: 'Sales',
        },
      },
    },
  };
}

function setup(maxSkewSeconds?: number) {
  const clock = new Clock();
  const provider = new CtiProvider({ secret: SECRET, ...(maxSkewSeconds === undefined ? {} : { maxSkewSeconds }) }, { now: clock.now });
  const nowSeconds = () => Math.floor(clock.t / 1000);
  /** Sends `body` signed with `secret` at `timestamp` (default: now), with optional header overrides. */
  const send = (body: unknown, opts: { secret?: string; timestamp?: number | string; headers?: Record<string, string> } = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const timestamp = String(opts.timestamp ?? nowSeconds());
    return provider.webhook({
      method: 'POST',
      path: '',
      query: {},
      headers: {
        [CTI_HEADERS.timestamp]: timestamp,
        [CTI_HEADERS.signature]: signCtiMessage(opts.secret ?? SECRET, text, timestamp),
        ...opts.headers,
      },
      body: text,
    });
  };
  return { clock, provider, send, nowSeconds };
}

async function refusal(promise: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof C2CError, `a C2CError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

describe('CtiProvider webhook', () => {
  it('signCtiMessage is hex HMAC-SHA256 over timestamp "." body', () => {
    // Independent value: printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'k'
    const expected = '1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3';
    assert.equal(signCtiMessage('k', '{"a":1}', 1700000000), expected);
    assert.equal(signCtiMessage('k', '{"a":1}', '1700000000'), expected);
    assert.notEqual(signCtiMessage('k', '{"a":1}', 1700000000), signCtiMessage('k', '{"a":1}', 1700000001));
    assert.notEqual(signCtiMessage('k', '{"a":1}', 1700000000), signCtiMessage('k2', '{"a":1}', 1700000000));
  });

  it('a good signature -> the mapped event under message.call.id', async () => {
    const { send, clock } = setup();
    const { events } = await send(message('connected', { stateTime: '2025-10-09T08:01:02Z' }));
    assert.deepEqual(events, [
      {
        vendorCallId: 'conn-42',
        type: 'connected',
        vendorEventId: 'cti:conn-42:connected:2025-10-09T08:01:02Z',
        occurredAt: Date.parse('2025-10-09T08:01:02Z'),
      },
    ]);
    // Without CurrentStateTime the signed timestamp dates the event; a numeric id becomes a string.
    const second = await send(message('Dropped', { id: 7 }));
    assert.deepEqual(second.events, [
      { vendorCallId: '7', type: 'ended', reason: 'dropped', vendorEventId: 'cti:7:dropped', occurredAt: Math.floor(clock.t / 1000) * 1000 },
    ]);
  });

  it('maps every documented event, case-insensitively', async () => {
    const { send } = setup();
    const table: Array<[string, Partial<VendorEvent> | null]> = [
      ['connecting', { type: 'ringing' }],
      ['missed', { type: 'failed', code: 'no-agent-available' }],
      ['connected', { type: 'connected' }],
      ['Rejected', { type: 'failed', code: 'call-failed' }],
      ['hold', null],
      ['ACW', null],
      ['Dropped', { type: 'ended' }],
      ['CONNECTING', { type: 'ringing' }],
      ['dropped', { type: 'ended' }],
    ];
    for (const [event, expected] of table) {
      const { events } = await send(message(event));
      if (expected === null) {
        assert.deepEqual(events, [], event);
        continue;
      }
      assert.equal(events.length, 1, event);
      for (const [key, value] of Object.entries(expected)) assert.equal(events[0]?.[key as keyof VendorEvent], value, `${event} ${key}`);
      if (events[0]?.type === 'failed') assert.ok(events[0].message && events[0].message.length > 0);
    }
    assert.deepEqual(mapCtiEvent(' Missed '), mapCtiEvent('missed'));
  });

  it('unknown events and other topics -> no events', async () => {
    const { send } = setup();
    assert.deepEqual((await send(message('transferring'))).events, []);
    assert.deepEqual((await send(message('connected', { topic: 'OutboundCall' }))).events, []);
    assert.deepEqual((await send(message('connected', { subtopic: 'AgentStateChange' }))).events, []);
  });

  it('a bad signature, a wrong secret or missing headers -> unauthorized', async () => {
    const { send, nowSeconds } = setup();
    await refusal(send(message('connected'), { secret: 'another-secret-0123456789' }), 'unauthorized', /bad signature/);
    await refusal(send(message('connected'), { headers: { [CTI_HEADERS.signature]: '0'.repeat(64) } }), 'unauthorized', /bad signature/);
    await refusal(send(message('connected'), { headers: { [CTI_HEADERS.signature]: 'abc' } }), 'unauthorized', /malformed/);
    await refusal(send(message('connected'), { headers: { [CTI_HEADERS.timestamp]: '' } }), 'unauthorized', /malformed/);
    // A signature valid for another timestamp does not transfer.
    const body = JSON.stringify(message('connected'));
    await refusal(
      send(body, { headers: { [CTI_HEADERS.signature]: signCtiMessage(SECRET, body, nowSeconds() - 1) } }),
      'unauthorized',
      /bad signature/,
    );
    // A tampered body with the original signature.
    const tampered = body.replace('connected', 'Dropped');
    await refusal(
      send(tampered, { headers: { [CTI_HEADERS.signature]: signCtiMessage(SECRET, body, nowSeconds()) } }),
      'unauthorized',
      /bad signature/,
    );
  });

  it('stale timestamps (past or future beyond the skew) -> unauthorized; inside the skew -> accepted', async () => {
    const { send, nowSeconds } = setup(60);
    await refusal(send(message('connected'), { timestamp: nowSeconds() - 61 }), 'unauthorized', /stale/);
    await refusal(send(message('connected'), { timestamp: nowSeconds() + 61 }), 'unauthorized', /stale/);
    assert.equal((await send(message('connected'), { timestamp: nowSeconds() - 59 })).events.length, 1);
    assert.equal((await send(message('connected'), { timestamp: nowSeconds() + 59 })).events.length, 1);
  });

  it('a replayed signature -> unauthorized; it is forgotten once its timestamp is stale anyway', async () => {
    const { send, clock, provider, nowSeconds } = setup(60);
    const body = JSON.stringify(message('connected'));
    const timestamp = nowSeconds();
    assert.equal((await send(body, { timestamp })).events.length, 1);
    await refusal(send(body, { timestamp }), 'unauthorized', /replayed/);
    clock.t += 30_000;
    await refusal(send(body, { timestamp }), 'unauthorized', /replayed/);
    // The same message re-signed at a new time is a new delivery (the endpoint dedupes by vendorEventId).
    assert.equal((await send(body, { timestamp: nowSeconds() })).events.length, 1);
    assert.equal(provider.rememberedSignatures, 2);
    clock.t += 61_000;
    await refusal(send(body, { timestamp }), 'unauthorized', /stale/);
    clock.t += 60_000;
    assert.equal(provider.rememberedSignatures, 0);
  });

  it('a malformed message (not JSON, or without message.call.id / event) -> invalid-request', async () => {
    const { send } = setup();
    await refusal(send('{"topic":'), 'invalid-request', /not JSON/);
    await refusal(send({ topic: 'InboundCall', subtopic: 'InboundCallStateChange', message: { call: { event: 'connected' } } }), 'invalid-request');
    await refusal(send({ topic: 'InboundCall', subtopic: 'InboundCallStateChange', message: { call: { id: '', event: 'connected' } } }), 'invalid-request');
    await refusal(send({ topic: 'InboundCall', subtopic: 'InboundCallStateChange', message: {} }), 'invalid-request');
    await refusal(send([1, 2]), 'invalid-request');
  });

  it('cannot start calls; hangup drops nothing; config validation', async () => {
    const { provider } = setup();
    await refusal(provider.startCall(), 'not-supported');
    assert.deepEqual(await provider.hangup('conn-42'), { dropped: false });
    assert.equal(provider.canSchedule, false);
    assert.deepEqual(provider.modes, ['callback']);
    assert.equal(CtiConfig.parse({ secret: SECRET }).maxSkewSeconds, 300);
    assert.equal(CtiConfig.safeParse({ secret: 'short' }).success, false);
  });
});
