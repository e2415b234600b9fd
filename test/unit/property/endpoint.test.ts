/**
 * (c) The real endpoint (createC2CHandler) fed arbitrary input from both sides:
 * - vendor webhooks (Sarv, udesk, CCAI, CTI) with arbitrary bodies, content types, methods and
 *   credentials (none, wrong, garbage, stale or future timestamps, valid), sent to a live call;
 * - Huawei's getClickToCallEvents answering anything while the endpoint relays a live call;
 * - browser requests with arbitrary bodies, headers, tokens, origins and paths.
 *
 * Properties: the endpoint never answers 500 and never reports an unexpected error; every
 * refusal is JSON `{error: {code, message}}` with a known code; a request without valid
 * credentials is refused as `unauthorized`; what the browser reads passes the protocol check;
 * and after any bad input the call is not lost: the next good vendor news still reaches it.
 */
import assert from 'node:assert/strict';
import { createHmac, createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { EventsResponse, SessionResponse } from '../../../src/protocol/index.ts';
import { createC2CHandler, type ClosableC2CHandler } from '../../../src/server/handler.ts';
import {
  answerLike,
  assertErrorAnswer,
  bounded,
  contentTypes,
  hugeString,
  NASTY_KEYS,
  params,
  rawBodyLike,
  startScripted,
  statuses,
  type Scripted,
  type ScriptedServer,
} from './arbitraries.ts';
import { CCAI, CTI, HUAWEI, SARV, UDESK } from './samples.ts';
import { NO_LIMITS } from '../server/rig.ts';

const ORIGIN = 'https://shop.example';
const SARV_SECRET = 'sarv-webhook-secret-0123456789abcdef';
const UDESK_KEYS = { appId: 'udesk-app-1', sid: 'sid-1', authToken: 'auth-token-1', secret: 'udesk-secret-1' };
const CCAI_PUSH = { pushUsername: 'c2c-push', pushPassword: 'push-password-1234' };
const CTI_SECRET = 'cti-shared-secret-0123456789';

type Vendor = 'sarv' | 'udesk' | 'ccai' | 'cti';
/** The vendor call id each sample names (CTI reports a call placed through Sarv). */
const VENDOR_CALL_ID: Record<Vendor, string> = { sarv: 'sarv-call-1', udesk: 'udesk-call-1', ccai: '515', cti: 'cti-call-1' };
const PHONE: Record<Exclude<Vendor, 'cti'>, string> = { sarv: '+919876543210', udesk: '+8613676546374', ccai: '+14155550123' };

interface Answer {
  status: number;
  text: string;
  contentType: string | null;
  json(): any;
}

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });

