import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startUdeskSimulator, type UdeskSimulator } from '../../../src/sandbox/udesk-simulator.ts';
import { C2CError, type VendorEvent, type WebhookRequest } from '../../../src/server/provider.ts';
import {
  mapUdeskEvent,
  subscribeWebhook,
  udeskCalledNumber,
  UdeskConfig,
  type UdeskConfigInput,
  UdeskProvider,
} from '../../../src/server/providers/udesk.ts';

const APP_ID = 'a54a8b77-f12d-4ac9-742d-5b2bef5c4d11';
const SID = '123456789abcdef';
// Given to the simulator explicitly: its defaults are in dist/ (the sandbox bundle), and no
// secret a test configures may be (test/unit/security/secrets.test.ts).
const AUTH_TOKEN = 'udesk-test-auth-token';
const SECRET = 'udesk-test-app-secret';
const SIM_KEYS = { appId: APP_ID, sid: SID, authToken: AUTH_TOKEN, secret: SECRET };
const DESTINATION = { agentId: '10032', caller: '057126200670', calledDisplay: '057126200670' };
const PHONE = '+8613676546374';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

function configFor(sim: UdeskSimulator, overrides: Partial<UdeskConfigInput> = {}): UdeskConfig {
  return UdeskConfig.parse({ baseUrl: sim.url, appId: APP_ID, sid: SID, authToken: AUTH_TOKEN, secret: SECRET, requestTimeoutMs: 500, ...overrides });
}

