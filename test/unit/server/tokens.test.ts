import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_KEY, leakedSecrets, startRig, type Rig } from './rig.ts';

describe('Huawei AccessToken cache', () => {
  let rig: Rig;
  before(async () => {
    // 600 s tokens: the refresh margin is 60 s, so the cache must refresh after 540 s.
    rig = await startRig({ sim: { tokenLifetimeSeconds: 600 } });
  });
  after(() => rig.close());

  it('mints 50 concurrent sessions with one tokenByAkSk (single flight)', async () => {
    const tokens = await Promise.all(Array.from({ length: 50 }, () => rig.mint()));
    assert.equal(new Set(tokens).size, 50);
    assert.equal(rig.sim.count('tokenByAkSk'), 1);
    assert.equal(rig.sim.count('applyToken'), 50);
    // One userId per visitor, each at most 32 characters.
    const users = rig.sim.state.users();
    assert.equal(users.length, 50);
    assert.ok(users.every((u) => u.length >= 1 && u.length <= 32));
  });

  it('sends the documented tokenByAkSk request', () => {
    const request = rig.sim.requests.find((r) => r.path.endsWith('/tokenByAkSk'));
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.match(String(request.headers['content-type']), /^application\/json/);
    assert.equal(request.headers['x-token-expire'], '3600');
    assert.deepEqual(Object.keys(JSON.parse(request.body)).sort(), ['app_key', 'app_secret']);
  });

  it('refreshes shortly before Expires runs out, not before', async () => {
    const before = rig.sim.count('tokenByAkSk');
    rig.clock.advance(530_000);
    await rig.mint();
    assert.equal(rig.sim.count('tokenByAkSk'), before, 'still fresh at 530 s of 600');
    rig.clock.advance(15_000);
    await Promise.all([rig.mint(), rig.mint(), rig.mint()]);
    assert.equal(rig.sim.count('tokenByAkSk'), before + 1, 'refreshed once at 545 s of 600');
  });

  it('never shows the app key, secret, AccessToken or ccmessaging-token to the browser', () => {
    assert.ok(rig.recorded.length >= 50);
    assert.deepEqual(leakedSecrets(rig), []);
  });
});