describe('property: the endpoint fed arbitrary input', () => {
  let vendor: ScriptedServer;
  let handler: ClosableC2CHandler;
  const unexpected: unknown[] = [];
  /** What Huawei's getClickToCallEvents answers next (others answer their documented samples). */
  let huaweiEvents: Scripted = { status: 200, contentType: 'application/json', body: JSON.stringify(HUAWEI.getClickToCallEvents[5]) };
  let sarvCallId = VENDOR_CALL_ID.sarv;
  let nonce = 0;
  // udesk logs the bodies it ignores on console.warn; hundreds of them would drown the report.
  const consoleWarn = console.warn;
  let ignoredWarnings = 0;

  before(async () => {
    console.warn = () => void ignoredWarnings++;
    vendor = await startScripted();
    const json = (body: unknown): Scripted => ({ status: 200, contentType: 'application/json;charset=UTF-8', body: JSON.stringify(body) });
    vendor.answer((request) => {
      const name = request.path.slice(request.path.lastIndexOf('/') + 1);
      if (request.path === '/v2/clickToCall/para') return json({ callid: sarvCallId, status: 'success', code: '200' });
      if (request.path === '/ccapi/v2/originatev2') return json({ code: '000000', message: 'success', results: VENDOR_CALL_ID.udesk });
      if (request.path.startsWith('/apps/api/v1/calls')) return json({ id: 515, status: 'queued' });
      if (name === 'getClickToCallEvents') return huaweiEvents;
      if (name in HUAWEI) return json(HUAWEI[name as keyof typeof HUAWEI][0]);
      return { status: 404, contentType: 'text/plain', body: 'no such path' };
    });
    handler = createC2CHandler(
      {
        allowedOrigins: [ORIGIN],
        limits: NO_LIMITS,
        destinations: {
          sarv: { provider: 'sarv', to: '101', toType: 'Agent' },
          udesk: { provider: 'udesk', agentId: '10032', caller: '057126200670', calledDisplay: '057126200670' },
          ccai: { provider: 'ccai', menuId: 9, lang: 'en' },
          huawei: { provider: 'huawei' },
        },
        providers: {
          huawei: { baseUrl: vendor.url, appKey: 'ak', appSecret: 'sk', channelId: 'ch' },
          sarv: { baseUrl: vendor.url, userId: '42', token: 'sarv-token', webhookSecret: SARV_SECRET },
          udesk: { baseUrl: vendor.url, ...UDESK_KEYS },
          ccai: { baseUrl: vendor.url, companyKey: 'ck', companySecret: 'cs', pollIntervalMs: 60_000, maxRequestsPerSecond: 1000, ...CCAI_PUSH },
          cti: { secret: CTI_SECRET },
        },
      },
      {
        longPollMs: 5,
        onError: (error) => void unexpected.push(error),
        providerOptions: { huawei: { requestTimeoutMs: 2000, eventsTimeoutMs: 2000 } },
      },
    );
  });

  after(async () => {
    console.warn = consoleWarn;
    handler.close();
    await vendor.close();
  });

  async function send(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    const request = new Request(`http://endpoint.test${path}`, {
      method,
      headers: init.headers ?? {},
      ...(init.body === undefined || method === 'GET' || method === 'HEAD' ? {} : { body: init.body }),
    });
    const response = await bounded(handler(request), 8000, `${method} ${path}`);
    const text = await bounded(response.text(), 8000, `body of ${method} ${path}`);
    return {
      status: response.status,
      text,
      contentType: response.headers.get('content-type'),
      json: () => JSON.parse(text),
    };
  }

  const browser = (token?: string): Record<string, string> => ({
    origin: ORIGIN,
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });

  async function startCall(destination: Exclude<Vendor, 'cti'> | 'huawei', phone?: string): Promise<{ token: string; callId: string }> {
    const session = await send('POST', '/session', { headers: browser(), body: JSON.stringify({ destination }) });
    assert.equal(session.status, 201, session.text);
    const token = SessionResponse.parse(session.json()).token;
    const started = await send('POST', '/calls', { headers: browser(token), body: JSON.stringify(phone ? { phone } : {}) });
    assert.equal(started.status, 201, started.text);
    return { token, callId: started.json().callId as string };
  }

  /** GET events: 200 with a protocol-valid list, or a typed refusal. */
  async function events(token: string, callId: string, after?: string): Promise<{ id: string; type: string }[] | null> {
    const answer = await send('GET', `/calls/${encodeURIComponent(callId)}/events${after ? `?after=${encodeURIComponent(after)}` : ''}`, { headers: browser(token) });
    if (answer.status !== 200) {
      assertErrorAnswer(answer.status, answer.text, answer.contentType);
      return null;
    }
    const checked = EventsResponse.safeParse(answer.json());
    assert.ok(checked.success, `events answer breaks the protocol: ${answer.text.slice(0, 300)}`);
    return checked.data.events;
  }

  // -------------------------------------------------------------------------------------------
  // Webhooks

  type Auth = 'valid' | 'valid-ms' | 'none' | 'wrong' | 'garbage' | 'stale' | 'future' | 'edge-inside';
  const VALID_AUTH: ReadonlySet<Auth> = new Set(['valid', 'valid-ms', 'edge-inside']);

  function signed(vendorName: Vendor, auth: Auth, body: string, garbage: string): { path: string; headers: Record<string, string> } {
    const now = Date.now();
    const skew = auth === 'stale' ? -301_000 : auth === 'future' ? 301_000 : auth === 'edge-inside' ? -290_000 : 0;
    switch (vendorName) {
      case 'sarv': {
        const secret = auth === 'wrong' ? `${SARV_SECRET}x` : auth === 'garbage' ? garbage : auth === 'none' ? '' : SARV_SECRET;
        // The secret rides in the path, or as ?token= (valid-ms stands for the query form here).
        if (auth === 'valid-ms') return { path: `/webhooks/sarv?token=${encodeURIComponent(secret)}`, headers: {} };
        return { path: `/webhooks/sarv${secret === '' ? '' : `/${encodeURIComponent(secret)}`}`, headers: {} };
      }
      case 'udesk': {
        const at = now + skew;
        const timestamp = auth === 'valid-ms' ? String(at) : String(Math.floor(at / 1000));
        const appId = auth === 'wrong' ? 'another-app' : UDESK_KEYS.appId;
        const sign = createHash('sha1').update(`${appId}${UDESK_KEYS.secret}${timestamp}`).digest('hex');
        if (auth === 'none') return { path: '/webhooks/udesk', headers: {} };
        if (auth === 'garbage') return { path: `/webhooks/udesk?Timestamp=${encodeURIComponent(garbage)}&AppId=${encodeURIComponent(garbage)}&Sign=${encodeURIComponent(garbage)}`, headers: {} };
        return { path: `/webhooks/udesk?${new URLSearchParams({ Timestamp: timestamp, AppId: appId, Sign: sign })}`, headers: {} };
      }
      case 'ccai': {
        if (auth === 'none') return { path: '/webhooks/ccai', headers: {} };
        const pair = auth === 'wrong' ? `${CCAI_PUSH.pushUsername}:nope` : `${CCAI_PUSH.pushUsername}:${CCAI_PUSH.pushPassword}`;
        const value = auth === 'garbage' ? garbage : `Basic ${Buffer.from(pair).toString('base64')}`;
        return { path: '/webhooks/ccai', headers: { authorization: value } };
      }
      case 'cti': {
        if (auth === 'none') return { path: '/webhooks/cti', headers: {} };
        const stamp = String(Math.floor((now + skew) / 1000));
        const signature = createHmac('sha256', auth === 'wrong' ? `${CTI_SECRET}x` : CTI_SECRET).update(`${stamp}.${body}`).digest('hex');
        if (auth === 'garbage') return { path: '/webhooks/cti', headers: { 'x-c2c-timestamp': garbage, 'x-c2c-signature': garbage } };
        return { path: '/webhooks/cti', headers: { 'x-c2c-timestamp': stamp, 'x-c2c-signature': signature } };
      }
    }
  }

  /** Whether `auth` is refused for this vendor (Sarv and CCAI carry no timestamp). */
  function refused(vendorName: Vendor, auth: Auth): boolean {
    if (VALID_AUTH.has(auth)) return false;
    if ((auth === 'stale' || auth === 'future') && (vendorName === 'sarv' || vendorName === 'ccai')) return false;
    return true;
  }

  const SAMPLE_BODIES: Record<Vendor, readonly unknown[]> = { sarv: SARV.report, udesk: UDESK.callback, ccai: CCAI.push, cti: CTI.message };

  /** A good, final piece of news for the call, unique per use. */
  function finalNews(vendorName: Vendor): string {
    const n = ++nonce;
    switch (vendorName) {
      case 'sarv':
        return JSON.stringify({ ...SARV.report[0], callId: VENDOR_CALL_ID.sarv });
      case 'udesk':
        return JSON.stringify({ evt: 'user_hangup', call_id: VENDOR_CALL_ID.udesk, MsgId: `final-${n}` });
      case 'ccai':
        return JSON.stringify({ count: 1, events: [{ event_id: `final-${n}`, item: { call_id: 515, state: 'disconnected', connected_at: '2025-01-01T10:00:00Z' } }] });
      case 'cti':
        return JSON.stringify({ topic: 'InboundCall', subtopic: 'InboundCallStateChange', message: { call: { id: VENDOR_CALL_ID.cti, event: 'Dropped', nonce: n } } });
    }
  }

  const webhookCase = fc
    .constantFrom<Vendor>('sarv', 'udesk', 'ccai', 'cti')
    .chain((v) =>
      fc.record({
        vendor: fc.constant(v),
        body: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...SAMPLE_BODIES[v]).map((b) => JSON.stringify(b)) }, { weight: 4, arbitrary: rawBodyLike(SAMPLE_BODIES[v]) }),
        auth: fc.constantFrom<Auth>('valid', 'valid', 'valid', 'valid-ms', 'edge-inside', 'none', 'wrong', 'garbage', 'stale', 'future'),
        garbage: fc.oneof(printable, fc.constantFrom('', ' ', '0', 'Basic', 'Basic ===', `Basic ${'A'.repeat(5000)}`, 'a'.repeat(64), '9'.repeat(12), ...NASTY_KEYS)),
        contentType: contentTypes,
        method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
      }),
    );

  it('webhooks: typed answers, unauthorized without credentials, and the call still ends on the next good news', async () => {
    let accepted = 0;
    let rescued = 0;
    await fc.assert(
      fc.asyncProperty(webhookCase, async (c) => {
        sarvCallId = c.vendor === 'cti' ? VENDOR_CALL_ID.cti : VENDOR_CALL_ID.sarv;
        const call = await startCall(c.vendor === 'cti' ? 'sarv' : c.vendor, PHONE[c.vendor === 'cti' ? 'sarv' : c.vendor]);
        const { path, headers } = signed(c.vendor, c.auth, c.method === 'GET' ? '' : c.body, c.garbage);
        const answer = await send(c.method, path, { headers: { ...headers, ...(c.contentType ? { 'content-type': c.contentType } : {}) }, body: c.body });

        assert.deepEqual(unexpected, [], 'no unexpected error reached onError');
        if (answer.status >= 400) assertErrorAnswer(answer.status, answer.text, answer.contentType);
        else assert.equal(answer.status, 200, answer.text);
        if (refused(c.vendor, c.auth)) {
          assert.equal(answer.status, 401, `${c.vendor} accepted auth '${c.auth}': ${answer.text}`);
          assert.equal(answer.json().error.code, 'unauthorized');
        }
        if (answer.status === 200) accepted++;

        // What the browser reads is valid; and the call is not lost: good news still gets through.
        const seen = await events(call.token, call.callId);
        assert.ok(seen !== null, 'the call is still readable');
        if (seen.some((e) => ['ended', 'failed', 'scheduled'].includes(e.type))) return;
        const good = finalNews(c.vendor);
        const goodAuth = signed(c.vendor, 'valid', good, '');
        const delivered = await send('POST', goodAuth.path, { headers: { ...goodAuth.headers, 'content-type': 'application/json' }, body: good });
        assert.equal(delivered.status, 200, `good news refused after bad input: ${delivered.text}`);
        const next = await events(call.token, call.callId, seen.at(-1)?.id);
        assert.ok(next?.some((e) => e.type === 'ended' || e.type === 'failed'), `the call did not end after good news: ${JSON.stringify({ seen, next })}`);
        rescued++;
      }),
      params(200),
    );
    assert.ok(accepted > 40, `only ${accepted} webhooks were accepted`);
    assert.ok(rescued > 40, `only ${rescued} calls were checked after bad input`);
  });

  it('webhooks to unknown vendors, unknown methods and odd paths are typed refusals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom('huawei', 'nope', '', '%', '%E0%A4%A', '..', ...NASTY_KEYS), printable.map(encodeURIComponent)),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.string({ maxLength: 200 }),
        async (name, method, body) => {
          const answer = await send(method, `/webhooks/${name}`, { headers: { 'content-type': 'application/json' }, body });
          assert.deepEqual(unexpected, []);
          if (answer.status >= 400) assertErrorAnswer(answer.status, answer.text, answer.contentType);
          else assert.fail(`accepted a webhook for '${name}' (${method}): ${answer.status} ${answer.text}`);
        },
      ),
      params(150),
    );
  });

  // -------------------------------------------------------------------------------------------
  // Huawei relayed

  it('Huawei: any getClickToCallEvents answer is relayed as valid events or a typed refusal, and the call goes on', async () => {
    let relayed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...HUAWEI.getClickToCallEvents).map((b): Scripted => ({ status: 200, contentType: 'application/json', body: JSON.stringify(b) })) },
          { weight: 12, arbitrary: fc.record({ status: statuses, contentType: contentTypes, body: rawBodyLike(HUAWEI.getClickToCallEvents) }) as fc.Arbitrary<Scripted> },
          { weight: 1, arbitrary: fc.constant('reset' as const) },
        ),
        async (reply) => {
          const call = await startCall('huawei');
          huaweiEvents = reply;
          const first = await events(call.token, call.callId);
          assert.deepEqual(unexpected, [], 'no unexpected error reached onError');
          if (first !== null) relayed++;
          if (first?.some((e) => e.type === 'ended' || e.type === 'failed')) return;
          // The next answer is good news: the call still hears it.
          huaweiEvents = { status: 200, contentType: 'application/json', body: JSON.stringify({ resultCode: '0', resultDesc: 'Call disconnected', eventId: `final-${++nonce}` }) };
          const next = await events(call.token, call.callId, first?.at(-1)?.id);
          assert.ok(next?.some((e) => e.type === 'ended'), `the call did not end after good news: ${JSON.stringify({ first, next })}`);
        },
      ),
      params(150),
    );
    assert.ok(relayed > 20, `only ${relayed} answers were relayed`);
  });

  // -------------------------------------------------------------------------------------------
  // Browser requests

  it('browser routes: arbitrary bodies, tokens, origins and paths get typed answers, never a 500', async () => {
    const live = await startCall('sarv', PHONE.sarv);
    const route = fc.oneof(
      fc.constant({ method: 'POST', path: '/session' }),
      fc.constant({ method: 'POST', path: '/calls' }),
      fc.constant({ method: 'GET', path: `/calls/${live.callId}/events` }),
      fc.constant({ method: 'POST', path: `/calls/${live.callId}/hangup` }),
      fc.constantFrom('sarv', 'ccai', '', '__proto__', 'constructor', '%E0%A4%A', 'x'.repeat(500)).map((d) => ({ method: 'GET', path: `/slots?destination=${d}` })),
      fc.oneof(printable, fc.constantFrom('%', '%E0%A4%A', '..%2F..', '__proto__')).chain((id) =>
        fc.constantFrom({ method: 'GET', path: `/calls/${id}/events?after=${id}` }, { method: 'POST', path: `/calls/${id}/hangup` }),
      ),
      fc.constantFrom('/', '//session', '/session/', '/calls/', '/health?x=%', '/%', '/session%00').map((path) => ({ method: 'POST', path })),
    );
    const token = fc.oneof(
      fc.constant(undefined),
      fc.constant(live.token),
      fc.constantFrom('short', 'A'.repeat(16), 'A'.repeat(129), `${live.token} `, 'Bearer'),
      printable,
    );
    const body = fc.oneof(
      answerLike([{ destination: 'sarv', mode: 'callback', locale: 'en' }, { destination: 'huawei', mode: 'webrtc', locale: 'zh_CN' }, { phone: '+919876543210' }, { phone: '+14155550123', scheduledAt: '2031-01-01T10:00:00Z' }]).map(
        (v) => JSON.stringify(v) ?? '',
      ),
      rawBodyLike([{ destination: 'sarv' }]),
      hugeString.map((s) => JSON.stringify({ destination: s })),
    );
    const origin = fc.constantFrom<string | undefined>(ORIGIN, ORIGIN, undefined, 'https://evil.example', 'null', 'https://shop.example.evil', '%', 'HTTPS://SHOP.EXAMPLE:443');
    let succeeded = 0;
    await fc.assert(
      fc.asyncProperty(route, token, body, origin, contentTypes, async (r, t, b, o, ct) => {
        const headers: Record<string, string> = {};
        if (o !== undefined) headers.origin = o;
        if (t !== undefined) headers.authorization = `Bearer ${t}`;
        if (ct) headers['content-type'] = ct;
        const answer = await send(r.method, r.path, { headers, body: b });
        assert.deepEqual(unexpected, [], 'no unexpected error reached onError');
        if (answer.status >= 400) assertErrorAnswer(answer.status, answer.text, answer.contentType);
        else {
          assert.ok([200, 201].includes(answer.status), `odd status ${answer.status}`);
          succeeded++;
        }
      }),
      params(300),
    );
    assert.ok(succeeded > 10, `only ${succeeded} requests succeeded`);
  });
});
