import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompactSign, decodeJwt, decodeProtectedHeader } from 'jose';
import { leakedSecrets, ORIGIN, SIGNING_KEY, startRig, type Rig } from './rig.ts';

describe('starting calls (createClickToCall codes)', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ sim: { script: { outcome: 'hold' } } });
  });
  after(() => rig.close());

  const cases = [
    { createResult: '7', status: 409, code: 'not-supported' },
    { createResult: '12', status: 409, code: 'outside-business-hours' },
    { createResult: '13', status: 409, code: 'no-agent-available' },
  ] as const;
  for (const { createResult, status, code } of cases) {
    it(`resultCode ${createResult} -> ${code}`, async () => {
      rig.sim.control.scriptNextCall({ createResult });
      const token = await rig.mint();
      const answer = await rig.request('POST', '/calls', { token, body: {} });
      assert.equal(answer.status, status);
      assert.equal(answer.body.error.code, code);
      assert.equal(typeof answer.body.error.message, 'string');
    });
  }

  it('resultCode 0 -> 201 with our own random callId, support checked once per minute', async () => {
    const token = await rig.mint();
    const answer = await rig.request('POST', '/calls', { token, body: {} });
    assert.equal(answer.status, 201);
    assert.match(answer.body.callId, /^[A-Za-z0-9_-]{16,}$/);
    assert.equal(rig.sim.count('checkClickToCallSupport'), 1, 'cached across four calls');
    const create = rig.sim.requests.filter((r) => r.path.endsWith('/createClickToCall')).at(-1)!;
    assert.deepEqual(JSON.parse(create.body), { channel: 'WEB', mediaAbility: '0' });
    // The simulator answers with the documented "resultDesc:" key; the endpoint still understood it.
    assert.match(create.responseBody, /"resultDesc:"/);
  });

  it('a session starts one call only: the token is single-use for a start', async () => {
    const token = await rig.mint();
    await rig.startCall(token);
    const creates = rig.sim.count('createClickToCall');
    const again = await rig.request('POST', '/calls', { token, body: {} });
    assert.equal(again.status, 401);
    assert.equal(again.body.error.code, 'unauthorized');
    assert.match(again.body.error.message, /already started a call/);
    assert.equal(rig.sim.count('createClickToCall'), creates, 'the vendor was not asked again');
  });

  it('two racing starts with one token start one call', async () => {
    const token = await rig.mint();
    const creates = rig.sim.count('createClickToCall');
    const answers = await Promise.all(Array.from({ length: 5 }, () => rig.request('POST', '/calls', { token, body: {} })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 401, 401, 401, 401]);
    assert.equal(rig.sim.count('createClickToCall'), creates + 1);
  });

  it('invalid /calls body -> invalid-request', async () => {
    const token = await rig.mint();
    const answer = await rig.request('POST', '/calls', { token, body: { phone: 42 } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'invalid-request');
    assert.match(answer.body.error.message, /phone/);
  });
});

describe('checkClickToCallSupport', () => {
  it('webRTCSupported false -> not-supported, without creating a call', async () => {
    const rig = await startRig({ sim: { support: { webRTCSupported: false } } });
    try {
      const token = await rig.mint();
      const answer = await rig.request('POST', '/calls', { token, body: {} });
      assert.equal(answer.status, 409);
      assert.equal(answer.body.error.code, 'not-supported');
      assert.equal(rig.sim.count('createClickToCall'), 0);
    } finally {
      await rig.close();
    }
  });
});

