/**
 * CcaiProvider against the real CCAI simulator over HTTP: request shapes, every documented
 * refusal, polling, the shared rate limiter, and the session event push.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCcaiSimulator, type CcaiSimStep, type CcaiSimulator } from '../../../src/sandbox/ccai-simulator.ts';
import type { ErrorCode } from '../../../src/protocol/errors.ts';
import { C2CError, type VendorEvent } from '../../../src/server/provider.ts';
import { CcaiProvider, mapCcaiCall, normalizeCcaiStatus, type CcaiProviderOptions } from '../../../src/server/providers/ccai.ts';
import { CcaiCall, type CcaiConfigInput } from '../../../src/server/providers/ccai-schemas.ts';

const KEY = 'ck-test-company-key';
const SECRET = 'cs-test-company-secret';
/** base64("ck-test-company-key:cs-test-company-secret"), written out so the test is exact. */
const BASIC = 'Basic Y2stdGVzdC1jb21wYW55LWtleTpjcy10ZXN0LWNvbXBhbnktc2VjcmV0';
const PHONE = '+14155550123';
const CALLS = '/apps/api/v1/calls';
const DEST = { menuId: 9, lang: 'en' };

function makeProvider(sim: CcaiSimulator, config: Partial<CcaiConfigInput> = {}, options: CcaiProviderOptions = {}): CcaiProvider {
  return new CcaiProvider(
    { baseUrl: sim.url, companyKey: KEY, companySecret: SECRET, pollIntervalMs: 10, maxRequestsPerSecond: 1000, ...config },
    options,
  );
}

