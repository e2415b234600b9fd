/**
 * Rate limits through the real handler: per client address (mints and starts, X-Forwarded-For
 * only behind a configured proxy), per visitor number with a cooldown (callback bombing), per
 * destination, and the circuit breaker on all starts. The memory limiter reads Date.now(), so
 * the tests that wait out a window move a mocked Date instead of sleeping.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it, mock } from 'node:test';
import { EndpointClient } from '../../../src/core/client.ts';
import { CallError } from '../../../src/core/errors.ts';
import { startSarvSimulator, type SarvSimulator } from '../../../src/sandbox/sarv-simulator.ts';
import {
  ConfigError,
  createC2CHandler,
  loadConfig,
  parseConfig,
  serve,
  type C2CConfigInput,
  type RunningServer,
} from '../../../src/server/index.ts';
import { addressKey, clientAddress } from '../../../src/server/limits.ts';
import { NO_LIMITS, ORIGIN, SIGNING_KEY, startRig, type Rig } from './rig.ts';

type Limits = NonNullable<C2CConfigInput['limits']>;

/** A rig whose only limits are `limits`. */
function rigWith(limits: Limits, extra: Partial<C2CConfigInput> = {}): Promise<Rig> {
  return startRig({
    sim: { script: { outcome: 'hold' } },
    config: { limits: { ...NO_LIMITS, ...limits }, destinations: { sales: { provider: 'huawei' }, support: { provider: 'huawei' } }, ...extra },
  });
}

function assertLimited(answer: { status: number; body: any; headers: Headers }, seconds: number, sentence: RegExp): void {
  assert.equal(answer.status, 429, JSON.stringify(answer.body));
  assert.equal(answer.body.error.code, 'rate-limited');
  assert.equal(answer.body.error.retryAfter, seconds);
  assert.equal(answer.headers.get('retry-after'), String(seconds));
  assert.match(answer.body.error.message, sentence);
}