describe('call events', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ sim: { script: { outcome: 'hold' } } });
  });
  after(() => rig.close());

  it('queued -> media -> ended, eventId as a number in Call connected', async () => {
    rig.sim.control.scriptNextCall({ outcome: 'connect', agentHangupAfterMs: 30 });
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    const events = await rig.pollUntil(token, callId, 'ended');
    assert.deepEqual(events, [
      { id: '168100', type: 'queued' },
      {
        id: '168101',
        type: 'media',
        gateway: { domain: 'webrtc.sim.invalid', addresses: ['wss://127.0.0.1:1/ws'], target: '179080000537636', caller: 'AnonymousCard' },
      },
      { id: '168102', type: 'ended', reason: 'agent-hangup' },
    ]);
    const connected = rig.sim.requests.find((r) => r.responseBody.includes('Call connected'))!;
    assert.match(connected.responseBody, /"eventId":168101[,}]/, 'the simulator sent eventId as a number');
  });

  it('Call queued timeout -> failed queue-timeout with causeDesc', async () => {
    rig.sim.control.scriptNextCall({ outcome: 'queue-timeout', causeDesc: 'All agents busy' });
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    const events = await rig.pollUntil(token, callId, 'failed');
    assert.deepEqual(events.at(-1), { id: '168103', type: 'failed', code: 'queue-timeout', message: 'All agents busy' });
  });

  it('Call failed -> failed call-failed with causeDesc', async () => {
    rig.sim.control.scriptNextCall({ outcome: 'failed', causeDesc: 'Gateway refused' });
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    const events = await rig.pollUntil(token, callId, 'failed');
    assert.deepEqual(events.at(-1), { id: '168104', type: 'failed', code: 'call-failed', message: 'Gateway refused' });
  });

  it('maps quirks: unknown events keep polling, string eventId, duplicate ignored, no eventId numbered', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    await rig.pollUntil(token, callId, 'queued');
    const push = rig.sim.control.pushEvent;
    const poll = async () => {
      const answer = await rig.events(token, callId);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.events;
    };
    push({ resultCode: '0', resultDesc: 'Call continue to poll events with unknown events' });
    assert.deepEqual(await poll(), []);
    push({ resultCode: '0', resultDesc: 'Call transferred to the moon', eventId: 77, extra: { any: 1 } });
    assert.deepEqual(await poll(), []);
    push({ resultCode: '0', resultDesc: 'ClickToCall polled without any events' });
    assert.deepEqual(await poll(), []);
    push({ resultCode: '0', resultDesc: 'Call in queue' });
    const numbered = await poll();
    assert.equal(numbered.length, 1);
    assert.equal(numbered[0].type, 'queued');
    assert.match(numbered[0].id, /^s\d+$/);
    const gateway = { domain: 'gw.example', gwAddresses: ['gw.example:443'], accessCode: '555', clickToCallCaller: 'Visitor' };
    push({ resultCode: 0, resultDesc: 'Call connected', eventId: '168101', content: gateway });
    assert.deepEqual(await poll(), [
      { id: '168101', type: 'media', gateway: { domain: 'gw.example', addresses: ['gw.example:443'], target: '555', caller: 'Visitor' } },
    ]);
    push({ resultCode: '0', resultDesc: 'Call connected', eventId: 168101, content: gateway });
    assert.deepEqual(await poll(), [], 'a repeated eventId is not delivered twice');
  });

  it('maps on eventId when resultDesc is unknown', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    await rig.pollUntil(token, callId, 'queued');
    rig.sim.control.pushEvent({
      resultCode: '0',
      resultDesc: 'Call is connected now',
      eventId: 168101,
      content: { domain: 'd', gwAddresses: ['wss://d/ws'], accessCode: '1' },
    });
    const answer = await rig.events(token, callId);
    assert.deepEqual(answer.body.events, [
      { id: '168101', type: 'media', gateway: { domain: 'd', addresses: ['wss://d/ws'], target: '1', caller: 'AnonymousCard' } },
    ]);
  });

  it('resumes after a lost answer with ?after= without asking the vendor', async () => {
    rig.sim.control.scriptNextCall({ outcome: 'connect', queueMs: 0 });
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    const events = await rig.pollUntil(token, callId, 'media');
    const polls = rig.sim.count('getClickToCallEvents');
    const replay = await rig.events(token, callId, events[0].id);
    assert.deepEqual(replay.body.events, events.slice(1));
    assert.equal(rig.sim.count('getClickToCallEvents'), polls);
  });

  it('keeps secrets away from the browser', () => {
    assert.deepEqual(leakedSecrets(rig), []);
  });
});

describe('hang up', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ sim: { script: { outcome: 'hold' } } });
  });
  after(() => rig.close());

  it('drops once; a second hangup answers ok without calling the vendor', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    const first = await rig.hangup(token, callId);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { ok: true });
    assert.equal(rig.sim.count('dropClickToCall'), 1);
    const drop = rig.sim.requests.find((r) => r.path.endsWith('/dropClickToCall'))!;
    assert.deepEqual(JSON.parse(drop.body), { channel: 'WEB' });
    const second = await rig.hangup(token, callId);
    assert.deepEqual(second.body, { ok: true });
    assert.equal(rig.sim.count('dropClickToCall'), 1);
    assert.equal(rig.sim.state.calls().find((c) => c.status === 'dropped') !== undefined, true);
    // The call is over for the browser too: no more vendor polls.
    const polls = rig.sim.count('getClickToCallEvents');
    const events = await rig.events(token, callId);
    assert.equal(events.body.events.at(-1).type, 'ended');
    assert.equal(events.body.events.at(-1).reason, 'visitor-hangup');
    assert.equal(rig.sim.count('getClickToCallEvents'), polls);
  });

  it('after a final event it does not call the vendor', async () => {
    rig.sim.control.scriptNextCall({ outcome: 'connect', queueMs: 0, agentHangupAfterMs: 0 });
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    await rig.pollUntil(token, callId, 'ended');
    const drops = rig.sim.count('dropClickToCall');
    const answer = await rig.hangup(token, callId);
    assert.deepEqual(answer.body, { ok: true });
    assert.equal(rig.sim.count('dropClickToCall'), drops);
  });
});

