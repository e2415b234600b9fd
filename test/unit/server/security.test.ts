import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHuaweiSimulator } from '../../../src/sandbox/huawei-simulator.ts';
import { createC2CHandler, createNodeListener } from '../../../src/server/index.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_KEY, APP_SECRET, CHANNEL_ID, leakedSecrets, ORIGIN, OTHER_ORIGIN, startRig, type Rig } from './rig.ts';

describe('origin allow-list and CORS', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ sim: { script: { outcome: 'hold' } } });
  });
  after(() => rig.close());

  it('answers a preflight from an allowed origin', async () => {
    const answer = await rig.request('OPTIONS', '/calls', {
      headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get('access-control-allow-origin'), ORIGIN);
    const allowHeaders = (answer.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    assert.match(allowHeaders, /authorization/);
    assert.match(allowHeaders, /content-type/);
    assert.match(answer.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(answer.headers.get('vary') ?? '', /Origin/);
  });

  it('refuses a preflight and a request from a foreign origin with 403 origin-not-allowed', async () => {
    for (const method of ['OPTIONS', 'POST']) {
      const answer = await rig.request(method, '/session', {
        origin: 'https://evil.example',
        ...(method === 'POST' ? { body: { destination: 'sales' } } : { headers: { 'Access-Control-Request-Method': 'POST' } }),
      });
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, 'origin-not-allowed');
      assert.equal(answer.headers.get('access-control-allow-origin'), null);
    }
    assert.equal(rig.sim.count('applyToken'), 0, 'a refused origin never reaches the vendor');
  });

  it('echoes an allowed origin on normal answers, and lets requests without Origin through', async () => {
    const withOrigin = await rig.request('POST', '/session', { body: { destination: 'sales' } });
    assert.equal(withOrigin.status, 201);
    assert.equal(withOrigin.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(withOrigin.headers.get('cache-control'), 'no-store');
    const without = await rig.request('POST', '/session', { body: { destination: 'sales' }, origin: null });
    assert.equal(without.status, 201);
    assert.equal(without.headers.get('access-control-allow-origin'), null);
  });

  it('a null or look-alike origin is refused', async () => {
    for (const origin of ['null', 'https://shop.example.evil.example', 'http://shop.example']) {
      const answer = await rig.request('GET', '/health', { origin });
      assert.equal(answer.status, 403, origin);
    }
  });

  it('binds a session to the origin that minted it', async () => {
    const token = await rig.mint('sales', ORIGIN);
    const answer = await rig.request('POST', '/calls', { token, body: {}, origin: OTHER_ORIGIN });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.code, 'origin-not-allowed');
  });

  it('GET /health', async () => {
    const answer = await rig.request('GET', '/health');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.ok, true);
  });
});

describe('secrets never reach the browser', () => {
  it('a whole call, errors included, shows no app key, secret, AccessToken or ccmessaging-token', async () => {
    const rig = await startRig({ sim: { script: { outcome: 'connect', queueMs: 0, agentHangupAfterMs: 20 } } });
    try {
      const token = await rig.mint();
      const callId = await rig.startCall(token);
      await rig.pollUntil(token, callId, 'ended');
      await rig.hangup(token, callId);
      const other = await rig.mint();
      rig.sim.control.failNext('createClickToCall', { status: 401, body: { errorCode: 'x', exceptionInfo: 'auth fail' } }, 2);
      assert.equal((await rig.request('POST', '/calls', { token: other, body: {} })).status, 502);
      rig.sim.control.expireAccessTokens();
      await rig.request('POST', '/calls', { token: other, body: {} });
      assert.ok(rig.sim.state.issuedSecrets().length >= 4, 'the scan knows the issued tokens');
      assert.ok(rig.recorded.length >= 6);
      assert.deepEqual(leakedSecrets(rig), []);
      // And the scan itself works: a planted secret is found.
      rig.recorded.push({ method: 'GET', path: '/planted', status: 200, headers: {}, text: `x${APP_SECRET}x` });
      assert.equal(leakedSecrets(rig).length, 1);
    } finally {
      await rig.close();
    }
  });
});

describe('mounting', () => {
  it('serves the routes under basePath through createNodeListener', async () => {
    const sim = await startHuaweiSimulator({ appKey: APP_KEY, appSecret: APP_SECRET, channelId: CHANNEL_ID });
    const handler = createC2CHandler(
      {
        destinations: { sales: { provider: 'huawei' } },
        providers: { huawei: { baseUrl: sim.url, appKey: APP_KEY, appSecret: APP_SECRET, channelId: CHANNEL_ID } },
      },
      { basePath: '/c2c/' },
    );
    const server = createServer(createNodeListener(handler));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal((await fetch(`${base}/c2c/health`)).status, 200);
      assert.equal((await fetch(`${base}/health`)).status, 404);
      const session = await fetch(`${base}/c2c/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ destination: 'sales' }),
      });
      assert.equal(session.status, 201);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await sim.close();
    }
  });
});