describe('limits: per client address', () => {
  afterEach(() => mock.timers.reset());

  it('sessions per IP: the 4th mint in the window is 429 with Retry-After, before the vendor is asked; the next window is open', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const rig = await rigWith({ sessionsPerIp: { points: 3, durationSeconds: 60 } });
    try {
      for (let i = 0; i < 3; i++) await rig.mint();
      const applies = rig.sim.count('applyToken');
      mock.timers.tick(20_000);
      const refused = await rig.request('POST', '/session', { body: { destination: 'sales' } });
      assertLimited(refused, 40, /Too many requests from your network\. Try again in 40 s\./);
      assert.equal(rig.sim.count('applyToken'), applies, 'refused before the vendor');
      // The browser may read Retry-After across origins.
      assert.match(refused.headers.get('access-control-expose-headers') ?? '', /Retry-After/i);
      mock.timers.tick(40_000);
      assert.equal((await rig.request('POST', '/session', { body: { destination: 'sales' } })).status, 201);
    } finally {
      await rig.close();
    }
  });

  it('calls per IP: the 3rd start is refused, and the token is not used up by the refusal', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const rig = await rigWith({ callsPerIp: { points: 2, durationSeconds: 600 } });
    try {
      await rig.startCall(await rig.mint());
      await rig.startCall(await rig.mint());
      const token = await rig.mint();
      const creates = rig.sim.count('createClickToCall');
      assertLimited(await rig.request('POST', '/calls', { token, body: {} }), 600, /Too many calls from your network\. Try again in 10 min\./);
      assert.equal(rig.sim.count('createClickToCall'), creates);
      mock.timers.tick(600_000);
      assert.equal((await rig.request('POST', '/calls', { token, body: {} })).status, 201);
    } finally {
      await rig.close();
    }
  });

  it('X-Forwarded-For is ignored unless trustProxy says a proxy sets it', async () => {
    const rig = await rigWith({ sessionsPerIp: { points: 1, durationSeconds: 60 } });
    try {
      const mint = (xff: string) => rig.request('POST', '/session', { body: { destination: 'sales' }, headers: { 'X-Forwarded-For': xff } });
      assert.equal((await mint('203.0.113.1')).status, 201);
      // A forged header does not buy a fresh budget: the connection's address counts.
      assert.equal((await mint('203.0.113.2')).status, 429);
    } finally {
      await rig.close();
    }
  });

  it('behind one trusted proxy: the address the proxy appended counts, whatever the client put before it', async () => {
    const rig = await rigWith({ sessionsPerIp: { points: 1, durationSeconds: 60 } }, { trustProxy: 1 });
    try {
      const mint = (xff: string) => rig.request('POST', '/session', { body: { destination: 'sales' }, headers: { 'X-Forwarded-For': xff } });
      assert.equal((await mint('203.0.113.1')).status, 201);
      assert.equal((await mint('203.0.113.2')).status, 201, 'another visitor');
      assert.equal((await mint('198.51.100.7, 203.0.113.1')).status, 429, 'a forged first entry is not the client');
      assert.equal((await mint('2001:db8:1:2::1')).status, 201);
      assert.equal((await mint('2001:db8:1:2::ffff')).status, 429, 'one IPv6 /64 is one client');
    } finally {
      await rig.close();
    }
  });

  it('clientAddress and addressKey', () => {
    assert.equal(clientAddress('1.2.3.4', '::ffff:127.0.0.1', 0), '127.0.0.1');
    assert.equal(clientAddress('1.2.3.4', '10.0.0.1', 1), '1.2.3.4');
    assert.equal(clientAddress('9.9.9.9, 1.2.3.4', '10.0.0.1', 1), '1.2.3.4');
    assert.equal(clientAddress('9.9.9.9, 1.2.3.4, 10.0.0.2', '10.0.0.1', 2), '1.2.3.4');
    assert.equal(clientAddress('1.2.3.4', '10.0.0.1', 3), '1.2.3.4', 'fewer hops than configured: the furthest one');
    assert.equal(clientAddress('not-an-ip', '10.0.0.1', 1), '10.0.0.1');
    assert.equal(clientAddress(undefined, undefined, 0), null);
    assert.equal(clientAddress('1.2.3.4', undefined, 1), '1.2.3.4', 'a runtime without the socket address, behind its proxy');
    assert.equal(addressKey('192.0.2.1'), '192.0.2.1');
    assert.equal(addressKey('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
    assert.equal(addressKey('2001:DB8::1'), addressKey('2001:db8:0:0:ffff::2'));
  });

  it('a runtime that gives no client address skips per-IP limits, once warned', async () => {
    const warnings: string[] = [];
    const handler = createC2CHandler(
      { destinations: {}, signingKeys: [SIGNING_KEY], limits: { ...NO_LIMITS, sessionsPerIp: { points: 1, durationSeconds: 60 } } },
      { onWarning: (m) => warnings.push(m) },
    );
    const mint = () => handler(new Request('http://c2c.test/session', { method: 'POST', body: '{"destination":"nowhere"}' }));
    assert.equal((await mint()).status, 404);
    assert.equal((await mint()).status, 404, 'not rate-limited');
    assert.equal(warnings.length, 1, 'warned once');
    assert.match(warnings[0] ?? '', /client address/);
    const known = () => handler(new Request('http://c2c.test/session', { method: 'POST', body: '{"destination":"nowhere"}' }), { clientAddress: '192.0.2.9' });
    assert.equal((await known()).status, 404);
    assert.equal((await known()).status, 429);
  });
});