describe('Huawei 401 handling', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ sim: { script: { outcome: 'hold' } } });
  });
  after(() => rig.close());

  it('on 401 refreshes the AccessToken, applies again once, and keeps the call', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    await rig.pollUntil(token, callId, 'queued');
    assert.equal(rig.sim.count('tokenByAkSk'), 1);
    assert.equal(rig.sim.count('applyToken'), 1);

    rig.sim.control.expireAccessTokens();
    rig.sim.control.pushEvent({ resultCode: '0', resultDesc: 'Call disconnected', eventId: '9001', content: {} });
    const answer = await rig.events(token, callId);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.events, [{ id: '9001', type: 'ended', reason: 'agent-hangup' }]);
    assert.equal(rig.sim.count('tokenByAkSk'), 2);
    assert.equal(rig.sim.count('applyToken'), 2);
    // The re-applied token is for the same userId: the simulator bound the call to it.
    const applies = rig.sim.requests.filter((r) => r.path.endsWith('/applyToken'));
    assert.equal(JSON.parse(applies[0]!.body).userId, JSON.parse(applies[1]!.body).userId);
  });

  it('a second 401 is vendor-rejected, after exactly one re-apply', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    const tokensBefore = rig.sim.count('tokenByAkSk');
    const appliesBefore = rig.sim.count('applyToken');
    rig.sim.control.failNext('getClickToCallEvents', { status: 401 }, 2);
    const answer = await rig.events(token, callId);
    assert.equal(answer.status, 502);
    assert.equal(answer.body.error.code, 'vendor-rejected');
    assert.match(answer.body.error.message, /unauthorized/);
    assert.equal(rig.sim.count('tokenByAkSk'), tokensBefore + 1);
    assert.equal(rig.sim.count('applyToken'), appliesBefore + 1);
  });

  it('adopts a renewed ccmessaging-token from a response header', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    await rig.pollUntil(token, callId, 'queued');
    const applies = rig.sim.count('applyToken');
    rig.sim.control.renewCcTokenOnNextAnswer();
    rig.sim.control.pushEvent({ resultCode: '0', resultDesc: 'Call in queue', eventId: 'q-1' });
    assert.equal((await rig.events(token, callId)).status, 200);
    const renewed = rig.sim.requests.at(-1)!.responseHeaders['ccmessaging-token'];
    assert.ok(renewed, 'the simulator renewed the token');
    // The old token is dead at the simulator: only the adopted one can succeed without re-applying.
    rig.sim.control.pushEvent({ resultCode: '0', resultDesc: 'Call in queue', eventId: 'q-2' });
    const next = await rig.events(token, callId);
    assert.equal(next.status, 200);
    assert.deepEqual(next.body.events.map((e: any) => e.id), ['q-2']);
    assert.equal(rig.sim.count('applyToken'), applies);
    assert.equal(rig.sim.requests.at(-1)!.headers['ccmessaging-token'], renewed);
    assert.deepEqual(leakedSecrets(rig), []);
  });

  it('many calls hitting the same 401 cause one tokenByAkSk', async () => {
    const calls: Array<[string, string]> = [];
    for (let i = 0; i < 8; i++) {
      const token = await rig.mint();
      const callId = await rig.startCall(token);
      await rig.pollUntil(token, callId, 'queued');
      calls.push([token, callId]);
    }
    const before = rig.sim.count('tokenByAkSk');
    const applies = rig.sim.count('applyToken');
    rig.sim.control.expireAccessTokens();
    // A slow refresh, so every poll's 401 arrives while it is in flight.
    rig.sim.control.failNext('tokenByAkSk', { delayMs: 100 });
    const answers = await Promise.all(calls.map(([token, callId]) => rig.events(token, callId)));
    assert.deepEqual(answers.map((a) => a.status), calls.map(() => 200));
    assert.equal(rig.sim.count('tokenByAkSk'), before + 1);
    // Polls that met the 401 re-applied once each; those that started after it used the new token.
    const reapplied = rig.sim.count('applyToken') - applies;
    assert.ok(reapplied >= 1 && reapplied <= calls.length, `re-applied ${reapplied}`);
  });

  it('a failed refresh fails its waiters together and the next caller tries again', async () => {
    const fresh = await startRig();
    try {
      fresh.sim.control.failNext('tokenByAkSk', { status: 500, delayMs: 100 });
      const answers = await Promise.all(Array.from({ length: 5 }, () => fresh.request('POST', '/session', { body: { destination: 'sales' } })));
      assert.deepEqual(answers.map((a) => a.body.error?.code), Array(5).fill('vendor-rejected'));
      assert.equal(fresh.sim.count('tokenByAkSk'), 1);
      assert.equal((await fresh.request('POST', '/session', { body: { destination: 'sales' } })).status, 201);
      assert.equal(fresh.sim.count('tokenByAkSk'), 2);
    } finally {
      await fresh.close();
    }
  });

  it('sends the three documented headers on every ccmessaging call', () => {
    const calls = rig.sim.requests.filter((r) => r.path.includes('/ccmessaging/v1/'));
    assert.ok(calls.length > 3);
    for (const r of calls) {
      assert.equal(r.headers['x-app-key'], APP_KEY);
      assert.match(String(r.headers.authorization), /^Bearer \S+$/);
      assert.ok(r.headers['ccmessaging-token']);
      if (r.method === 'GET') assert.equal(r.query, '?channel=WEB');
      else assert.equal(JSON.parse(r.body).channel, 'WEB');
    }
  });

  it('wrong app credentials answer vendor-rejected, without the secret', async () => {
    const bad = await startRig({ huawei: { appSecret: 'not-the-secret' } });
    try {
      const answer = await bad.request('POST', '/session', { body: { destination: 'sales' } });
      assert.equal(answer.status, 502);
      assert.equal(answer.body.error.code, 'vendor-rejected');
      assert.match(answer.body.error.message, /tokenByAkSk/);
      assert.doesNotMatch(JSON.stringify(answer.body), /not-the-secret/);
    } finally {
      await bad.close();
    }
  });
});
