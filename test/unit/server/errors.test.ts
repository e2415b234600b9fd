import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createC2CHandler, serve, type KeyValueStore, type SessionRecord } from '../../../src/server/index.ts';
import { leakedSecrets, startRig, type Rig } from './rig.ts';

describe('vendor faults become typed ErrorBody answers', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ sim: { script: { outcome: 'hold' }, longPollMs: 200 } });
  });
  after(() => rig.close());

  const cases = [
    { fault: { status: 400 }, status: 502, code: 'vendor-rejected', text: /HTTP 400/ },
    { fault: { status: 404 }, status: 502, code: 'vendor-rejected', text: /HTTP 404/ },
    { fault: { status: 500 }, status: 502, code: 'vendor-rejected', text: /HTTP 500/ },
    { fault: { status: 503 }, status: 503, code: 'vendor-unavailable', text: /HTTP 503/ },
    { fault: { malformed: true }, status: 502, code: 'invalid-response', text: /malformed JSON/ },
  ] as const;

  for (const api of ['createClickToCall', 'getClickToCallEvents', 'dropClickToCall'] as const) {
    for (const { fault, status, code, text } of cases) {
      it(`${api}: ${JSON.stringify(fault)} -> ${status} ${code}`, async () => {
        const token = await rig.mint();
        const callId = api === 'createClickToCall' ? undefined : await rig.startCall(token);
        rig.sim.control.failNext(api, fault);
        const answer =
          api === 'createClickToCall'
            ? await rig.request('POST', '/calls', { token, body: {} })
            : api === 'getClickToCallEvents'
              ? await rig.events(token, callId!)
              : await rig.hangup(token, callId!);
        assert.equal(answer.status, status, JSON.stringify(answer.body));
        assert.equal(answer.body.error.code, code);
        assert.match(answer.body.error.message, text);
        assert.doesNotMatch(JSON.stringify(answer.body), /\bat .+\.ts:\d+/, 'no stack trace');
      });
    }
  }

  it('applyToken 500 at session mint -> vendor-rejected', async () => {
    rig.sim.control.failNext('applyToken', { status: 500 });
    const answer = await rig.request('POST', '/session', { body: { destination: 'sales' } });
    assert.equal(answer.status, 502);
    assert.equal(answer.body.error.code, 'vendor-rejected');
  });

  it('a body that is JSON but not the documented shape -> invalid-response', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    await rig.pollUntil(token, callId, 'queued');
    rig.sim.control.pushEvent({ resultDesc: 'Call in queue' }); // no resultCode
    const answer = await rig.events(token, callId);
    assert.equal(answer.status, 502);
    assert.equal(answer.body.error.code, 'invalid-response');
  });

  it('the call survives a vendor error: the next poll works', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    rig.sim.control.failNext('getClickToCallEvents', { status: 500 });
    assert.equal((await rig.events(token, callId)).status, 502);
    const events = await rig.pollUntil(token, callId, 'queued');
    assert.equal(events[0].type, 'queued');
  });

  it('no secret in any error answer', () => {
    assert.ok(rig.recorded.some((r) => r.status >= 500));
    assert.deepEqual(leakedSecrets(rig), []);
  });
});

describe('timeouts', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      sim: { script: { outcome: 'hold' }, longPollMs: 2000 },
      handler: { providerOptions: { huawei: { requestTimeoutMs: 150, eventsTimeoutMs: 300 } } },
    });
  });
  after(() => rig.close());

  it('a slow createClickToCall -> vendor-unavailable', async () => {
    const token = await rig.mint();
    rig.sim.control.failNext('createClickToCall', { delayMs: 600 });
    const answer = await rig.request('POST', '/calls', { token, body: {} });
    assert.equal(answer.status, 503);
    assert.equal(answer.body.error.code, 'vendor-unavailable');
    assert.match(answer.body.error.message, /within 150 ms/);
  });

  it('a long poll held past the events timeout -> vendor-unavailable', async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    await rig.pollUntil(token, callId, 'queued');
    const started = Date.now();
    const answer = await rig.events(token, callId);
    assert.equal(answer.status, 503);
    assert.equal(answer.body.error.code, 'vendor-unavailable');
    assert.match(answer.body.error.message, /within 300 ms/);
    assert.ok(Date.now() - started < 1500, 'gave up at the events timeout, not the vendor hold');
  });

  it('an unreachable vendor -> vendor-unavailable', async () => {
    const closed = await startRig();
    const base = closed.sim.url;
    await closed.close();
    const dead = await startRig({ huawei: { baseUrl: base } });
    try {
      const answer = await dead.request('POST', '/session', { body: { destination: 'sales' } });
      assert.equal(answer.status, 503);
      assert.equal(answer.body.error.code, 'vendor-unavailable');
    } finally {
      await dead.close();
    }
  });
});

describe('unexpected errors', () => {
  it('-> 500 internal-error without a stack trace', async () => {
    const failing: KeyValueStore<SessionRecord> = {
      get: async () => {
        throw new Error('store exploded at /srv/secret/path.ts:12');
      },
      set: async () => {
        throw new Error('store exploded at /srv/secret/path.ts:12');
      },
      delete: async () => undefined,
    };
    const seen: unknown[] = [];
    const rig = await startRig({ handler: { stores: { sessions: failing }, onError: (e) => void seen.push(e) } });
    try {
      const answer = await rig.request('POST', '/session', { body: { destination: 'sales' } });
      assert.equal(answer.status, 500);
      assert.deepEqual(answer.body, { error: { code: 'internal-error', message: 'The endpoint hit an unexpected error.' } });
      assert.equal(seen.length, 1, 'reported to onError');
    } finally {
      await rig.close();
    }
  });

  it('an unknown route -> 404 ErrorBody', async () => {
    const config = { destinations: {}, providers: {} };
    const running = await serve({ handler: createC2CHandler(config), port: 0 });
    try {
      const response = await fetch(`${running.url}/nope`);
      assert.equal(response.status, 404);
      const body = (await response.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'invalid-request');
    } finally {
      await running.close();
    }
  });
});
