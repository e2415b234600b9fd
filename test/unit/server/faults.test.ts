/**
 * Fault matrix (issue 5): each row a fault as a vendor document lists it, driven through the
 * real endpoint and the real simulators, checked where the visitor would notice it. Rows
 * already covered elsewhere are not repeated here (see the list in each describe's comment).
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EndpointClient } from '../../../src/core/client.ts';
import { CallError } from '../../../src/core/errors.ts';
import { startCcaiSimulator, type CcaiSimulator } from '../../../src/sandbox/ccai-simulator.ts';
import { startSarvSimulator, type SarvSimulator } from '../../../src/sandbox/sarv-simulator.ts';
import { startUdeskSimulator, type UdeskSimulator } from '../../../src/sandbox/udesk-simulator.ts';
import { createC2CHandler, MemoryStore, serve, type CallRecord, type KeyValueStore, type RunningServer, type SessionRecord } from '../../../src/server/index.ts';
import { leakedSecrets, NO_LIMITS, startRig, type Rig } from './rig.ts';

const signal = () => new AbortController().signal;

async function callError(promise: Promise<unknown>): Promise<CallError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CallError, `expected a CallError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

// ---------------------------------------------------------------------------------------------
// Already covered, not repeated: a closed port, a server that never answers, 500/502 garbage, a
// 2xx that is not JSON or breaks the protocol, 429 with Retry-After (test/unit/core/client.test.ts,
// against a scripted server).

describe('faults: the browser client against the real endpoint (Huawei simulator behind it)', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      sim: { script: { outcome: 'hold' }, longPollMs: 2000 },
      handler: { providerOptions: { huawei: { requestTimeoutMs: 400, eventsTimeoutMs: 3000 } } },
    });
  });
  after(() => rig.close());

  it('the endpoint fails unexpectedly (500 internal-error) -> CallError internal-error, no detail leaked', async () => {
    const failing: KeyValueStore<SessionRecord> = {
      get: async () => {
        throw new Error('store exploded at /srv/app/store.ts:12');
      },
      set: async () => {
        throw new Error('store exploded at /srv/app/store.ts:12');
      },
      delete: async () => undefined,
    };
    const broken = await startRig({ handler: { stores: { sessions: failing } } });
    try {
      const error = await callError(new EndpointClient(broken.server.url).createSession({ destination: 'sales' }, signal()));
      assert.equal(error.code, 'internal-error');
      assert.doesNotMatch(error.message, /exploded|store\.ts/);
      assert.equal(broken.errors.length, 1, 'the endpoint reported it to onError');
    } finally {
      await broken.close();
    }
  });

  it('the endpoint answers slower than requestMs (tokenByAkSk held) -> token-endpoint-unreachable', async () => {
    // A fresh rig: its AccessToken is not cached yet, so minting waits for tokenByAkSk.
    const slow = await startRig();
    try {
      slow.sim.control.failNext('tokenByAkSk', { delayMs: 800 });
      const client = new EndpointClient(slow.server.url, undefined, { requestMs: 150, pollMs: 150 });
      const error = await callError(client.createSession({ destination: 'sales' }, signal()));
      assert.equal(error.code, 'token-endpoint-unreachable');
      assert.match(error.message, /in time/);
    } finally {
      await slow.close();
    }
  });

  it('vendor 503 and vendor 400 through the endpoint -> vendor-unavailable and vendor-rejected CallErrors', async () => {
    const client = new EndpointClient(rig.server.url);
    const session = await client.createSession({ destination: 'sales' }, signal());
    rig.sim.control.failNext('createClickToCall', { status: 503 });
    assert.equal((await callError(client.startCall(session.token, {}, signal()))).code, 'vendor-unavailable');
    rig.sim.control.failNext('createClickToCall', { status: 400 });
    assert.equal((await callError(client.startCall(session.token, {}, signal()))).code, 'vendor-rejected');
    // A refused start does not use up the session: the visitor's retry goes through.
    const { callId } = await client.startCall(session.token, {}, signal());
    assert.ok(callId);
  });

  it('vendor timeout on create (requestTimeoutMs) -> vendor-unavailable CallError, and the retry works', async () => {
    const client = new EndpointClient(rig.server.url);
    const session = await client.createSession({ destination: 'sales' }, signal());
    rig.sim.control.failNext('createClickToCall', { delayMs: 1200 });
    const error = await callError(client.startCall(session.token, {}, signal()));
    assert.equal(error.code, 'vendor-unavailable');
    assert.match(error.message, /within 400 ms/);
  });

  it('a first events answer lost on the way (the browser gave up) is not lost: the next poll without `after` gets it', async () => {
    // The endpoint's call store tells when the held answer has been taken in, so nothing sleeps.
    let stored: () => void = () => undefined;
    const eventStored = new Promise<void>((resolve) => (stored = resolve));
    class WatchedCalls extends MemoryStore<CallRecord> {
      override async set(key: string, value: CallRecord, keepUntil: number): Promise<void> {
        await super.set(key, value, keepUntil);
        if (value.recentEvents.length > 0) stored();
      }
    }
    const held = await startRig({ sim: { script: { outcome: 'hold' }, longPollMs: 150 }, handler: { stores: { calls: new WatchedCalls() } } });
    try {
      const client = new EndpointClient(held.server.url, undefined, { requestMs: 5000, pollMs: 200 });
      const session = await client.createSession({ destination: 'sales' }, signal());
      const { callId } = await client.startCall(session.token, {}, signal());
      // The vendor holds its answer (the "Call in queue" event) past the browser's patience.
      held.sim.control.failNext('getClickToCallEvents', { delayMs: 500 });
      const lost = await callError(client.events(session.token, callId, null, signal()));
      assert.equal(lost.code, 'token-endpoint-unreachable');
      await eventStored;
      const again = await new EndpointClient(held.server.url).events(session.token, callId, null, signal());
      assert.deepEqual(again.events.map((e) => e.type), ['queued'], 'the event the browser never saw');
    } finally {
      await held.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Already covered (test/unit/server/errors.test.ts, tokens.test.ts, calls.test.ts):
// createClickToCall / getClickToCallEvents / dropClickToCall 400, 404, 500, 503 and malformed
// JSON; applyToken 500; tokenByAkSk 401 (wrong credentials); 401 once (re-applied) and twice
// (vendor-rejected) on a queued call; createClickToCall and events timeouts; unreachable vendor.

describe('faults: Huawei rows not covered elsewhere', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      sim: { script: { outcome: 'hold' }, longPollMs: 150 },
      handler: { providerOptions: { huawei: { requestTimeoutMs: 300, eventsTimeoutMs: 1000, supportCacheMs: 0 } } },
    });
  });
  after(() => rig.close());

  const mint = async (fault: Parameters<Rig['sim']['control']['failNext']>[1], api: string) => {
    const fresh = await startRig({ handler: { providerOptions: { huawei: { requestTimeoutMs: 300 } } } });
    try {
      fresh.sim.control.failNext(api, fault);
      const answer = await fresh.request('POST', '/session', { body: { destination: 'sales' } });
      // The next visitor is not punished for the last one's fault.
      const next = await fresh.request('POST', '/session', { body: { destination: 'sales' } });
      assert.equal(next.status, 201, JSON.stringify(next.body));
      assert.deepEqual(leakedSecrets(fresh), []);
      return answer;
    } finally {
      await fresh.close();
    }
  };

  const mintRows = [
    { api: 'tokenByAkSk', fault: { status: 500 }, status: 502, code: 'vendor-rejected' },
    { api: 'tokenByAkSk', fault: { status: 503 }, status: 503, code: 'vendor-unavailable' },
    { api: 'tokenByAkSk', fault: { delayMs: 900 }, status: 503, code: 'vendor-unavailable' },
    { api: 'applyToken', fault: { status: 400 }, status: 502, code: 'vendor-rejected' },
    { api: 'applyToken', fault: { status: 503 }, status: 503, code: 'vendor-unavailable' },
    { api: 'applyToken', fault: { delayMs: 900 }, status: 503, code: 'vendor-unavailable' },
    { api: 'applyToken', fault: { malformed: true }, status: 502, code: 'invalid-response' },
  ] as const;
  for (const row of mintRows) {
    it(`session mint: ${row.api} ${JSON.stringify(row.fault)} -> ${row.status} ${row.code}`, async () => {
      const answer = await mint(row.fault, row.api);
      assert.equal(answer.status, row.status, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, row.code);
    });
  }

  const supportRows = [
    { fault: { status: 400 }, status: 502, code: 'vendor-rejected' },
    { fault: { status: 404 }, status: 502, code: 'vendor-rejected' },
    { fault: { status: 500 }, status: 502, code: 'vendor-rejected' },
    { fault: { status: 502 }, status: 503, code: 'vendor-unavailable' },
    { fault: { status: 503 }, status: 503, code: 'vendor-unavailable' },
    { fault: { delayMs: 900 }, status: 503, code: 'vendor-unavailable' },
    { fault: { malformed: true }, status: 502, code: 'invalid-response' },
  ] as const;
  for (const row of supportRows) {
    it(`start: checkClickToCallSupport ${JSON.stringify(row.fault)} -> ${row.status} ${row.code}, no call created, the retry works`, async () => {
      const token = await rig.mint();
      const creates = rig.sim.count('createClickToCall');
      rig.sim.control.failNext('checkClickToCallSupport', row.fault);
      const answer = await rig.request('POST', '/calls', { token, body: {} });
      assert.equal(answer.status, row.status, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, row.code);
      assert.equal(rig.sim.count('createClickToCall'), creates, 'nothing was created');
      assert.equal((await rig.request('POST', '/calls', { token, body: {} })).status, 201);
    });
  }

  it('events: a 502 from the API gateway -> 503 vendor-unavailable, and the next poll carries on', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    rig.sim.control.failNext('getClickToCallEvents', { status: 502 });
    const answer = await rig.events(token, callId);
    assert.equal(answer.status, 503);
    assert.equal(answer.body.error.code, 'vendor-unavailable');
    assert.deepEqual((await rig.pollUntil(token, callId, 'queued')).map((e) => e.type), ['queued']);
  });

  it('hang-up: dropClickToCall timeout -> 503 vendor-unavailable; the visitor hangs up again and it drops', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    rig.sim.control.failNext('dropClickToCall', { delayMs: 900 });
    const first = await rig.hangup(token, callId);
    assert.equal(first.status, 503);
    assert.equal(first.body.error.code, 'vendor-unavailable');
    const second = await rig.hangup(token, callId);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(rig.sim.state.calls().at(-1)?.status, 'dropped');
  });
});

// ---------------------------------------------------------------------------------------------
// Already covered: a 401 on a queued call re-applies once and keeps it (tokens.test.ts).

describe('faults: Huawei tokens expire while the call is connected', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ sim: { script: { outcome: 'hold' }, longPollMs: 150 } });
  });
  after(() => rig.close());

  async function connectedCall(): Promise<{ token: string; callId: string }> {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    await rig.pollUntil(token, callId, 'queued');
    rig.sim.control.connectNow();
    const events = await rig.pollUntil(token, callId, 'media');
    assert.equal(events.at(-1).gateway.target, '179080000537636');
    assert.equal(rig.sim.state.calls().at(-1)?.status, 'connected');
    return { token, callId };
  }

  for (const status of [401, 403] as const) {
    it(`AccessToken refused with ${status} mid-call: refreshed and applied again once, the call goes on to its end`, async () => {
      rig.sim.control.refuseExpiredAccessTokensWith(status);
      const { token, callId } = await connectedCall();
      const tokens = rig.sim.count('tokenByAkSk');
      const applies = rig.sim.count('applyToken');
      rig.sim.control.expireAccessTokens();
      rig.sim.control.agentHangup();
      const answer = await rig.events(token, callId);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.events.map((e: any) => [e.type, e.reason]), [['ended', 'agent-hangup']]);
      assert.equal(rig.sim.count('tokenByAkSk'), tokens + 1, 'one refresh');
      assert.equal(rig.sim.count('applyToken'), applies + 1, 'one re-apply');
      assert.deepEqual(leakedSecrets(rig), []);
    });
  }

  it('AccessToken expired when the visitor hangs up: the drop is re-authorised and reaches the vendor', async () => {
    rig.sim.control.refuseExpiredAccessTokensWith(401);
    const { token, callId } = await connectedCall();
    rig.sim.control.expireAccessTokens();
    const answer = await rig.hangup(token, callId);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { ok: true });
    assert.equal(rig.sim.state.calls().at(-1)?.status, 'dropped');
  });

  it('ccmessaging-token expired mid-call (the hour ran out): applied again for the same userId, the call goes on', async () => {
    const { token, callId } = await connectedCall();
    const tokens = rig.sim.count('tokenByAkSk');
    rig.sim.control.expireCcTokens();
    rig.sim.control.agentHangup();
    const answer = await rig.events(token, callId);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.events.map((e: any) => e.type), ['ended']);
    const applies = rig.sim.requests.filter((r) => r.path.endsWith('/applyToken'));
    assert.equal(JSON.parse(applies.at(-1)!.body).userId, JSON.parse(applies.at(-2)!.body).userId, 'the same visitor');
    assert.ok(rig.sim.count('tokenByAkSk') <= tokens + 1);
  });
});

// ---------------------------------------------------------------------------------------------
// Already covered at the provider level (sarv.test.ts, udesk.test.ts, ccai.test.ts): every Sarv
// code of the table, Sarv HTTP 500/502/garbage/timeout/unreachable; udesk HTTP 500, malformed,
// timeout, unreachable, auth codes; CCAI 401/404/every documented 4xx message/429/5xx/timeout/
// 202, and polling retries. Here: the same faults as the visitor meets them through the endpoint.

const ORIGIN = 'http://shop.test';
const SARV_SECRET = 'sarv-webhook-secret-0123456789abcdef0123';
const CTI_SECRET = 'cti-shared-secret-0123456789';
const UDESK = { appId: 'app-1', sid: 'sid-1', authToken: 'auth-token-1', secret: 'udesk-secret-1' };

describe('faults: callback vendors through the endpoint', () => {
  let sarv: SarvSimulator;
  let udesk: UdeskSimulator;
  let ccai: CcaiSimulator;
  let endpoint: RunningServer;
  let handler: ReturnType<typeof createC2CHandler>;
  let clockSkewMs = 0;
  const unexpected: unknown[] = [];

  before(async () => {
    [sarv, udesk, ccai] = await Promise.all([
      startSarvSimulator({ userId: '42', token: 'sarv-token' }),
      startUdeskSimulator({ ...UDESK, script: { outcome: 'answered', ringMs: 5_000, talkMs: 5_000 } }),
      startCcaiSimulator({ companyKey: 'ck', companySecret: 'cs', defaultInboundScript: [['queued'], ['connected'], ['finished']] }),
    ]);
    handler = createC2CHandler(
      {
        allowedOrigins: [ORIGIN],
        limits: NO_LIMITS,
        destinations: {
          sarv: { provider: 'sarv', to: '101', toType: 'Agent' },
          udesk: { provider: 'udesk', agentId: '10032', caller: '02811111111', calledDisplay: '02811111111' },
          ccai: { provider: 'ccai', menuId: 9, lang: 'en' },
        },
        providers: {
          sarv: { baseUrl: sarv.url, userId: '42', token: 'sarv-token', webhookSecret: SARV_SECRET, requestTimeoutMs: 300 },
          udesk: { baseUrl: udesk.url, ...UDESK, requestTimeoutMs: 300 },
          ccai: { baseUrl: ccai.url, companyKey: 'ck', companySecret: 'cs', pollIntervalMs: 20, requestTimeoutMs: 300 },
          cti: { secret: CTI_SECRET },
        },
      },
      { now: () => Date.now() + clockSkewMs, longPollMs: 50, onError: (error) => void unexpected.push(error) },
    );
    endpoint = await serve({ port: 0, handler });
  });

  after(async () => {
    handler?.close();
    await endpoint?.close();
    await Promise.all([sarv?.close(), udesk?.close(), ccai?.close()]);
  });

  async function request(method: string, path: string, init: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${endpoint.url}${path}`, {
      method,
      headers: {
        origin: ORIGIN,
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.raw !== undefined ? { body: init.raw } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  }

  async function session(destination: string): Promise<string> {
    const answer = await request('POST', '/session', { body: { destination } });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body.token;
  }

  async function start(token: string, phone: string) {
    return request('POST', '/calls', { token, body: { phone } });
  }

  async function events(token: string, callId: string, after?: string): Promise<Array<{ id: string; type: string; code?: string }>> {
    const answer = await request('GET', `/calls/${callId}/events${after ? `?after=${after}` : ''}`, { token });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.events;
  }

  const rows = [
    { name: 'Sarv 1501 "Connection Issue"', destination: 'sarv', phone: '+919876543210', inject: () => sarv.control.scriptNextCall({ errorCode: 1501 }), status: 503, code: 'vendor-unavailable' },
    { name: 'Sarv HTTP 504 (HTML)', destination: 'sarv', phone: '+919876543210', inject: () => sarv.control.failNext({ status: 504 }), status: 503, code: 'vendor-unavailable' },
    { name: 'Sarv timeout', destination: 'sarv', phone: '+919876543210', inject: () => sarv.control.failNext({ delayMs: 900 }), status: 503, code: 'vendor-unavailable' },
    { name: 'Sarv 1508 (the visitor\'s number)', destination: 'sarv', phone: '+919876543210', inject: () => sarv.control.scriptNextCall({ errorCode: 1508 }), status: 400, code: 'invalid-phone-number' },
    { name: 'udesk HTTP 500', destination: 'udesk', phone: '+8613676546374', inject: () => udesk.control.failNext({ status: 500 }), status: 503, code: 'vendor-unavailable' },
    { name: 'udesk timeout', destination: 'udesk', phone: '+8613676546374', inject: () => udesk.control.failNext({ delayMs: 900 }), status: 503, code: 'vendor-unavailable' },
    { name: 'udesk 000003 internal error', destination: 'udesk', phone: '+8613676546374', inject: () => udesk.control.scriptNextCall({ errorCode: '000003' }), status: 503, code: 'vendor-unavailable' },
    { name: 'CCAI 429 (rate limited)', destination: 'ccai', phone: '+14155550123', inject: () => ccai.control.failNext({ status: 429, message: 'Too many requests', on: 'create' }), status: 503, code: 'vendor-unavailable' },
    { name: 'CCAI 503', destination: 'ccai', phone: '+14155550123', inject: () => ccai.control.failNext({ status: 503, on: 'create' }), status: 503, code: 'vendor-unavailable' },
    { name: 'CCAI timeout', destination: 'ccai', phone: '+14155550123', inject: () => ccai.control.failNext({ delayMs: 900, on: 'create' }), status: 503, code: 'vendor-unavailable' },
    { name: 'CCAI 400 "agent is not available"', destination: 'ccai', phone: '+14155550123', inject: () => ccai.control.failNext({ status: 400, message: 'agent is not available', on: 'create' }), status: 409, code: 'no-agent-available' },
  ] as const;

  for (const row of rows) {
    it(`${row.name} -> ${row.status} ${row.code}; the same session can try again`, async () => {
      const token = await session(row.destination);
      row.inject();
      const refused = await start(token, row.phone);
      assert.equal(refused.status, row.status, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, row.code);
      assert.equal(typeof refused.body.error.message, 'string');
      const retried = await start(token, row.phone);
      assert.equal(retried.status, 201, JSON.stringify(retried.body));
      // The visitor hangs up: this also stops the call's upstream watcher (CCAI).
      assert.equal((await request('POST', `/calls/${retried.body.callId}/hangup`, { token })).status, 200);
      assert.deepEqual(unexpected, []);
    });
  }

  it('CCAI: call reads fail (503, garbage) while the call is live; the watcher retries and the visitor still sees it connect and end', async () => {
    ccai.control.scriptNextCall({ statuses: [['queued'], ['connected', 800], ['finished']] });
    const token = await session('ccai');
    const started = await start(token, '+14155550123');
    assert.equal(started.status, 201);
    ccai.control.failNext({ status: 503, on: 'get' }, 2);
    ccai.control.failNext({ malformed: true, on: 'get' }, 2);
    ccai.control.advance();
    const seen: Array<{ id: string; type: string }> = [];
    // Long polls of 50 ms each: bounded at 3 s.
    for (let i = 0; i < 60 && !seen.some((e) => e.type === 'ended'); i++) seen.push(...(await events(token, started.body.callId, seen.at(-1)?.id)));
    assert.deepEqual(seen.map((e) => e.type), ['queued', 'connected', 'ended']);
    assert.ok(ccai.requests.filter((r) => r.status === 503 && r.method === 'GET').length >= 2, 'the faults were served');
  });

  for (const [name, fault, times, code] of [
    ['a 404 (the call is gone)', { status: 404, message: 'resource not found', on: 'get' }, 1, 'call-not-found'],
    ['ten 503s in a row (maxPollFailures)', { status: 503, on: 'get' }, 10, 'vendor-unavailable'],
  ] as const) {
    it(`CCAI: the call cannot be read any more, ${name} -> failed ${code}: the visitor is told, not left waiting`, async () => {
      const token = await session('ccai');
      const started = await start(token, '+14155550123');
      assert.equal(started.status, 201);
      const seenQueued = await events(token, started.body.callId);
      assert.deepEqual(seenQueued.map((e) => e.type), ['queued']);
      ccai.control.failNext(fault, times);
      let last: Array<{ id: string; type: string; code?: string }> = [];
      // Long polls of 50 ms each: bounded at 3 s.
      for (let i = 0; i < 60 && last.length === 0; i++) last = await events(token, started.body.callId, seenQueued.at(-1)!.id);
      assert.deepEqual(last.map((e) => [e.type, e.code]), [['failed', code]]);
      assert.equal(unexpected.length, 1, 'the watcher failure is still reported to onError');
      unexpected.length = 0;
    });
  }

  // Clock skew on signed webhooks. udesk signs SHA1(AppId + Secret + Timestamp) and the
  // endpoint allows 300 s either way (webhookMaxSkewSeconds); the CTI feed signs
  // HMAC-SHA256(timestamp "." body), 300 s either way (maxSkewSeconds). Sarv signs nothing
  // (secret in the path) and CCAI's push uses Basic credentials: no timestamps to skew.
  // Already covered at the provider level: udesk.test.ts (301 s stale/future refused, the skew
  // from the config), cti.test.ts (past/future beyond the skew refused, inside accepted).

  const udeskCallback = (body: unknown, signedAtMs: number) => {
    const timestamp = String(Math.floor(signedAtMs / 1000));
    const sign = createHash('sha1').update(`${UDESK.appId}${UDESK.secret}${timestamp}`).digest('hex');
    return request('POST', `/webhooks/udesk?${new URLSearchParams({ Timestamp: timestamp, AppId: UDESK.appId, Sign: sign })}`, { body });
  };

  const ctiMessage = (id: string, event: string, nonce: string) =>
    JSON.stringify({ topic: 'InboundCall', subtopic: 'InboundCallStateChange', message: { call: { id, event, ResponseFields: { CurrentStateTime: nonce } } } });
  const ctiPost = (body: string, signedAtMs: number) => {
    const stamp = String(Math.floor(signedAtMs / 1000));
    const signature = createHmac('sha256', CTI_SECRET).update(`${stamp}.${body}`).digest('hex');
    return request('POST', '/webhooks/cti', { raw: body, headers: { 'x-c2c-timestamp': stamp, 'x-c2c-signature': signature } });
  };

  for (const [label, skewMs] of [['our clock 4 min behind the sender', -240_000], ['our clock 4 min ahead', 240_000]] as const) {
    it(`udesk webhook, ${label}: within 300 s accepted; 305 s stale or early refused (401), the call unaffected`, async () => {
      const token = await session('udesk');
      const started = await start(token, '+8613676546374');
      assert.equal(started.status, 201);
      const callId = started.body.callId as string;
      const vendorCallId = udesk.control.calls().at(-1)!.callId;
      clockSkewMs = skewMs;
      try {
        const ours = Date.now() + skewMs;
        // The sender's clock is right (Date.now()): 240 s from ours, inside the window.
        const fine = await udeskCallback({ evt: 'user_answer', call_id: vendorCallId, MsgId: `ok-${skewMs}` }, Date.now());
        assert.equal(fine.status, 200, JSON.stringify(fine.body));
        // Timestamps are whole seconds: 5 s past the window keeps the rounding out of the verdict.
        for (const signedAt of [ours - 305_000, ours + 305_000]) {
          const refused = await udeskCallback({ evt: 'user_hangup', call_id: vendorCallId, MsgId: `late-${signedAt}` }, signedAt);
          assert.equal(refused.status, 401, JSON.stringify(refused.body));
          assert.equal(refused.body.error.code, 'unauthorized');
        }
        const seen = await events(token, callId);
        assert.ok(seen.some((e) => e.type === 'connected'), JSON.stringify(seen));
        assert.ok(!seen.some((e) => e.type === 'ended'), 'the refused hang-up did not end the call');
      } finally {
        clockSkewMs = 0;
      }
    });
  }

  it('CTI webhook: 295 s old or early accepted; 305 s old or early refused (401) and not relayed', async () => {
    const token = await session('sarv');
    const started = await start(token, '+919876543210');
    assert.equal(started.status, 201);
    const callId = started.body.callId as string;
    const vendorCallId = sarv.calls().at(-1)!.callId;
    const now = Date.now();
    // Timestamps are whole seconds: 5 s either side of the window keeps the rounding out of it.
    for (const [offset, status] of [[-305_000, 401], [305_000, 401], [-295_000, 200], [295_000, 200]] as const) {
      const answer = await ctiPost(ctiMessage(vendorCallId, offset < 0 ? 'connecting' : 'connected', String(offset)), now + offset);
      assert.equal(answer.status, status, `${offset} ms: ${JSON.stringify(answer.body)}`);
      if (status === 401) assert.equal(answer.body.error.code, 'unauthorized');
    }
    const refusedEnd = await ctiPost(ctiMessage(vendorCallId, 'Dropped', 'late'), now - 400_000);
    assert.equal(refusedEnd.status, 401);
    const seen = await events(token, callId);
    assert.deepEqual(seen.map((e) => e.type), ['ringing', 'connected']);
  });
});