function quietLog() {
  const warnings: string[] = [];
  return { warnings, log: { warn: (message: string) => void warnings.push(message) } };
}

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<C2CError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof C2CError, `expected a C2CError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** A callback as udesk signs it: Timestamp in seconds, Sign = SHA1(AppId + Secret + Timestamp). */
function signedCallback(body: unknown, opts: { at?: number; appId?: string; secret?: string; sign?: string } = {}): WebhookRequest {
  const timestamp = String(Math.floor((opts.at ?? Date.now()) / 1000));
  const appId = opts.appId ?? APP_ID;
  return {
    method: 'POST',
    path: '',
    query: { Timestamp: timestamp, AppId: appId, Sign: opts.sign ?? sha1(`${appId}${opts.secret ?? SECRET}${timestamp}`) },
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

describe('udesk provider: originatev2', () => {
  let sim: UdeskSimulator;
  before(async () => {
    sim = await startUdeskSimulator({ ...SIM_KEYS, agents: { '10032': 'ready', '10033': 'offline', '10034': 'busy' } });
  });
  after(() => sim.close());

  it('signs as documented (ms Timestamp, lowercase SHA1(Sid + AuthToken + Timestamp)) and returns the call id', async () => {
    const provider = new UdeskProvider(configFor(sim));
    const result = await provider.startCall({ destination: DESTINATION, phone: PHONE });
    const request = sim.requests.at(-1)!;
    assert.equal(request.path, '/ccapi/v2/originatev2');
    assert.equal(request.status, 200);
    const { Timestamp, AppId, Sid, Sign } = request.query;
    assert.match(Timestamp!, /^\d{13}$/);
    assert.ok(Math.abs(Number(Timestamp) - Date.now()) < 5000);
    assert.equal(AppId, APP_ID);
    assert.equal(Sid, SID);
    assert.equal(Sign, sha1(`${SID}${AUTH_TOKEN}${Timestamp}`));
    assert.match(Sign!, /^[0-9a-f]{40}$/);
    assert.deepEqual(JSON.parse(request.body), {
      caller: '057126200670',
      called: '13676546374',
      called_display: '057126200670',
      agent_id: '10032',
    });
    const call = sim.control.calls().at(-1)!;
    assert.equal(result.vendorCallId, call.callId);
    assert.equal(result.events?.length, 1);
    assert.equal(result.events?.[0]?.type, 'queued');
    assert.equal(result.events?.[0]?.vendorCallId, call.callId);
    await sim.control.settled();
  });

  it('formats the called number per the document (mobile, landline 0..., international 00...)', () => {
    assert.equal(udeskCalledNumber('+8613676546374'), '13676546374');
    assert.equal(udeskCalledNumber('+861067654637'), '01067654637');
    assert.equal(udeskCalledNumber('+8657126200670'), '057126200670');
    assert.equal(udeskCalledNumber('+14155550123'), '0014155550123');
    assert.equal(udeskCalledNumber('+14155550123', 'digits'), '14155550123');
    assert.equal(udeskCalledNumber('+14155550123', 'e164'), '+14155550123');
    assert.throws(() => udeskCalledNumber('hello'), (e: unknown) => e instanceof C2CError && e.code === 'invalid-phone-number');
  });

  it('wrong authToken -> vendor-rejected with a hint for the site owner', async () => {
    const provider = new UdeskProvider(configFor(sim, { authToken: 'wrong' }));
    await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), 'vendor-rejected', /authToken/);
    assert.equal(sim.requests.at(-1)!.status, 401);
  });

  it('a clock 11 minutes off -> the simulator refuses the Timestamp -> vendor-rejected', async () => {
    const provider = new UdeskProvider(configFor(sim), { now: () => Date.now() - 11 * 60_000 });
    await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), 'vendor-rejected', /clock/);
    assert.match(sim.requests.at(-1)!.responseBody, /Timestamp expired/);
  });

  it('wrong appId -> 100002 -> vendor-rejected naming appId', async () => {
    const provider = new UdeskProvider(configFor(sim, { appId: 'b54a8b77-0000-4ac9-742d-5b2bef5c4d11' }));
    await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), 'vendor-rejected', /appId/);
    assert.match(sim.requests.at(-1)!.responseBody, /100002/);
  });

  const refusals = [
    { name: 'agent offline', destination: { ...DESTINATION, agentId: '10033' }, code: 'no-agent-available' },
    { name: 'agent busy', destination: { ...DESTINATION, agentId: '10034' }, code: 'no-agent-available' },
    { name: 'unknown agent (100018)', destination: { ...DESTINATION, agentId: '999' }, code: 'vendor-rejected', message: /agentId/ },
    { name: 'bad called number', destination: { ...DESTINATION, calledFormat: 'e164' }, code: 'invalid-phone-number' },
  ] as const;
  for (const { name, destination, code, ...rest } of refusals) {
    it(`${name} -> ${code}`, async () => {
      const provider = new UdeskProvider(configFor(sim));
      await rejects(provider.startCall({ destination, phone: PHONE }), code, 'message' in rest ? rest.message : undefined);
    });
  }

  const codes = [
    ['000001', 'vendor-rejected'],
    ['000003', 'vendor-unavailable'],
    ['000004', 'vendor-rejected'],
    ['100002', 'vendor-rejected'],
    ['100004', 'vendor-rejected'],
    ['100015', 'vendor-rejected'],
    ['100016', 'vendor-rejected'],
    ['100017', 'vendor-rejected'],
    ['100018', 'vendor-rejected'],
    ['999999', 'vendor-rejected'],
  ] as const;
  for (const [errorCode, code] of codes) {
    it(`ErrCode ${errorCode} -> ${code}`, async () => {
      sim.control.scriptNextCall({ errorCode });
      const provider = new UdeskProvider(configFor(sim));
      const error = await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), code);
      assert.match(error.message, new RegExp(errorCode));
    });
  }

  it('HTTP 500 -> vendor-unavailable; malformed JSON -> invalid-response; a hold past the timeout -> vendor-unavailable', async () => {
    const provider = new UdeskProvider(configFor(sim, { requestTimeoutMs: 150 }));
    sim.control.failNext({ status: 500, body: 'oops' }, 'originatev2');
    await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), 'vendor-unavailable');
    sim.control.failNext({ status: 502 }, 'originatev2');
    await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), 'vendor-unavailable');
    sim.control.failNext({ malformed: true }, 'originatev2');
    await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), 'invalid-response');
    sim.control.failNext({ status: 200, body: { hello: 'world' } }, 'originatev2');
    await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), 'invalid-response');
    sim.control.failNext({ delayMs: 400 }, 'originatev2');
    await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), 'vendor-unavailable', /within 150 ms/);
  });

  it('an unreachable vendor -> vendor-unavailable', async () => {
    const provider = new UdeskProvider(UdeskConfig.parse({ baseUrl: 'http://127.0.0.1:1', appId: APP_ID, sid: SID, authToken: AUTH_TOKEN, secret: SECRET }));
    await rejects(provider.startCall({ destination: DESTINATION, phone: PHONE }), 'vendor-unavailable');
  });

  it('hangup: the document has no server-side hang-up -> dropped false, no request', async () => {
    const before = sim.requests.length;
    assert.deepEqual(await new UdeskProvider(configFor(sim)).hangup('any'), { dropped: false });
    assert.equal(sim.requests.length, before);
  });
});

describe('udesk provider: webhook', () => {
  const config = UdeskConfig.parse({ baseUrl: 'http://127.0.0.1:1', appId: APP_ID, sid: SID, authToken: AUTH_TOKEN, secret: SECRET });
  const callId = '97688e57-7a36-40f7-694a-393d4d1a10d3';

  it('good signature -> mapped events', async () => {
    const { log } = quietLog();
    const provider = new UdeskProvider(config, { log });
    const t = Date.now();
    const steps = [
      ['agent_ringing', 'queued'],
      ['user_ringing', 'ringing'],
      ['user_answer', 'connected'],
      ['user_hangup', 'ended'],
      ['end', 'ended'],
    ] as const;
    const types: string[] = [];
    for (const [i, [evt]] of steps.entries()) {
      const result = await provider.webhook(signedCallback({ evt, call_id: callId, Timestamp: t + i }));
      assert.equal(result.events.length, 1);
      const event = result.events[0]!;
      assert.equal(event.vendorCallId, callId);
      assert.equal(event.occurredAt, t + i);
      assert.ok(event.vendorEventId);
      types.push(event.type);
    }
    assert.deepEqual(types, steps.map(([, type]) => type));
    const reply = (await provider.webhook(signedCallback({ evt: 'user_ringing', call_id: callId }))).reply;
    assert.equal(reply?.status, 200);
  });

  it('WebSocket-style names and CallId are understood too', async () => {
    const provider = new UdeskProvider(config, { log: quietLog().log });
    const map = async (body: unknown) => (await provider.webhook(signedCallback(body))).events.map((e) => e.type);
    assert.deepEqual(await map({ Method: 'userRinging', CallId: callId }), ['ringing']);
    assert.deepEqual(await map({ Method: 'userAnswered', CallId: callId }), ['connected']);
    assert.deepEqual(await map({ Method: 'agnetHangup', CallId: callId }), ['ended']);
    assert.deepEqual(await map({ data: { event: 'user_answer', callId } }), ['connected']);
    assert.deepEqual(await map([{ evt: 'user_ringing', call_id: callId }, { evt: 'user_answer', call_id: callId }]), ['ringing', 'connected']);
  });

  it('the visitor never answered -> failed with a code, from hangup_cause', async () => {
    const provider = new UdeskProvider(config, { log: quietLog().log });
    const one = async (body: unknown) => (await provider.webhook(signedCallback(body))).events[0];
    assert.deepEqual(
      [await one({ evt: 'hangup_cause', call_id: callId, hangup_cause: 'NO_ANSWER' })].map((e) => [e?.type, e?.code, e?.reason]),
      [['failed', 'call-failed', 'no-answer']],
    );
    const busy = await one({ evt: 'hangup_cause', call_id: callId, hangup_cause: 'USER_BUSY' });
    assert.equal(busy?.reason, 'busy');
    const invalid = await one({ evt: 'user_hangup', call_id: callId, HangupReason: 'UNALLOCATED_NUMBER' });
    assert.equal(invalid?.code, 'invalid-phone-number');
    const unanswered = await one({ evt: 'end', call_id: callId, UserAnswerTime: 0 });
    assert.equal(unanswered?.type, 'failed');
    assert.equal(await one({ evt: 'hangup_cause', call_id: callId, hangup_cause: 'NORMAL_CLEARING' }), undefined);
    const normal = await one({ evt: 'end', call_id: callId, UserAnswerTime: Date.now(), HangupReason: 'NORMAL_CLEARING' });
    assert.equal(normal?.type, 'ended');
  });

  const refused: Array<[string, () => WebhookRequest]> = [
    ['a wrong signature', () => signedCallback({ evt: 'user_ringing', call_id: callId }, { secret: 'not-the-secret' })],
    ['a garbage signature', () => signedCallback({ evt: 'user_ringing', call_id: callId }, { sign: 'abc' })],
    ['a wrong AppId (signed with it)', () => signedCallback({ evt: 'user_ringing', call_id: callId }, { appId: 'other-app' })],
    ['a stale timestamp', () => signedCallback({ evt: 'user_ringing', call_id: callId }, { at: Date.now() - 301_000 })],
    ['a future timestamp', () => signedCallback({ evt: 'user_ringing', call_id: callId }, { at: Date.now() + 301_000 })],
    ['no parameters', () => ({ ...signedCallback({ evt: 'user_ringing', call_id: callId }), query: {} })],
  ];
  for (const [name, make] of refused) {
    it(`${name} -> unauthorized`, async () => {
      const provider = new UdeskProvider(config, { log: quietLog().log });
      await rejects(provider.webhook(make()), 'unauthorized');
    });
  }

  it('the skew comes from webhookMaxSkewSeconds and the provider clock', async () => {
    const provider = new UdeskProvider({ ...config, webhookMaxSkewSeconds: 30 }, { now: () => Date.now() + 60_000, log: quietLog().log });
    await rejects(provider.webhook(signedCallback({ evt: 'user_ringing', call_id: callId })), 'unauthorized', /stale/);
  });

  it('unknown event names and shapes -> no event, logged, no crash', async () => {
    const { warnings, log } = quietLog();
    const provider = new UdeskProvider(config, { log });
    const bodies = [
      { evt: 'something_new', call_id: callId },
      { evt: 'user_ringing' },
      { hello: 'world' },
      'not json at all',
      '[1, 2, "x"]',
      '',
      'null',
      { evt: 'record_stop', call_id: callId },
      { evt: 'user_ringing', call_id: { nested: true } },
    ];
    for (const body of bodies) {
      const result = await provider.webhook(signedCallback(body));
      assert.deepEqual(result.events, [], JSON.stringify(body));
      assert.equal(result.reply?.status, 200);
    }
    assert.ok(warnings.some((w) => /unknown event 'something_new'/.test(w)));
    assert.ok(warnings.some((w) => /without a call id/.test(w)));
    assert.ok(!warnings.some((w) => /record_stop/.test(w)), 'documented events are dropped quietly');
  });

  it('Object.prototype names (constructor, toString, __proto__) are unknown events, warned about, not half-matched', () => {
    const { warnings, log } = quietLog();
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.strictEqual(mapUdeskEvent({ Method: name, CallId: callId }, undefined, log), null, name);
    }
    assert.equal(warnings.filter((w) => /unknown event/.test(w)).length, 4);
    // A known name behind a prototype name is still found.
    assert.equal(mapUdeskEvent({ evt: 'constructor', Method: 'userRinging', call_id: callId }, undefined, log)?.type, 'ringing');
  });

  it('the same event delivered twice -> the same vendorEventId; another event -> another id', async () => {
    const provider = new UdeskProvider(config, { log: quietLog().log });
    const body = { evt: 'user_answer', call_id: callId, Timestamp: 1_700_000_000_123 };
    const a = (await provider.webhook(signedCallback(body))).events[0]!;
    const b = (await provider.webhook(signedCallback(body, { at: Date.now() + 2000 }))).events[0]!;
    assert.equal(a.vendorEventId, b.vendorEventId);
    const c = (await provider.webhook(signedCallback({ ...body, evt: 'user_ringing' }))).events[0]!;
    assert.notEqual(a.vendorEventId, c.vendorEventId);
    // No time in the body: the fingerprint is the body itself, not the callback's Timestamp.
    const d1 = (await provider.webhook(signedCallback({ call_id: callId, evt: 'user_hangup' }))).events[0]!;
    const d2 = (await provider.webhook(signedCallback({ evt: 'user_hangup', call_id: callId }, { at: Date.now() + 3000 }))).events[0]!;
    assert.equal(d1.vendorEventId, d2.vendorEventId);
  });
});

/** A tiny webhook receiver standing in for the endpoint's route: provider.webhook per request. */
async function startReceiver(provider: UdeskProvider): Promise<{ url: string; events: VendorEvent[]; statuses: number[]; close(): Promise<void> }> {
  const events: VendorEvent[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://receiver.invalid');
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        try {
          const result = await provider.webhook({
            method: req.method ?? 'POST',
            path: '',
            query: Object.fromEntries(url.searchParams),
            headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
          events.push(...result.events);
          statuses.push(200);
          res.writeHead(result.reply?.status ?? 200, { 'Content-Type': result.reply?.contentType ?? 'text/plain' });
          res.end(result.reply?.body ?? '');
        } catch (error) {
          const status = error instanceof C2CError ? error.status : 500;
          statuses.push(status);
          res.writeHead(status);
          res.end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/udesk`,
    events,
    statuses,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The visitor-facing sequence: consecutive repeats collapsed. */