describe('limits: per destination and the circuit breaker', () => {
  afterEach(() => mock.timers.reset());

  it('per destination: one busy destination does not hold up another', async () => {
    const rig = await rigWith({ callsPerDestination: { points: 1, durationSeconds: 60 } });
    try {
      await rig.startCall(await rig.mint('sales'));
      assertLimited(await rig.request('POST', '/calls', { token: await rig.mint('sales'), body: {} }), 60, /Too many calls right now/);
      assert.equal((await rig.request('POST', '/calls', { token: await rig.mint('support'), body: {} })).status, 201);
    } finally {
      await rig.close();
    }
  });

  it('circuit breaker: past the starts per minute every visitor is refused until the minute is over', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const rig = await rigWith({ callsTotal: { points: 3, durationSeconds: 60 }, callsPerIp: { points: 1, durationSeconds: 60 } }, { trustProxy: 1 });
    try {
      const from = (ip: string) => ({ headers: { 'X-Forwarded-For': ip } });
      const start = async (ip: string) => rig.request('POST', '/calls', { token: await rig.mint(), body: {}, ...from(ip) });
      for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) assert.equal((await start(ip)).status, 201, ip);
      // A visitor refused by their own limit does not use up the breaker for everyone.
      assertLimited(await start('192.0.2.1'), 60, /from your network/);
      mock.timers.tick(30_000);
      const creates = rig.sim.count('createClickToCall');
      assertLimited(await start('192.0.2.4'), 30, /The call service is busy\. Try again in 30 s\./);
      assert.equal(rig.sim.count('createClickToCall'), creates);
      mock.timers.tick(30_000);
      assert.equal((await start('192.0.2.5')).status, 201);
    } finally {
      await rig.close();
    }
  });

  it('a factory passed as `limiters` replaces the memory limiters (where Redis plugs in)', async () => {
    const asked: Array<[string, string]> = [];
    const rig = await startRig({
      config: { limits: { ...NO_LIMITS, callsTotal: { points: 5, durationSeconds: 60 } } },
      handler: { limiters: (name) => ({ take: async (key) => (asked.push([name, key]), 4_200) }) },
    });
    try {
      assertLimited(await rig.request('POST', '/calls', { token: await rig.mint(), body: {} }), 5, /busy/);
      assert.deepEqual(asked, [['callsTotal', 'all']]);
    } finally {
      await rig.close();
    }
  });

  it('the browser client turns a 429 into rate-limited with retryAfter', async () => {
    const rig = await rigWith({ sessionsPerIp: { points: 1, durationSeconds: 60 } });
    try {
      const client = new EndpointClient(rig.server.url);
      await client.createSession({ destination: 'sales' }, new AbortController().signal);
      const error = await client.createSession({ destination: 'sales' }, new AbortController().signal).then(
        () => assert.fail('not refused'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof CallError);
      assert.equal(error.code, 'rate-limited');
      assert.ok(error.retryAfter !== undefined && error.retryAfter > 0 && error.retryAfter <= 60, String(error.retryAfter));
    } finally {
      await rig.close();
    }
  });
});

describe('limits: callback numbers', () => {
  let sarv: SarvSimulator;
  let endpoint: RunningServer;
  let handler: ReturnType<typeof createC2CHandler>;

  before(async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    sarv = await startSarvSimulator({ userId: '42', token: 'sarv-token', script: { outcome: 'answered', ringMs: 5_000, talkSeconds: 5 } });
    handler = createC2CHandler({
      allowedOrigins: [ORIGIN],
      signingKeys: [SIGNING_KEY],
      limits: { ...NO_LIMITS, numberCooldownSeconds: 120, callsPerNumber: { points: 2, durationSeconds: 3600 } },
      destinations: { sales: { provider: 'sarv', to: '101', toType: 'Agent' } },
      providers: { sarv: { baseUrl: sarv.url, userId: '42', token: 'sarv-token', webhookSecret: 'sarv-webhook-secret-0123456789abcdef' } },
    });
    endpoint = await serve({ port: 0, handler });
  });

  after(async () => {
    mock.timers.reset();
    handler?.close();
    await endpoint?.close();
    await sarv?.close();
  });

  async function start(phone: string): Promise<{ status: number; body: any; headers: Headers }> {
    const session = await (
      await fetch(`${endpoint.url}/session`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: '{"destination":"sales"}' })
    ).json();
    const res = await fetch(`${endpoint.url}/calls`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ destination: 'sales', phone }),
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  }

  it('cooldown: a number just called is not rung again for numberCooldownSeconds; other numbers are', async () => {
    assert.equal((await start('+91 98765 43210')).status, 201);
    const calls = sarv.calls().length;
    // The same number however it is written: the limit keys on E.164.
    assertLimited(await start('+919876543210'), 120, /We called this number a moment ago\. Try again in 2 min\./);
    assert.equal(sarv.calls().length, calls, 'the vendor was not asked');
    assert.equal((await start('+91 98765 43211')).status, 201);
    mock.timers.tick(90_000);
    assertLimited(await start('+91 98765 43210'), 30, /Try again in 30 s/);
    mock.timers.tick(30_000);
    assert.equal((await start('+91 98765 43210')).status, 201);
  });

  it('per number: past callsPerNumber in the window, refused though the cooldown is over', async () => {
    mock.timers.tick(120_000);
    const limited = await start('+91 98765 43210');
    assert.equal(limited.status, 429);
    assert.match(limited.body.error.message, /Too many calls to this number/);
    assert.ok(limited.body.error.retryAfter > 3000 && limited.body.error.retryAfter <= 3600, String(limited.body.error.retryAfter));
  });

  it('an invalid number is refused as invalid-phone-number before any number limit', async () => {
    const answer = await start('+1 900 555 0123');
    assert.equal(answer.body.error.code, 'invalid-phone-number');
  });
});