async function refusal(promise: Promise<unknown>, code: ErrorCode): Promise<C2CError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof C2CError, `a C2CError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

/** Ref'd timers alive in this process: what a stopped watcher must not leave behind. */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Resolves when `check` holds; checks on a short timer (for conditions with no event to await). */
async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Collects emitted events and lets a test await the next one of a type. */
function recorder() {
  const events: VendorEvent[] = [];
  const waiters: Array<{ type: VendorEvent['type']; from: number; resolve: (e: VendorEvent) => void }> = [];
  return {
    events,
    emit(event: VendorEvent) {
      events.push(event);
      for (const waiter of [...waiters]) {
        const found = events.slice(waiter.from).find((e) => e.type === waiter.type);
        if (found) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(found);
        }
      }
    },
    /** The first event of `type` emitted from now on (or already, counting from index `from`). */
    next(type: VendorEvent['type'], from = events.length): Promise<VendorEvent> {
      const found = events.slice(from).find((e) => e.type === type);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ type, from, resolve }));
    },
  };
}

describe('CcaiProvider.startCall', () => {
  let sim: CcaiSimulator;
  let provider: CcaiProvider;
  before(async () => {
    sim = await startCcaiSimulator({ companyKey: KEY, companySecret: SECRET, rateLimitPerSecond: 0 });
    provider = makeProvider(sim);
  });
  after(() => sim.close());

  it('inbound: exact Basic header and documented body; 201 -> the call id and a queued event', async () => {
    const result = await provider.startCall({ destination: DEST, phone: PHONE });
    const request = sim.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, CALLS);
    assert.equal(request.headers.authorization, BASIC);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.body, '{"call_type":"Voice Inbound (API)","lang":"en","menu_id":9,"end_user_number":"+14155550123"}');
    assert.equal(request.status, 201);

    const created = sim.control.calls().at(-1)!;
    assert.equal(result.vendorCallId, created.id);
    assert.equal(result.events?.length, 1);
    const [event] = result.events!;
    assert.equal(event?.type, 'queued');
    assert.equal(event?.vendorCallId, created.id);
    assert.equal(event?.vendorEventId, `ccai:${created.id}:queued`);
    assert.equal(typeof event?.occurredAt, 'number');
  });

  it('a numeric-string menuId is sent as the documented integer; recording permission passes through', async () => {
    await provider.startCall({ destination: { menuId: '9', lang: 'es', recordingPermission: 'recording_permission_denied' }, phone: PHONE });
    assert.equal(
      sim.requests.at(-1)!.body,
      '{"call_type":"Voice Inbound (API)","lang":"es","menu_id":9,"end_user_number":"+14155550123","recording_permission":"recording_permission_denied"}',
    );
  });

  it('scheduled: Voice Scheduled (API) with scheduled_at in UTC ISO 8601; 201 -> scheduled with its time', async () => {
    const when = new Date(Date.now() + 86_400_000);
    when.setUTCMilliseconds(250);
    // The same instant written with a +02:00 offset: the provider sends it in UTC.
    const offset = new Date(when.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    const result = await provider.startCall({ destination: { menuId: 7 }, phone: PHONE, scheduledAt: offset });
    const request = sim.requests.at(-1)!;
    assert.equal(
      request.body,
      `{"call_type":"Voice Scheduled (API)","lang":"en","menu_id":7,"end_user_number":"+14155550123","scheduled_at":"${when.toISOString()}"}`,
    );
    assert.deepEqual(result.events?.map((e) => [e.type, e.at]), [['scheduled', when.toISOString()]]);
  });

  it('scheduled answered "queued" (as in the documented sample) is still reported as scheduled', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString();
    sim.control.scriptNextCall({ statuses: [['queued']] });
    const result = await provider.startCall({ destination: { menuId: 9 }, phone: PHONE, scheduledAt: at });
    assert.match(sim.requests.at(-1)!.responseBody, /"status":"queued"/);
    assert.deepEqual(result.events?.map((e) => [e.type, e.at]), [['scheduled', at]]);
  });

  it('a past, zone-less or unreadable booking time is refused locally, without a request', async () => {
    const before = sim.requests.length;
    for (const scheduledAt of [new Date(Date.now() - 1000).toISOString(), '2099-01-01T10:00:00', 'tomorrow', '']) {
      await refusal(provider.startCall({ destination: DEST, phone: PHONE, scheduledAt }), 'invalid-request');
    }
    assert.equal(sim.requests.length, before);
  });

  it('a misconfigured destination fails before any request', async () => {
    const before = sim.requests.length;
    const error = await refusal(provider.startCall({ destination: { menuId: 'menu_999' }, phone: PHONE }), 'internal-error');
    assert.match(error.message, /menuId/);
    assert.equal(sim.requests.length, before);
  });

  describe('refusals produced by the simulator from the request', () => {
    const cases: Array<{ name: string; destination: Record<string, unknown>; phone?: string; scheduled?: boolean; vendor: string; code: ErrorCode; hint?: RegExp }> = [
      { name: 'malformed number', destination: DEST, phone: '+199965712', vendor: 'end_user_number is not well formed', code: 'invalid-phone-number' },
      { name: 'unknown menu', destination: { menuId: 9999 }, vendor: 'menu_id 9999 is not found', code: 'vendor-rejected', hint: /menuId/ },
      { name: 'wrong menu kind (inbound)', destination: { menuId: 50 }, vendor: 'Only IVR and mobile menu IDs are permitted', code: 'vendor-rejected', hint: /menuId/ },
      { name: 'wrong menu kind (scheduled)', destination: { menuId: 8 }, scheduled: true, vendor: 'Only mobile and web menu IDs are permitted', code: 'vendor-rejected', hint: /menuId/ },
      { name: 'after hours', destination: { menuId: 12 }, vendor: "Menu is in 'after hours' state, can't accept incoming calls", code: 'outside-business-hours' },
      { name: 'manual redirection', destination: { menuId: 13 }, vendor: "Menu is in 'manual redirection' state, can't accept calls", code: 'vendor-rejected', hint: /manual redirection/ },
      { name: 'language not available', destination: { menuId: 9, lang: 'fr' }, vendor: "Language 'fr' is not available", code: 'vendor-rejected', hint: /lang/ },
      { name: 'language not found', destination: { menuId: 9, lang: 'xy' }, vendor: "Language 'xy' is not found", code: 'vendor-rejected', hint: /lang/ },
    ];
    for (const c of cases) {
      it(`${c.name} -> ${c.code}`, async () => {
        const scheduledAt = c.scheduled ? new Date(Date.now() + 3_600_000).toISOString() : undefined;
        const error = await refusal(provider.startCall({ destination: c.destination, phone: c.phone ?? PHONE, scheduledAt }), c.code);
        const answer = sim.requests.at(-1)!;
        assert.equal(answer.status, 400);
        assert.deepEqual(JSON.parse(answer.responseBody), { message: c.vendor });
        if (c.hint) assert.match(error.message, c.hint);
        assert.ok(!error.message.includes(SECRET));
      });
    }
  });

  describe('every documented 4xx message maps to its code', () => {
    const table: Array<[string, ErrorCode]> = [
      ['Invalid call type', 'vendor-rejected'],
      ['Agent is not available to take this call', 'no-agent-available'],
      ['Missing parameters - please check that the required parameters are added', 'vendor-rejected'],
      ['ticket_id or end_user_number required', 'invalid-request'],
      ['Not a valid agent email', 'vendor-rejected'],
      ['Agent email required', 'vendor-rejected'],
      ['Agent does not have access to make calls', 'vendor-rejected'],
      ['end_user_number is not well-formed', 'invalid-phone-number'],
      ['end_user_number is not well formed', 'invalid-phone-number'],
      ['Contact not found', 'vendor-rejected'],
      ["Menu is in 'manual redirection' state, can't accept calls", 'vendor-rejected'],
      ['menu_id is required', 'vendor-rejected'],
      ['Only IVR and mobile menu IDs are permitted', 'vendor-rejected'],
      ['Only mobile and web menu IDs are permitted', 'vendor-rejected'],
      ["Menu is in 'after hours' state, can't accept incoming calls", 'outside-business-hours'],
      ["Language 'fr' is not available", 'vendor-rejected'],
      ["Language 'xy' is not found", 'vendor-rejected'],
      ['menu_id 9999 is not found', 'vendor-rejected'],
      ['menu_id is not well formed', 'vendor-rejected'],
      ['end_user_number is required', 'invalid-request'],
      ['scheduled_at is required', 'invalid-request'],
      ['Something nobody documented', 'vendor-rejected'],
    ];
    for (const [message, code] of table) {
      it(`"${message}" -> ${code}`, async () => {
        sim.control.failNext({ status: 400, message, on: 'create' });
        const error = await refusal(provider.startCall({ destination: DEST, phone: PHONE }), code);
        assert.ok(error.message.length > 0);
      });
    }
    it('404 of a wrong base URL -> vendor-rejected naming baseUrl', async () => {
      const wrong = new CcaiProvider({ baseUrl: `${sim.url}/tenant`, companyKey: KEY, companySecret: SECRET });
      const error = await refusal(wrong.startCall({ destination: DEST, phone: PHONE }), 'vendor-rejected');
      assert.equal(sim.requests.at(-1)!.status, 404);
      assert.match(error.message, /baseUrl/);
    });
  });

  it('wrong credentials: 401 -> vendor-rejected naming the credentials, never echoing them', async () => {
    const wrong = makeProvider(sim, { companySecret: 'not-the-secret' });
    const error = await refusal(wrong.startCall({ destination: DEST, phone: PHONE }), 'vendor-rejected');
    assert.equal(sim.requests.at(-1)!.status, 401);
    assert.match(error.message, /companyKey and companySecret/);
    assert.ok(!error.message.includes('not-the-secret'));
  });

  it('timeout, 5xx and 429 -> vendor-unavailable; garbage or a body without id -> invalid-response; 202 -> vendor-rejected', async () => {
    const slow = makeProvider(sim, {}, { requestTimeoutMs: 50 });
    sim.control.failNext({ delayMs: 400, on: 'create' });
    const timedOut = await refusal(slow.startCall({ destination: DEST, phone: PHONE }), 'vendor-unavailable');
    assert.match(timedOut.message, /within 50 ms/);

    for (const status of [500, 502, 503, 429]) {
      sim.control.failNext({ status, on: 'create' });
      await refusal(provider.startCall({ destination: DEST, phone: PHONE }), 'vendor-unavailable');
    }
    sim.control.failNext({ malformed: true, on: 'create' });
    await refusal(provider.startCall({ destination: DEST, phone: PHONE }), 'invalid-response');
    sim.control.failNext({ status: 201, body: { status: 'queued' }, on: 'create' });
    await refusal(provider.startCall({ destination: DEST, phone: PHONE }), 'invalid-response');
    sim.control.failNext({ status: 202, body: {}, on: 'create' });
    await refusal(provider.startCall({ destination: DEST, phone: PHONE }), 'vendor-rejected');
  });

  it("an aborted caller's request is never sent", async () => {
    const before = sim.requests.length;
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(provider.startCall({ destination: DEST, phone: PHONE, signal: controller.signal }), { name: 'AbortError' });
    assert.equal(sim.requests.length, before);
  });

  it('hangup: the Apps API offers no cancel, so nothing is dropped and nothing is sent', async () => {
    const before = sim.requests.length;
    assert.deepEqual(await provider.hangup('1000'), { dropped: false });
    assert.equal(sim.requests.length, before);
  });
});

describe('CcaiProvider.watch', () => {
  let sim: CcaiSimulator;
  let provider: CcaiProvider;
  before(async () => {
    sim = await startCcaiSimulator({ companyKey: KEY, companySecret: SECRET, rateLimitPerSecond: 0 });
    provider = makeProvider(sim);
  });
  after(() => sim.close());

  const reads = (id: string) => sim.requests.filter((r) => r.path === `${CALLS}/${id}`).length;

  it('maps a whole held progression step by step, emits only on change, stops on the final status', async () => {
    const timersBefore = activeTimers();
    const held: CcaiSimStep[] = [['selecting'], ['queued'], ['assigned'], ['Connecting'], ['connected'], ['finished']];
    sim.control.scriptNextCall({ statuses: held });
    const { vendorCallId } = await provider.startCall({ destination: DEST, phone: PHONE });
    const rec = recorder();
    const controller = new AbortController();
    const watching = provider.watch(vendorCallId, rec.emit, controller.signal);

    await rec.next('queued');
    // selecting -> queued maps to the same step: wait for two more reads, nothing new is emitted.
    sim.control.advance(vendorCallId);
    let seen = reads(vendorCallId);
    await until(() => reads(vendorCallId) >= seen + 2, 'two reads of the queued call');
    assert.deepEqual(rec.events.map((e) => e.type), ['queued']);

    sim.control.advance(vendorCallId); // assigned
    await rec.next('ringing');
    sim.control.advance(vendorCallId); // Connecting (Title Case): still ringing
    seen = reads(vendorCallId);
    await until(() => reads(vendorCallId) >= seen + 2, 'two reads of the connecting call');
    sim.control.advance(vendorCallId); // connected
    await rec.next('connected');
    sim.control.advance(vendorCallId); // finished
    await watching;

    assert.deepEqual(rec.events.map((e) => e.type), ['queued', 'ringing', 'connected', 'ended']);
    assert.ok(rec.events.every((e) => e.vendorCallId === vendorCallId));
    assert.equal(rec.events.at(-1)?.reason, 'completed');
    const ringing = rec.events[1]!;
    assert.equal(ringing.vendorEventId, `ccai:${vendorCallId}:ringing`);
    assert.equal(typeof ringing.occurredAt, 'number');
    const finalReads = reads(vendorCallId);
    assert.equal(activeTimers(), timersBefore, 'no timer left once the call is over');
    assert.equal(reads(vendorCallId), finalReads);
    const request = sim.requests.filter((r) => r.path === `${CALLS}/${vendorCallId}`).at(-1)!;
    assert.equal(request.method, 'GET');
    assert.equal(request.headers.authorization, BASIC);
  });

  it('follows a timed progression written in Title Case', async () => {
    const id = sim.control.createCall({ statuses: [['Queued', 100], ['Assigned', 100], ['Connecting', 100], ['Connected', 100], ['Finished']] });
    const rec = recorder();
    await provider.watch(id, rec.emit, new AbortController().signal);
    assert.deepEqual(rec.events.map((e) => e.type), ['queued', 'ringing', 'connected', 'ended']);
  });

  it('final statuses other than finished: failed, deflected, voicemail, recovered', async () => {
    const cases: Array<[CcaiSimStep, Partial<VendorEvent>]> = [
      [['failed', undefined, { fail_reason: 'nothing', fail_details: 'The line was busy.' }], { type: 'failed', code: 'call-failed', message: 'The line was busy.' }],
      [['Deflected', undefined, { deflection: 'after_hours_deflection' }], { type: 'failed', code: 'outside-business-hours' }],
      [['deflected', undefined, { deflection: 'over_capacity_deflection' }], { type: 'failed', code: 'no-agent-available' }],
      [['Voicemail Received'], { type: 'ended', reason: 'voicemail' }],
      [['recovered'], { type: 'ended', reason: 'recovered' }],
    ];
    for (const [step, expected] of cases) {
      const id = sim.control.createCall({ statuses: [['queued', 20], step] });
      const rec = recorder();
      await provider.watch(id, rec.emit, new AbortController().signal);
      assert.equal(rec.events.at(-1)?.type, expected.type, String(step[0]));
      for (const [key, value] of Object.entries(expected)) assert.equal(rec.events.at(-1)?.[key as keyof VendorEvent], value, `${step[0]} ${key}`);
    }
  });

  it('stops on abort and leaves no timer, also while waiting for the rate limiter', async () => {
    const timersBefore = activeTimers();
    const id = sim.control.createCall({ statuses: [['queued']] });
    const rec = recorder();
    const controller = new AbortController();
    const watching = provider.watch(id, rec.emit, controller.signal);
    await rec.next('queued');
    controller.abort();
    await watching;
    const afterAbort = reads(id);
    assert.equal(activeTimers(), timersBefore);

    // One request per ~1.1 s: the second watcher waits in the bucket when aborted.
    const slow = makeProvider(sim, { maxRequestsPerSecond: 1 });
    const first = new AbortController();
    const second = new AbortController();
    const recA = recorder();
    const a = slow.watch(id, recA.emit, first.signal);
    const b = slow.watch(id, () => assert.fail('the second watcher never got a turn'), second.signal);
    await recA.next('queued');
    second.abort();
    first.abort();
    await Promise.all([a, b]);
    assert.equal(reads(id), afterAbort + 1);
    assert.equal(activeTimers(), timersBefore);
  });

  it('retries transient failures (5xx, timeouts, garbage) and gives up after maxPollFailures', async () => {
    const id = sim.control.createCall({ statuses: [['queued', 30], ['connected', 30], ['finished']] });
    sim.control.failNext({ status: 503, on: 'get' });
    sim.control.failNext({ malformed: true, on: 'get' });
    const rec = recorder();
    await provider.watch(id, rec.emit, new AbortController().signal);
    assert.deepEqual(rec.events.map((e) => e.type).at(-1), 'ended');

    const fragile = makeProvider(sim, {}, { maxPollFailures: 3 });
    sim.control.failNext({ status: 500, on: 'get' }, 3);
    await refusal(fragile.watch(id, () => {}, new AbortController().signal), 'vendor-unavailable');
  });

  it('an unknown call id -> call-not-found at once', async () => {
    await refusal(provider.watch('424242', () => {}, new AbortController().signal), 'call-not-found');
  });

  it('maps statuses tolerantly (snake_case, Title Case, upper case); unknown ones keep the last state', () => {
    const table: Array<[string, VendorEvent['type'] | null]> = [
      ['Selecting', 'queued'],
      ['QUEUED', 'queued'],
      ['assigned', 'ringing'],
      ['Connecting', 'ringing'],
      ['Switching', null],
      ['connected', 'connected'],
      ['Finished', 'ended'],
      ['failed', 'failed'],
      ['Recovered', 'ended'],
      ['Action Only', null],
      ['action_only_finished', 'ended'],
      ['Deflected', 'failed'],
      ['voicemail', 'ended'],
      ['Voicemail Received', 'ended'],
      ['voicemail-read', 'ended'],
      ['teleported', null],
    ];
    for (const [status, type] of table) {
      const mapped = mapCcaiCall(CcaiCall.parse({ id: 1, status }));
      assert.equal(mapped?.type ?? null, type, status);
    }
    assert.equal(normalizeCcaiStatus(' Action Only Finished '), 'action_only_finished');
    assert.deepEqual(mapCcaiCall(CcaiCall.parse({ id: 1, status: 'Scheduled', scheduled_at: '2030-01-01T00:00:00.000Z' })), {
      type: 'scheduled',
      at: '2030-01-01T00:00:00.000Z',
    });
  });
});

describe('CcaiProvider rate limiter', () => {
  let sim: CcaiSimulator;
  before(async () => {
    sim = await startCcaiSimulator({ companyKey: KEY, companySecret: SECRET }); // documented 10/s
  });
  after(() => sim.close());

  it('the simulator does answer 429 beyond 10 requests/s (so the next test means something)', async () => {
    const greedy = makeProvider(sim, { maxRequestsPerSecond: 1000 });
    const id = sim.control.createCall({ statuses: [['queued']] });
    const results = await Promise.allSettled(Array.from({ length: 15 }, () => greedy.getCall(id)));
    const refused = results.filter((r) => r.status === 'rejected');
    assert.ok(refused.length >= 5, `${refused.length} refused`);
    assert.ok(refused.every((r) => r.reason instanceof C2CError && r.reason.code === 'vendor-unavailable'));
    assert.ok(sim.requests.some((r) => r.status === 429));
  });

  it('30 concurrent watch() calls share one bucket: never a 429, never more than 10 requests in any second', async () => {
    // Let the previous test's window drain without sleeping on a guess: wait for it by the clock.
    const lastBefore = sim.requests.at(-1)?.at ?? 0;
    await until(() => Date.now() > lastBefore + 1000, 'the previous window to pass');
    const start = sim.requests.length;
    const provider = makeProvider(sim, { maxRequestsPerSecond: 10, pollIntervalMs: 20 });
    const ids = Array.from({ length: 30 }, () => sim.control.createCall({ statuses: [['queued', 300], ['finished']] }));
    const recs = ids.map(() => recorder());
    await Promise.all(ids.map((id, i) => provider.watch(id, recs[i]!.emit, new AbortController().signal)));

    const made = sim.requests.slice(start);
    assert.ok(made.length >= 30, `${made.length} requests`);
    assert.deepEqual(made.filter((r) => r.status !== 200).map((r) => r.status), [], 'no 429 (nor anything else)');
    let worst = 0;
    for (const request of made) {
      const inWindow = made.filter((r) => r.at >= request.at && r.at < request.at + 1000).length;
      worst = Math.max(worst, inWindow);
    }
    assert.ok(worst <= 10, `${worst} requests within one second`);
    for (const rec of recs) assert.equal(rec.events.at(-1)?.type, 'ended');
  });
});

describe('CcaiProvider.webhook (External session events)', () => {
  const provider = new CcaiProvider({
    baseUrl: 'http://127.0.0.1:9',
    companyKey: KEY,
    companySecret: SECRET,
    pushUsername: 'c2c-push',
    pushPassword: 'push-password-1234',
  });
  const auth = `Basic ${Buffer.from('c2c-push:push-password-1234').toString('base64')}`;
  const push = (body: unknown, authorization: string | null = auth) =>
    provider.webhook({
      method: 'POST',
      path: '',
      query: {},
      headers: authorization === null ? {} : { authorization },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const t0 = 1_760_000_000_000;
  const ev = (n: number, state: string, participants: Array<{ type: string; status: string }>, extra: Record<string, unknown> = {}) => ({
    event_id: `e-${n}`,
    timestamp: t0 + n,
    item: { call_id: 515, state, participants, ...extra },
  });

  it('maps the documented progression: start, routing, assigned, active, end, final', async () => {
    const events = [
      ev(1, 'connected', [{ type: 'external', status: 'connected' }]),
      ev(2, 'connected', [{ type: 'external', status: 'connected' }]),
      ev(3, 'connected', [{ type: 'external', status: 'connected' }, { type: 'agent', status: 'accepted' }]),
      ev(4, 'connected', [{ type: 'external', status: 'connected' }, { type: 'agent', status: 'connected' }], { connected_at: '2030-01-01T00:00:00Z' }),
      ev(5, 'disconnected', [{ type: 'external', status: 'disconnected' }, { type: 'agent', status: 'disconnected' }], { connected_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-01T00:05:00Z' }),
      ev(6, 'disconnected', [{ type: 'agent', status: 'dispositionSubmitted' }], { connected_at: '2030-01-01T00:00:00Z' }),
    ];
    const { events: mapped } = await push({ count: events.length, events });
    assert.deepEqual(mapped.map((e) => e.type), ['queued', 'queued', 'queued', 'connected', 'ended', 'ended']);
    assert.deepEqual(mapped[3], { vendorCallId: '515', type: 'connected', vendorEventId: 'e-4', occurredAt: t0 + 4 });
  });

  it('a session that ends before any agent joined is a failed call; an Apps API status is mapped like polling', async () => {
    const { events } = await push({
      count: 3,
      events: [
        ev(1, 'disconnected', [{ type: 'external', status: 'disconnected' }]),
        { event_id: 'x', item: { call_id: 77, status: 'Assigned' } },
        { event_id: 'no-call', item: { state: 'connected' } },
      ],
    });
    assert.deepEqual(events.map((e) => [e.vendorCallId, e.type, e.code]), [['515', 'failed', 'call-failed'], ['77', 'ringing', undefined]]);
  });

  it('refuses wrong or missing credentials in constant time, and bodies that are not the push shape', async () => {
    await refusal(push({ count: 0, events: [] }, `Basic ${Buffer.from('c2c-push:wrong').toString('base64')}`), 'unauthorized');
    await refusal(push({ count: 0, events: [] }, null), 'unauthorized');
    await refusal(push({ count: 0, events: [] }, 'Bearer abc'), 'unauthorized');
    await refusal(push('{not json'), 'invalid-request');
    await refusal(push({ count: 1 }), 'invalid-request');
    assert.deepEqual(await push({ count: 0, events: [] }), { events: [] });
  });

  it('without configured push credentials every push is refused', async () => {
    const closed = new CcaiProvider({ baseUrl: 'http://127.0.0.1:9', companyKey: KEY, companySecret: SECRET });
    await refusal(closed.webhook({ method: 'POST', path: '', query: {}, headers: { authorization: auth }, body: '{"count":0,"events":[]}' }), 'not-supported');
  });
});