describe('sessions', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ sim: { script: { outcome: 'hold' } }, config: { sessionTtlSeconds: 120 } });
  });
  after(() => rig.close());

  it('answers a signed token (JWS, HS256, kid) bound to the origin and destination, and its expiry', async () => {
    const answer = await rig.request('POST', '/session', { body: { destination: 'sales' } });
    assert.equal(answer.status, 201);
    assert.match(answer.body.token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(decodeProtectedHeader(answer.body.token), { alg: 'HS256', typ: 'JWT', kid: SIGNING_KEY.kid });
    const claims = decodeJwt(answer.body.token);
    assert.deepEqual(Object.keys(claims).sort(), ['aud', 'dst', 'exp', 'iat', 'jti', 'mode', 'org']);
    assert.equal(claims.dst, 'sales');
    assert.equal(claims.org, ORIGIN);
    assert.equal(claims.mode, 'webrtc');
    assert.equal(claims.exp, Math.ceil((rig.clock.t + 120_000) / 1000));
    assert.equal(answer.body.expiresAt, rig.clock.t + 120_000);
    assert.equal(answer.body.provider, 'huawei');
    assert.equal(answer.body.mode, 'webrtc');
  });

  it('an expired session cannot start a call', async () => {
    const token = await rig.mint();
    rig.clock.advance(121_000);
    const answer = await rig.request('POST', '/calls', { token, body: {} });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.code, 'session-expired');
  });

  it('a running call outlives the session TTL while it is polled', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    rig.clock.advance(300_000);
    assert.equal((await rig.events(token, callId)).status, 200);
  });

  it('a signed token whose session is unknown -> session-expired; garbage or no token -> unauthorized', async () => {
    const t = Math.floor(rig.clock.t / 1000);
    const claims = { jti: 'A'.repeat(22), aud: 'c2c-session', dst: 'sales', mode: 'webrtc', org: ORIGIN, iat: t, exp: t + 120 };
    const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: SIGNING_KEY.kid })
      .sign(new TextEncoder().encode(SIGNING_KEY.secret));
    const unknown = await rig.request('POST', '/calls', { token: forged, body: {} });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error.code, 'session-expired');
    const garbage = await rig.request('POST', '/calls', { token: 'A'.repeat(43), body: {} });
    assert.equal(garbage.status, 401);
    assert.equal(garbage.body.error.code, 'unauthorized');
    const none = await rig.request('POST', '/calls', { body: {} });
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'unauthorized');
  });

  it("another session's call -> call-not-found", async () => {
    const owner = await rig.mint();
    const callId = await rig.startCall(owner);
    const stranger = await rig.mint();
    for (const answer of [await rig.events(stranger, callId), await rig.hangup(stranger, callId)]) {
      assert.equal(answer.status, 404);
      assert.equal(answer.body.error.code, 'call-not-found');
    }
    assert.equal(rig.sim.count('dropClickToCall'), 0);
  });

  it('unknown destination -> 404 unknown-destination; bad body -> invalid-request', async () => {
    const unknown = await rig.request('POST', '/session', { body: { destination: 'billing' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'unknown-destination');
    const proto = await rig.request('POST', '/session', { body: { destination: '__proto__' } });
    assert.equal(proto.body.error.code, 'unknown-destination');
    const bad = await rig.request('POST', '/session', { raw: '{not json', headers: { 'Content-Type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid-request');
    const missing = await rig.request('POST', '/session', { body: {} });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /destination/);
    const callback = await rig.request('POST', '/session', { body: { destination: 'sales', mode: 'callback' } });
    assert.equal(callback.status, 400);
    assert.equal(callback.body.error.code, 'not-supported');
  });
});
