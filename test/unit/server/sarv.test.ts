/**
 * The Sarv provider against the real Sarv simulator over HTTP: the documented query string,
 * every class of the error table, vendor faults, and the Push Report webhook, alone and end to
 * end (simulator -> a small HTTP receiver -> provider.webhook).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  SARV_SIM_CALL_STATUS,
  SARV_SIM_ERRORS,
  SARV_SIM_PATH,
  startSarvSimulator,
  type SarvSimulator,
} from '../../../src/sandbox/sarv-simulator.ts';
import { C2CError, type VendorEvent, type WebhookRequest } from '../../../src/server/provider.ts';
import { SARV_ERRORS, SarvConfig, SarvProvider, type SarvConfigInput, type SarvDestinationInput } from '../../../src/server/providers/sarv.ts';

const USER_ID = '89130240';
const TOKEN = 'sarv-campaign-token-6GQJuw';
const SECRET = 'whsec-9f1c2b7a4e6d8c0b3a5f7e9d1c3b5a7f';
const VISITOR = '+919876543210';
const DEST: SarvDestinationInput = { to: '9123456780', toType: 'Number' };

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<C2CError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof C2CError, `expected a C2CError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a C2CError ${code}, but it resolved`);
}

function webhookRequest(init: Partial<WebhookRequest> & { body: string }): WebhookRequest {
  return { method: 'POST', path: `/${SECRET}`, query: {}, headers: { 'content-type': 'application/json' }, ...init };
}

describe('SarvProvider against the Sarv simulator', () => {
  let sim: SarvSimulator;
  let provider: SarvProvider;
  const make = (extra: Partial<SarvConfigInput> = {}) =>
    new SarvProvider(SarvConfig.parse({ baseUrl: sim.url, userId: USER_ID, token: TOKEN, webhookSecret: SECRET, requestTimeoutMs: 2_000, ...extra }));
  const start = (destination: SarvDestinationInput = DEST, phone = VISITOR, p = provider) => p.startCall({ destination: { ...destination }, phone });
  const lastRequest = () => {
    const entry = sim.requests.at(-1);
    assert.ok(entry, 'the simulator saw a request');
    return entry;
  };

  before(async () => {
    sim = await startSarvSimulator({
      userId: USER_ID,
      token: TOKEN,
      agents: [
        { id: '101', available: true, number: '919800000101' },
        { id: '102', available: false },
      ],
      groups: { '11': ['101'] },
      dndNumbers: ['+919811111111'],
      script: { ringMs: 5 },
    });
    provider = make();
  });
  after(() => sim.close());

  describe('startCall', () => {
    it('success with `callid` (the seed) gives the call id and a ringing event', async () => {
      const result = await start();
      const call = sim.calls().at(-1);
      assert.ok(call);
      assert.equal(result.vendorCallId, call.callId);
      assert.deepEqual(result.events?.map((e) => [e.type, e.vendorCallId]), [['ringing', call.callId]]);
      assert.match(lastRequest().responseBody, /"callid":/);
    });

    it('success with `callId` (what integrators read) works the same', async () => {
      sim.control.scriptNextCall({ callIdKey: 'callId', ringMs: 5 });
      const result = await start();
      assert.match(lastRequest().responseBody, /"callId":/);
      assert.equal(result.vendorCallId, sim.calls().at(-1)?.callId);
    });

    it('sends the documented query string: POST, no body, user_id/token/from/to/fromType/toType', async () => {
      await start();
      const entry = lastRequest();
      assert.equal(entry.method, 'POST');
      assert.equal(entry.path, SARV_SIM_PATH);
      assert.equal(entry.body, '');
      assert.deepEqual(entry.params, [
        ['user_id', USER_ID],
        ['token', TOKEN],
        ['from', '919876543210'],
        ['to', '9123456780'],
        ['fromType', 'Number'],
        ['toType', 'Number'],
      ]);
      assert.equal(entry.status, 200);
    });

    it('sends the optional parameters under their documented names (timeLimtAlert included)', async () => {
      await start({
        to: '11',
        toType: 'Group',
        toStrategy: 'TO_ALL',
        fromRingTime: 25,
        toRingTime: 50,
        timeLimit: 600,
        timeLimitHangup: true,
        timeLimitAlert: [120, 300],
        alertAudio: '1610448601_84.wav',
        ringTone: '1610448601_85.wav',
        fromRetryCount: 1,
        toRetryCount: 3,
        queueTimeout: 45,
      });
      const entry = lastRequest();
      assert.equal(entry.status, 200, entry.responseBody);
      assert.deepEqual(Object.fromEntries(entry.params), {
        user_id: USER_ID,
        token: TOKEN,
        from: '919876543210',
        to: '11',
        fromType: 'Number',
        toType: 'Group',
        toStrategy: 'TO_ALL',
        fromRingTime: '25',
        toRingTime: '50',
        timeLimit: '600',
        timeLimitHangup: 'true',
        timeLimtAlert: '120,300',
        alertAudio: '1610448601_84.wav',
        ringTone: '1610448601_85.wav',
        fromRetryCount: '1',
        toRetryCount: '3',
        queueTimeout: '45',
      });
    });

    it('numberFormat: digits (default), e164 (+ encoded as %2B), national, and a per-destination override', async () => {
      const cases = [
        { format: undefined, expected: '919876543210' },
        { format: 'e164', expected: '+919876543210' },
        { format: 'national', expected: '9876543210' },
      ] as const;
      for (const { format, expected } of cases) {
        await start(DEST, VISITOR, format ? make({ numberFormat: format }) : provider);
        const entry = lastRequest();
        assert.equal(entry.status, 200);
        assert.equal(entry.params.find(([k]) => k === 'from')?.[1], expected);
        if (format === 'e164') assert.match(entry.search, /from=%2B919876543210/);
      }
      await start({ ...DEST, numberFormat: 'national' }, VISITOR, make({ numberFormat: 'e164' }));
      assert.equal(lastRequest().params.find(([k]) => k === 'from')?.[1], '9876543210');
    });

    it('an account that refuses a number form: 1508 -> invalid-phone-number', async () => {
      const strict = await startSarvSimulator({ userId: USER_ID, token: TOKEN, acceptedNumberForms: ['national'] });
      try {
        const p = new SarvProvider(SarvConfig.parse({ baseUrl: strict.url, userId: USER_ID, token: TOKEN, numberFormat: 'e164' }));
        const error = await rejectsWith(start(DEST, VISITOR, p), 'invalid-phone-number', /1508/);
        assert.equal(error.status, 400);
        const ok = new SarvProvider(SarvConfig.parse({ baseUrl: strict.url, userId: USER_ID, token: TOKEN, numberFormat: 'national' }));
        assert.ok((await start(DEST, VISITOR, ok)).vendorCallId);
      } finally {
        await strict.close();
      }
    });

    it('invalid visitor number (the simulator validates it): 1508 -> invalid-phone-number', async () => {
      // A US number in national form is not an Indian mobile in any form.
      await rejectsWith(start(DEST, '+12025550123', make({ numberFormat: 'national' })), 'invalid-phone-number', /1508/);
    });

    it('the visitor typed the destination number: 1520 -> invalid-phone-number', async () => {
      await rejectsWith(start({ to: '919876543210', toType: 'Number' }), 'invalid-phone-number', /1520/);
    });

    it('invalid destination number: 1509 -> vendor-rejected (a configuration problem, not the visitor)', async () => {
      await rejectsWith(start({ to: '12345', toType: 'Number' }), 'vendor-rejected', /configuration.*1509/);
    });

    it('agent not available / unknown agent / unknown group', async () => {
      await rejectsWith(start({ to: '102', toType: 'Agent' }), 'no-agent-available', /1579/);
      await rejectsWith(start({ to: '999', toType: 'Agent' }), 'vendor-rejected', /1513/);
      await rejectsWith(start({ to: '77', toType: 'Group' }), 'vendor-rejected', /1519/);
      sim.control.scriptNextCall({ errorCode: 1544 });
      await rejectsWith(start({ to: '11', toType: 'Group' }), 'no-agent-available', /1544/);
    });

    it('DND: the visitor (1573) and the destination (1574) get vendor-rejected with a message that says which', async () => {
      await rejectsWith(start(DEST, '+919811111111'), 'vendor-rejected', /Your phone number is registered as Do Not Disturb.*1573/);
      sim.control.scriptNextCall({ errorCode: 1574 });
      await rejectsWith(start(), 'vendor-rejected', /destination number .* Do Not Disturb.*1574/);
    });

    it('auth: wrong token (1020) and wrong user id (1013) -> vendor-rejected for the site owner, no secret in the message', async () => {
      const badToken = await rejectsWith(start(DEST, VISITOR, make({ token: 'not-the-token' })), 'vendor-rejected', /credentials.*1020/);
      assert.doesNotMatch(badToken.message, /not-the-token|sarv-campaign-token/);
      assert.match(lastRequest().responseBody, /"code":"1020"/);
      await rejectsWith(start(DEST, VISITOR, make({ userId: '1' })), 'vendor-rejected', /credentials.*1013/);
    });

    it('unknown code -> vendor-rejected; 1501 connection issue -> vendor-unavailable', async () => {
      sim.control.scriptNextCall({ errorCode: 9999 });
      await rejectsWith(start(), 'vendor-rejected', /9999/);
      sim.control.scriptNextCall({ errorCode: 1501 });
      await rejectsWith(start(), 'vendor-unavailable', /1501/);
    });

    it('every code of the table maps to its class', async () => {
      const expected: Record<string, string> = {
        auth: 'vendor-rejected',
        'visitor-number': 'invalid-phone-number',
        'no-agent': 'no-agent-available',
        'dnd-from': 'vendor-rejected',
        'dnd-to': 'vendor-rejected',
        unavailable: 'vendor-unavailable',
        config: 'vendor-rejected',
      };
      const codes = Object.keys(SARV_SIM_ERRORS);
      assert.equal(codes.length, 89); // 1002, 1013, 1014, 1020 and 1501-1585
      assert.deepEqual(Object.keys(SARV_ERRORS).sort(), codes.sort());
      for (const code of codes) {
        const [kind, meaning] = SARV_ERRORS[code]!;
        assert.equal(meaning, SARV_SIM_ERRORS[Number(code)], `meaning of ${code}`);
        sim.control.scriptNextCall({ errorCode: Number(code) });
        await rejectsWith(start(), expected[kind]!, new RegExp(code));
      }
    });

    it('ring time above 50: the simulator answers 1551; the destination schema refuses it first', async () => {
      const q = new URLSearchParams({ user_id: USER_ID, token: TOKEN, from: '9876543210', to: '9123456780', toRingTime: '51' });
      const answer = await fetch(`${sim.url}${SARV_SIM_PATH}?${q}`, { method: 'POST' });
      assert.deepEqual(await answer.json(), { message: 'crossed maximum limit of toRingTime', status: 'error', code: '1551' });
      await rejectsWith(start({ ...DEST, toRingTime: 51 } as SarvDestinationInput), 'internal-error', /toRingTime/);
    });

    it('missing credentials and parameters answer the documented codes (raw requests)', async () => {
      const post = async (params: Record<string, string>) => {
        const response = await fetch(`${sim.url}${SARV_SIM_PATH}?${new URLSearchParams(params)}`, { method: 'POST' });
        return ((await response.json()) as { code: string }).code;
      };
      assert.equal(await post({}), '1002');
      assert.equal(await post({ user_id: USER_ID }), '1014');
      assert.equal(await post({ user_id: USER_ID, token: TOKEN }), '1521');
      assert.equal(await post({ user_id: USER_ID, token: TOKEN, to: '9123456780' }), '1506');
      assert.equal(await post({ user_id: USER_ID, token: TOKEN, from: '9876543210' }), '1507');
      assert.equal(await post({ user_id: USER_ID, token: TOKEN, from: '9876543210', to: '9123456780', fromType: 'Robot' }), '1503');
      assert.equal(await post({ user_id: USER_ID, token: TOKEN, from: '9876543210', to: '9123456780', fromRingTime: '-1' }), '1525');
      assert.equal(await post({ user_id: USER_ID, token: TOKEN, from: '9876543210', to: '9123456780', toStrategy: 'RANDOM' }), '1523');
    });

    it('timeout -> vendor-unavailable, without waiting for the slow answer', async () => {
      sim.control.failNext({ delayMs: 1_500 });
      const started = Date.now();
      await rejectsWith(start(DEST, VISITOR, make({ requestTimeoutMs: 200 })), 'vendor-unavailable', /within 200 ms/);
      assert.ok(Date.now() - started < 1_200);
    });

    it('HTTP 500 (HTML) -> vendor-unavailable; 502 with a Sarv body -> mapped code; garbage -> invalid-response', async () => {
      sim.control.failNext({ status: 500 });
      await rejectsWith(start(), 'vendor-unavailable', /HTTP 500/);
      sim.control.failNext({ status: 502, body: '{"message":"Connection Issue","status":"error","code":"1501"}' });
      await rejectsWith(start(), 'vendor-unavailable', /1501/);
      sim.control.failNext({ malformed: true });
      await rejectsWith(start(), 'invalid-response', /malformed JSON/);
    });

    it('unreachable host -> vendor-unavailable', async () => {
      const closed = await startSarvSimulator();
      const url = closed.url;
      await closed.close();
      await rejectsWith(start(DEST, VISITOR, make({ baseUrl: url })), 'vendor-unavailable', /could not be reached/);
    });

    it('a caller abort cancels the request', async () => {
      sim.control.failNext({ delayMs: 1_000 });
      const controller = new AbortController();
      const pending = provider.startCall({ destination: { ...DEST }, phone: VISITOR, signal: controller.signal });
      controller.abort();
      await rejectsWith(pending, 'vendor-unavailable', /cancelled/);
    });

    it('scheduling is not supported; hangup has nothing to drop', async () => {
      assert.equal(provider.canSchedule, false);
      await rejectsWith(provider.startCall({ destination: { ...DEST }, phone: VISITOR, scheduledAt: '2030-01-01T10:00:00Z' }), 'not-supported');
      assert.deepEqual(await provider.hangup('anything'), { dropped: false });
    });
  });

  describe('webhook (Push Report)', () => {
    const answered = {
      callId: 'kn5skxr6161770885161627785',
      callStatus: 1,
      cType: 'CTC',
      DID: null,
      campId: -1,
      ivrSTime: '2025-03-01 10:00:00',
      ivrETime: '2025-03-01 10:01:10',
      ivrDuration: 70,
      userId: USER_ID,
      cNumber: '919123456780',
      masterNumCTC: '919876543210',
      masterAgent: 0,
      masterAgentNumber: null,
      masterGroupId: 0,
      firstAttended: 'Customer',
      firstAnswerTime: '2025-03-01 10:00:08',
      lastHangupTime: '2025-03-01 10:01:10',
    };
    const notAnswered = { ...answered, callStatus: 2, cNumber: null, masterNumCTC: null, firstAttended: null, firstAnswerTime: null };

    it('good secret in the path, JSON body -> ended/completed, GODBLESSYOU', async () => {
      const result = await provider.webhook(webhookRequest({ body: JSON.stringify(answered) }));
      assert.deepEqual(result.reply, { status: 200, body: 'GODBLESSYOU', contentType: 'text/plain' });
      assert.equal(result.events.length, 1);
      const [event] = result.events;
      assert.equal(event?.type, 'ended');
      assert.equal(event?.reason, 'completed');
      assert.equal(event?.vendorCallId, answered.callId);
      // 10:01:10 IST = 04:31:10 UTC.
      assert.equal(event?.occurredAt, Date.UTC(2025, 2, 1, 4, 31, 10));
    });

    it('good secret as ?token=, form-encoded push_report -> the same event', async () => {
      const body = new URLSearchParams({ push_report: JSON.stringify(answered) }).toString();
      const result = await provider.webhook(
        webhookRequest({ path: '', query: { token: SECRET }, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }),
      );
      assert.deepEqual(result.events.map((e) => [e.type, e.reason, e.vendorCallId]), [['ended', 'completed', answered.callId]]);
      assert.equal(result.reply.body, 'GODBLESSYOU');
    });

    it('visitor did not answer -> failed/call-failed with a plain message', async () => {
      const { events } = await provider.webhook(webhookRequest({ body: JSON.stringify(notAnswered) }));
      assert.equal(events[0]?.type, 'failed');
      assert.equal(events[0]?.code, 'call-failed');
      assert.equal(events[0]?.message, 'We called your phone, but the call was not answered.');
    });

    it('visitor answered, nobody at the destination did -> failed/no-agent-available', async () => {
      const report = { ...answered, callStatus: 4, cNumber: null };
      const { events } = await provider.webhook(webhookRequest({ body: JSON.stringify(report) }));
      assert.deepEqual([events[0]?.type, events[0]?.code], ['failed', 'no-agent-available']);
    });

    it('busy: only when the site owner maps the callStatus (meanings are unpublished), or a textual status [inf]', async () => {
      const busy = { ...notAnswered, callStatus: SARV_SIM_CALL_STATUS.busy };
      const plain = await provider.webhook(webhookRequest({ body: JSON.stringify(busy) }));
      assert.equal(plain.events[0]?.reason, 'no-answer');
      const mapped = await make({ callStatusMeanings: { '3': 'busy' } }).webhook(webhookRequest({ body: JSON.stringify(busy) }));
      assert.deepEqual([mapped.events[0]?.type, mapped.events[0]?.code, mapped.events[0]?.reason], ['failed', 'call-failed', 'busy']);
      assert.match(mapped.events[0]?.message ?? '', /busy/);
      const textual = await provider.webhook(webhookRequest({ body: JSON.stringify({ ...answered, callStatus: 'BUSY' }) }));
      assert.equal(textual.events[0]?.reason, 'busy');
    });

    it('a report with only talk time (no answer fields) -> ended when talk time > 0', async () => {
      const { events } = await provider.webhook(webhookRequest({ body: JSON.stringify({ callId: 'x1', cType: 'CTC', talkDuration: 12 }) }));
      assert.equal(events[0]?.type, 'ended');
      const none = await provider.webhook(webhookRequest({ body: JSON.stringify({ callId: 'x2', cType: 'CTC', talkDuration: 0 }) }));
      assert.equal(none.events[0]?.type, 'failed');
    });

    it('empty body (activation check), empty push_report and other call types: no events, still GODBLESSYOU', async () => {
      for (const [body, type] of [
        ['', 'application/json'],
        ['push_report={}', 'application/x-www-form-urlencoded'],
        ['push_report=', 'application/x-www-form-urlencoded'],
        [JSON.stringify({ ...answered, cType: 'IBD' }), 'application/json'],
      ] as const) {
        const result = await provider.webhook(webhookRequest({ body, headers: { 'content-type': type } }));
        assert.deepEqual(result.events, [], body);
        assert.equal(result.reply.body, 'GODBLESSYOU');
      }
    });

    it('bad, missing or unconfigured secret -> unauthorized', async () => {
      const body = JSON.stringify(answered);
      await rejectsWith(provider.webhook(webhookRequest({ path: '/wrong', body })), 'unauthorized');
      await rejectsWith(provider.webhook(webhookRequest({ path: `/${SECRET}x`, body })), 'unauthorized');
      await rejectsWith(provider.webhook(webhookRequest({ path: '', body })), 'unauthorized');
      await rejectsWith(provider.webhook(webhookRequest({ path: '', query: { token: 'nope' }, body })), 'unauthorized');
      await rejectsWith(make({ webhookSecret: undefined }).webhook(webhookRequest({ body })), 'unauthorized', /webhookSecret/);
      assert.throws(() => SarvConfig.parse({ userId: 'u', token: 't', webhookSecret: 'short' }), /32/);
    });

    it('malformed reports -> a typed invalid-request error, never a crash', async () => {
      const bodies: Array<[string, string]> = [
        ['{"callId": ', 'application/json'],
        ['not json at all', 'text/plain'],
        ['foo=bar', 'application/x-www-form-urlencoded'],
        ['push_report=%7Bbroken', 'application/x-www-form-urlencoded'],
        ['"a string"', 'application/json'],
        ['[1, 2]', 'application/json'],
        [JSON.stringify({ cType: 'CTC', callStatus: 1 }), 'application/json'],
        [JSON.stringify({ callId: { nested: true } }), 'application/json'],
      ];
      for (const [body, type] of bodies) {
        await rejectsWith(provider.webhook(webhookRequest({ body, headers: { 'content-type': type } })), 'invalid-request');
      }
    });
  });

  describe('end to end: the simulator delivers its Push Report to a receiver that calls provider.webhook', () => {
    let receiver: Server;
    let receiverUrl: string;
    const waiting = new Map<string, (event: VendorEvent) => void>();
    const early = new Map<string, VendorEvent>();
    const eventFor = (callId: string) =>
      new Promise<VendorEvent>((resolve) => {
        const seen = early.get(callId);
        if (seen) resolve(seen);
        else waiting.set(callId, resolve);
      });

    before(async () => {
      receiver = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const url = new URL(req.url ?? '/', 'http://receiver.invalid');
          const prefix = '/webhooks/sarv';
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
          provider
            .webhook({
              method: req.method ?? 'POST',
              path: url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname,
              query: Object.fromEntries(url.searchParams),
              headers,
              body: Buffer.concat(chunks).toString('utf8'),
            })
            .then(({ events, reply }) => {
              for (const event of events) {
                const resolve = waiting.get(event.vendorCallId);
                if (resolve) resolve(event);
                else early.set(event.vendorCallId, event);
              }
              res.writeHead(reply.status, { 'Content-Type': reply.contentType });
              res.end(reply.body);
            })
            .catch((error: unknown) => {
              res.writeHead(error instanceof C2CError ? error.status : 500, { 'Content-Type': 'text/plain' });
              res.end(error instanceof C2CError ? error.code : 'internal-error');
            });
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    });
    after(async () => {
      sim.control.setPushReportUrl(undefined);
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    });

    it('the panel activation check gets GODBLESSYOU only with the secret', async () => {
      assert.equal(await sim.control.verifyWebhook(`${receiverUrl}/webhooks/sarv/${SECRET}`), true);
      assert.equal(await sim.control.verifyWebhook(`${receiverUrl}/webhooks/sarv/guess`), false);
    });

    const flows = [
      { format: 'json', outcome: 'answered', destination: DEST, type: 'ended', code: undefined },
      { format: 'form', outcome: 'answered', destination: { to: '101', toType: 'Agent' }, type: 'ended', code: undefined },
      { format: 'json', outcome: 'no-answer', destination: DEST, type: 'failed', code: 'call-failed' },
      { format: 'form', outcome: 'agent-no-answer', destination: { to: '11', toType: 'Group' }, type: 'failed', code: 'no-agent-available' },
    ] as const;
    for (const flow of flows) {
      it(`${flow.outcome} (${flow.format}, to ${flow.destination.toType}) -> ${flow.type}${flow.code ? `/${flow.code}` : ''}, acknowledged`, async () => {
        sim.control.setPushReportUrl(`${receiverUrl}/webhooks/sarv/${SECRET}`, flow.format);
        sim.control.scriptNextCall({ outcome: flow.outcome, ringMs: 5, talkSeconds: 30 });
        const before = sim.pushes.length;
        const { vendorCallId } = await start(flow.destination);
        const event = await eventFor(vendorCallId);
        assert.equal(event.type, flow.type);
        assert.equal(event.code, flow.code);
        if (flow.type === 'ended') assert.equal(event.reason, 'completed');
        const [push] = (await sim.control.waitForPushes(before + 1)).slice(before);
        assert.equal(push?.callId, vendorCallId);
        assert.equal(push?.format, flow.format);
        assert.equal(push?.acknowledged, true, `receiver answered ${push?.status} ${push?.responseText}`);
      });
    }

    it('a Push Report to a URL with the wrong secret is refused (401) and not acknowledged', async () => {
      sim.control.setPushReportUrl(`${receiverUrl}/webhooks/sarv/not-the-secret`, 'json');
      const before = sim.pushes.length;
      const { vendorCallId } = await start();
      const [push] = (await sim.control.waitForPushes(before + 1)).slice(before);
      assert.equal(push?.callId, vendorCallId);
      assert.equal(push?.status, 401);
      assert.equal(push?.acknowledged, false);
      assert.equal(early.has(vendorCallId), false);
    });

    it('a malformed body through HTTP is a 400, and the receiver keeps working', async () => {
      sim.control.setPushReportUrl(`${receiverUrl}/webhooks/sarv/${SECRET}`, 'json');
      const bad = await sim.control.pushRaw('{"callId":', 'application/json');
      assert.deepEqual(bad, { status: 400, text: 'invalid-request' });
      const { vendorCallId } = await start();
      assert.equal((await eventFor(vendorCallId)).type, 'ended');
    });
  });
});
