// GET <endpoint>/readiness: what the pre-call check asks before a call (no token, no vendor).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createC2CHandler } from '../../../src/server/handler.ts';
import { loadConfig, parseConfig } from '../../../src/server/config.ts';
import { ReadinessResponse } from '../../../src/protocol/index.ts';
import { PATHS } from '../../../src/protocol/index.ts';

const ORIGIN = 'https://shop.example';
const HUAWEI = {
  // Never asked: the route answers from the configuration alone.
  baseUrl: 'http://127.0.0.1:9',
  appKey: 'key',
  appSecret: 'huawei-secret-never-sent',
  channelId: 'web',
};

/** Session writes, to prove the route mints no token. */
const sessionWrites: string[] = [];

function handlerWith(probeAddresses?: string[]) {
  return createC2CHandler({
    allowedOrigins: [ORIGIN],
    destinations: {
      sales: { provider: 'huawei' },
      callback: { provider: 'sarv', to: '101', toType: 'Agent' },
    },
    providers: {
      huawei: { ...HUAWEI, ...(probeAddresses ? { probeAddresses } : {}) },
      sarv: { userId: '42', token: 'sarv-secret-never-sent', webhookSecret: 'a-long-webhook-secret-0123456789' },
    },
  }, {
    stores: {
      sessions: {
        get: async () => undefined,
        set: async (key) => void sessionWrites.push(key),
        delete: async () => undefined,
      },
    },
  });
}

async function get(handler: ReturnType<typeof handlerWith>, path: string, origin: string | null = ORIGIN) {
  const response = await handler(new Request(`http://e${path}`, { headers: origin ? { origin } : {} }));
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('GET /readiness', () => {
  it('answers a WebRTC destination with its mode and the configured probe addresses, and mints nothing', async () => {
    const handler = handlerWith(['wss://gw1.example:8443/ws', 'gw2.example:8443']);
    try {
      const answer = await get(handler, PATHS.readiness({ destination: 'sales' }));
      assert.equal(answer.status, 200, answer.text);
      const body = ReadinessResponse.parse(JSON.parse(answer.text));
      assert.deepEqual(body, { mode: 'webrtc', probeAddresses: ['wss://gw1.example:8443/ws', 'gw2.example:8443'] });
      assert.equal(answer.headers.get('access-control-allow-origin'), ORIGIN);
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.doesNotMatch(answer.text, /secret|token/i);
      assert.deepEqual(sessionWrites, []);
    } finally {
      handler.close();
    }
  });

  it('leaves the probe list out when none is configured', async () => {
    const handler = handlerWith();
    try {
      const answer = await get(handler, '/readiness?destination=sales&mode=webrtc');
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(JSON.parse(answer.text), { mode: 'webrtc' });
    } finally {
      handler.close();
    }
  });

  it('answers a callback destination with its mode and no probe addresses', async () => {
    const handler = handlerWith(['wss://gw1.example:8443/ws']);
    try {
      const answer = await get(handler, PATHS.readiness({ destination: 'callback' }));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(JSON.parse(answer.text), { mode: 'callback' });
    } finally {
      handler.close();
    }
  });

  it('refuses what /session refuses: bad query, unknown destination, a mode not offered, a foreign origin', async () => {
    const handler = handlerWith(['wss://gw1.example:8443/ws']);
    try {
      const cases = [
        { path: '/readiness', status: 400, code: 'invalid-request' },
        { path: '/readiness?destination=', status: 400, code: 'invalid-request' },
        { path: `/readiness?destination=${'x'.repeat(65)}`, status: 400, code: 'invalid-request' },
        { path: '/readiness?destination=sales&mode=video', status: 400, code: 'invalid-request' },
        { path: '/readiness?destination=nope', status: 404, code: 'unknown-destination' },
        { path: '/readiness?destination=sales&mode=callback', status: 400, code: 'not-supported' },
        { path: '/readiness?destination=callback&mode=webrtc', status: 400, code: 'not-supported' },
      ];
      for (const { path, status, code } of cases) {
        const answer = await get(handler, path);
        assert.equal(answer.status, status, `${path}: ${answer.text}`);
        assert.equal(JSON.parse(answer.text).error.code, code, path);
      }
      const foreign = await get(handler, '/readiness?destination=sales', 'https://evil.example');
      assert.equal(foreign.status, 403);
      assert.equal(JSON.parse(foreign.text).error.code, 'origin-not-allowed');
      assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    } finally {
      handler.close();
    }
  });

  it('the same query check runs in the browser before sending', () => {
    assert.equal(PATHS.readiness({ destination: 'a b', mode: 'callback' }), '/readiness?destination=a%20b&mode=callback');
  });
});

describe('providers.huawei.probeAddresses', () => {
  it('takes ws(s) URLs and host:port, and refuses anything else naming the key', () => {
    const base = { destinations: { sales: { provider: 'huawei' } } };
    const ok = parseConfig({ ...base, providers: { huawei: { ...HUAWEI, probeAddresses: ['wss://gw.example/ws', 'ws://10.0.0.1:8080', 'gw.example:443'] } } });
    assert.equal(ok.providers.huawei?.probeAddresses?.length, 3);
    for (const bad of ['https://gw.example', 'gw.example', 'wss://has space']) {
      assert.throws(
        () => parseConfig({ ...base, providers: { huawei: { ...HUAWEI, probeAddresses: [bad] } } }),
        /providers\.huawei\.probeAddresses\.0: expected a ws:\/\/ or wss:\/\/ URL, or host:port/,
        bad,
      );
    }
  });

  it('is read from C2C_HUAWEI_PROBE_ADDRESSES as a comma-separated list', () => {
    const config = loadConfig({
      config: { destinations: { sales: { provider: 'huawei' } }, providers: { huawei: HUAWEI } },
      env: { C2C_HUAWEI_PROBE_ADDRESSES: 'wss://a.example:8443, b.example:443' },
    });
    assert.deepEqual(config.providers.huawei?.probeAddresses, ['wss://a.example:8443', 'b.example:443']);
  });
});