const collapse = (types: string[]) => types.filter((t, i) => t !== types[i - 1]);

describe('udesk end to end: subscription and signed callbacks', () => {
  let sim: UdeskSimulator;
  let provider: UdeskProvider;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    sim = await startUdeskSimulator(SIM_KEYS);
    provider = new UdeskProvider(configFor(sim), { log: quietLog().log });
    receiver = await startReceiver(provider);
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });

  function reset() {
    receiver.events.length = 0;
    receiver.statuses.length = 0;
    sim.deliveries.length = 0;
  }

  it('subscribeWebhook stores the callback URL and the call events (subscriptions API)', async () => {
    const result = await subscribeWebhook(configFor(sim), receiver.url);
    assert.equal(result.via, 'subscriptions');
    assert.equal(result.subscriptionId, '1');
    const [sub] = sim.control.subscriptions();
    assert.equal(sub?.callback, receiver.url);
    assert.ok(sub?.events.includes('user_ringing') && sub.events.includes('end'));
    const request = sim.requests.at(-1)!;
    assert.equal(request.query.Sign, sha1(`${SID}${AUTH_TOKEN}${request.query.Timestamp}`));
    // A second subscription under the same name is refused (sub_fail).
    await rejects(subscribeWebhook(configFor(sim), receiver.url), 'vendor-rejected');
    await rejects(subscribeWebhook(configFor(sim, { authToken: 'wrong' }), receiver.url, undefined, { name: 'x' }), 'vendor-rejected');
  });

  it('subscribeWebhook via the app CallbackUrl and webhooks/events keeps to the call category list', async () => {
    const other = await startUdeskSimulator(SIM_KEYS);
    try {
      const result = await subscribeWebhook(configFor(other), 'https://shop.example/c2c/webhooks/udesk', undefined, { via: 'app' });
      assert.equal(other.control.app().callbackUrl, 'https://shop.example/c2c/webhooks/udesk');
      assert.deepEqual(other.control.app().events, result.events);
      assert.ok(!result.events.includes('agent_ringing'));
      assert.ok(result.events.includes('user_answer'));
    } finally {
      await other.close();
    }
  });

  it('answered call: signed callbacks -> queued, ringing, connected, ended', async () => {
    reset();
    const { vendorCallId } = await provider.startCall({ destination: DESTINATION, phone: PHONE });
    await sim.control.settled();
    assert.ok(sim.deliveries.length >= 8);
    assert.ok(sim.deliveries.every((d) => d.status === 200), JSON.stringify(sim.deliveries.map((d) => d.status)));
    assert.ok(receiver.events.every((e) => e.vendorCallId === vendorCallId));
    assert.deepEqual(collapse(receiver.events.map((e) => e.type)), ['queued', 'ringing', 'connected', 'ended']);
  });

  it('no answer -> ... ringing, failed (call-failed, no-answer)', async () => {
    reset();
    sim.control.scriptNextCall({ outcome: 'no-answer', ringMs: 10 });
    await provider.startCall({ destination: DESTINATION, phone: PHONE });
    await sim.control.settled();
    assert.deepEqual(collapse(receiver.events.map((e) => e.type)), ['queued', 'ringing', 'failed']);
    assert.equal(receiver.events.find((e) => e.type === 'failed')?.reason, 'no-answer');
  });

  it('busy -> failed (busy) without ringing', async () => {
    reset();
    sim.control.scriptNextCall({ outcome: 'busy' });
    await provider.startCall({ destination: DESTINATION, phone: PHONE });
    await sim.control.settled();
    assert.deepEqual(collapse(receiver.events.map((e) => e.type)), ['queued', 'failed']);
    assert.equal(receiver.events.at(-1)?.reason, 'busy');
  });

  it('duplicate delivery -> every event twice with the same vendorEventId', async () => {
    reset();
    sim.control.deliverDuplicate();
    try {
      await provider.startCall({ destination: DESTINATION, phone: PHONE });
      await sim.control.settled();
    } finally {
      sim.control.deliverDuplicate(false);
    }
    assert.ok(sim.deliveries.some((d) => d.duplicate));
    const ids = receiver.events.map((e) => e.vendorEventId!);
    const unique = [...new Set(ids)];
    assert.equal(ids.length, unique.length * 2);
    assert.deepEqual(collapse(unique.map((id) => receiver.events.find((e) => e.vendorEventId === id)!.type)), ['queued', 'ringing', 'connected', 'ended']);
  });

  it('out-of-order delivery -> occurredAt restores the order', async () => {
    reset();
    sim.control.deliverOutOfOrder();
    try {
      await provider.startCall({ destination: DESTINATION, phone: PHONE });
      await sim.control.settled();
    } finally {
      sim.control.deliverOutOfOrder(false);
    }
    const arrived = receiver.events.map((e) => e.type);
    assert.notDeepEqual(collapse(arrived), ['queued', 'ringing', 'connected', 'ended']);
    const sorted = [...receiver.events].sort((a, b) => a.occurredAt! - b.occurredAt!).map((e) => e.type);
    assert.deepEqual(collapse(sorted), ['queued', 'ringing', 'connected', 'ended']);
  });

  it('callbacks signed with another secret -> the receiver answers 401, no events', async () => {
    reset();
    sim.control.signWith('someone-else');
    try {
      await provider.startCall({ destination: DESTINATION, phone: PHONE });
      await sim.control.settled();
    } finally {
      sim.control.signWith(undefined);
    }
    assert.ok(sim.deliveries.length > 0);
    assert.ok(sim.deliveries.every((d) => d.status === 401));
    assert.deepEqual(receiver.events, []);
  });
});