describe('limits: configuration', () => {
  const base = { destinations: {} };

  it('on by default, with the documented values', () => {
    assert.deepEqual(parseConfig(base).limits, {
      sessionsPerIp: { points: 20, durationSeconds: 60 },
      callsPerIp: { points: 10, durationSeconds: 600 },
      callsPerNumber: { points: 3, durationSeconds: 3600 },
      numberCooldownSeconds: 120,
      callsPerDestination: { points: 60, durationSeconds: 60 },
      callsTotal: { points: 300, durationSeconds: 60 },
    });
    assert.equal(parseConfig(base).trustProxy, 0);
  });

  it('the default rig limits bite: the 21st mint from one address in a minute is refused', async () => {
    const rig = await startRig({ config: { limits: parseConfig(base).limits } });
    try {
      const answers = [];
      for (let i = 0; i < 21; i++) answers.push((await rig.request('POST', '/session', { body: { destination: 'sales' } })).status);
      assert.deepEqual(answers, [...Array(20).fill(201), 429]);
    } finally {
      await rig.close();
    }
  });

  it('each limit is tunable or false; a partial override keeps the other defaults', () => {
    const config = parseConfig({ ...base, limits: { callsPerIp: false, sessionsPerIp: { points: 5, durationSeconds: 10 } } });
    assert.equal(config.limits.callsPerIp, false);
    assert.deepEqual(config.limits.sessionsPerIp, { points: 5, durationSeconds: 10 });
    assert.deepEqual(config.limits.callsTotal, { points: 300, durationSeconds: 60 });
  });

  it('clear errors: a misspelt key, a zero, a fraction', () => {
    const error = (limits: unknown) => {
      try {
        parseConfig({ ...base, limits });
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.message;
      }
      return assert.fail('accepted');
    };
    assert.match(error({ sessionPerIp: { points: 1, durationSeconds: 1 } }), /limits: Unrecognized key: "sessionPerIp"/);
    assert.match(error({ callsPerIp: { points: 0, durationSeconds: 60 } }), /limits\.callsPerIp/);
    assert.match(error({ numberCooldownSeconds: 1.5 }), /limits\.numberCooldownSeconds/);
    assert.match(error({ callsTotal: { points: 10 } }), /limits\.callsTotal/);
    assert.throws(() => parseConfig({ ...base, trustProxy: -1 }), /trustProxy/);
  });

  it('environment: C2C_LIMITS (JSON, over the file) and C2C_TRUST_PROXY', () => {
    const config = loadConfig({
      config: { ...base, limits: { callsPerIp: false } },
      env: { C2C_LIMITS: '{"callsTotal":{"points":50,"durationSeconds":60}}', C2C_TRUST_PROXY: '2' },
    });
    assert.equal(config.limits.callsPerIp, false);
    assert.deepEqual(config.limits.callsTotal, { points: 50, durationSeconds: 60 });
    assert.equal(config.trustProxy, 2);
    assert.equal(loadConfig({ config: base, env: { C2C_TRUST_PROXY: 'true' } }).trustProxy, 1);
    assert.throws(() => loadConfig({ config: base, env: { C2C_LIMITS: '{oops' } }), /C2C_LIMITS: not valid JSON/);
  });
});
