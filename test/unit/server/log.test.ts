/**
 * The token endpoint's structured log, from the real handler on a real port with the Huawei and
 * Sarv simulators: one line per request with its fields, the notable events (rate limit, vendor
 * error, rejected webhook, token refresh), request ids, and no secret in any line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createC2CHandler, serve, type LogRecord, type RunningServer } from '../../../src/server/index.ts';
import { createLog, jsonLines, requestIdOf } from '../../../src/server/log.ts';
import { startSarvSimulator, type SarvSimulator } from '../../../src/sandbox/sarv-simulator.ts';
import { NO_LIMITS, ORIGIN, SIGNING_KEY, startRig, type Rig } from './rig.ts';

const SARV_SECRET = 'sarv-webhook-secret-log-test-0123456789abcdef';
const SARV_TOKEN = 'sarv-token-log-test-0123';
const PHONE = '+91 98765 43210';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('structured log of the token endpoint', () => {
  let rig: Rig;
  let sarv: SarvSimulator;
  let callback: RunningServer;
  const records: LogRecord[] = [];
  /** Everything a visitor or vendor held that must never be logged. */
  const secrets: string[] = [];

  before(async () => {
    rig = await startRig({
      config: { limits: { ...NO_LIMITS, sessionsPerIp: { points: 3, durationSeconds: 60 } } },
      handler: { logger: (record) => void records.push(record) },
    });
    sarv = await startSarvSimulator({ userId: '42', token: SARV_TOKEN });
    const handler = createC2CHandler(
      {
        allowedOrigins: [ORIGIN],
        signingKeys: [SIGNING_KEY],
        limits: NO_LIMITS,
        destinations: { support: { provider: 'sarv', to: '101', toType: 'Agent' } },
        providers: { sarv: { baseUrl: sarv.url, userId: '42', token: SARV_TOKEN, webhookSecret: SARV_SECRET } },
        log: 'debug',
      },
      { logger: (record) => void records.push(record) },
    );
    callback = await serve({ handler, port: 0 });
    sarv.control.setPushReportUrl(`${callback.url}/webhooks/sarv/${SARV_SECRET}`);
    secrets.push(...rig.secrets(), SIGNING_KEY.secret, SARV_SECRET, SARV_TOKEN);
  });
  after(async () => {
    await rig?.close();
    await callback?.close();
    await sarv?.close();
  });

  const linesOf = (requestId: string) => records.filter((r) => r.requestId === requestId);

  it('logs one line per request with method, route, status, duration and the call\'s fields; echoes the request id', async () => {
    const minted = await rig.request('POST', '/session', { body: { destination: 'sales' }, headers: { 'X-Request-Id': 'lb-7f3a.42:edge' } });
    assert.equal(minted.status, 201);
    assert.equal(minted.headers.get('x-request-id'), 'lb-7f3a.42:edge', 'a well-formed incoming id is kept');
    const token = minted.body.token as string;
    secrets.push(token);
    const [session] = linesOf('lb-7f3a.42:edge');
    assert.ok(session, JSON.stringify(records));
    assert.equal(session.msg, 'request');
    assert.equal(session.level, 'info');
    assert.equal(session.method, 'POST');
    assert.equal(session.route, '/session');
    assert.equal(session.status, 201);
    assert.equal(typeof session.durationMs, 'number');
    assert.equal(session.provider, 'huawei');
    assert.equal(session.destination, 'sales');
    assert.equal(session.mode, 'webrtc');
    assert.ok(!Number.isNaN(Date.parse(session.time)), session.time);

    const started = await rig.request('POST', '/calls', { token, body: {} });
    const callId = started.body.callId as string;
    const start = linesOf(started.headers.get('x-request-id')!);
    assert.match(started.headers.get('x-request-id')!, UUID, 'without an incoming id one is made');
    assert.equal(start.length, 1);
    assert.deepEqual([start[0]!.route, start[0]!.status, start[0]!.callId], ['/calls', 201, callId]);

    await rig.pollUntil(token, callId, 'media');
    const polls = records.filter((r) => r.route === '/calls/:callId/events');
    assert.ok(polls.length >= 1);
    assert.ok(polls.every((r) => r.callId === callId && r.provider === 'huawei' && typeof r.events === 'number'), JSON.stringify(polls));
    assert.ok(polls.some((r) => (r.events as number) > 0));
    // The route is the pattern: the query (`after=`) and the call id in the path are not in it.
    assert.ok(records.every((r) => r.route === null || r.route === undefined || !String(r.route).includes('?')));

    const hung = await rig.hangup(token, callId);
    const [hangup] = linesOf(hung.headers.get('x-request-id')!);
    assert.deepEqual([hangup!.route, hangup!.status, hangup!.callId, hangup!.dropped], ['/calls/:callId/hangup', 200, callId, true]);
  });

  it('replaces a hostile X-Request-Id (too long, odd characters) with its own', async () => {
    for (const hostile of ['x'.repeat(129), 'a b', 'id"<script>', 'é-accent']) {
      const answer = await rig.request('GET', '/health', { headers: { 'X-Request-Id': hostile } });
      const id = answer.headers.get('x-request-id')!;
      assert.match(id, UUID, `${hostile} was kept`);
    }
    // Header values with CR or LF cannot even be sent with fetch; the check refuses them too.
    for (const hostile of ['abc\r\nX-Evil: 1', 'abc\ndef', '', undefined, null]) assert.match(requestIdOf(hostile), UUID);
    assert.equal(requestIdOf('Root=1-5e1b4151-5ac6c58f'), 'Root=1-5e1b4151-5ac6c58f');
  });

  it('logs a vendor error with the vendor\'s status', async () => {
    rig.sim.control.failNext('applyToken', { status: 503 });
    const answer = await rig.request('POST', '/session', { body: { destination: 'sales' } });
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    const lines = linesOf(answer.headers.get('x-request-id')!);
    const vendor = lines.find((r) => r.msg === 'vendor-error');
    assert.ok(vendor, JSON.stringify(lines));
    assert.deepEqual([vendor.level, vendor.provider, vendor.code, vendor.vendorStatus], ['warn', 'huawei', 'vendor-unavailable', '503']);
    assert.equal(lines.find((r) => r.msg === 'request')!.code, 'vendor-unavailable');
  });

  it('logs a rate-limit refusal with the rule, never the key', async () => {
    let status = 0;
    let rid = '';
    for (let i = 0; i < 5 && status !== 429; i++) {
      const answer = await rig.request('POST', '/session', { body: { destination: 'sales' } });
      status = answer.status;
      rid = answer.headers.get('x-request-id')!;
      if (answer.body?.token) secrets.push(answer.body.token);
    }
    assert.equal(status, 429);
    const lines = linesOf(rid);
    const refusal = lines.find((r) => r.msg === 'rate-limited');
    assert.ok(refusal, JSON.stringify(lines));
    assert.equal(refusal.level, 'warn');
    assert.equal(refusal.rule, 'sessionsPerIp');
    assert.equal(typeof refusal.retryAfter, 'number');
    const request = lines.find((r) => r.msg === 'request')!;
    assert.deepEqual([request.status, request.code], [429, 'rate-limited']);
    assert.ok(!JSON.stringify(lines).includes('127.0.0.1'), 'the client address is not logged');
  });

  it('logs each AccessToken refresh without the token', () => {
    const refreshes = records.filter((r) => r.msg === 'token-refresh');
    assert.ok(refreshes.length >= 1, 'the first session fetched an AccessToken');
    assert.deepEqual([refreshes[0]!.provider, refreshes[0]!.ok, refreshes[0]!.reason], ['huawei', true, 'expired']);
    assert.equal(typeof refreshes[0]!.expiresInSeconds, 'number');
  });

  it('callback calls: the visitor\'s number is masked; a webhook with a wrong secret is logged without its path', async () => {
    sarv.control.scriptNextCall({ outcome: 'answered', talkSeconds: 30, ringMs: 30 });
    const session = await (await fetch(`${callback.url}/session`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', 'x-request-id': 'cb-session' },
      body: JSON.stringify({ destination: 'support', captchaToken: 'captcha-token-log-test-0123456789' }),
    }).then((r) => r.json())) as { token: string };
    secrets.push(session.token, 'captcha-token-log-test-0123456789');
    const res = await fetch(`${callback.url}/calls`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${session.token}`, 'x-request-id': 'cb-start' },
      body: JSON.stringify({ phone: PHONE }),
    });
    assert.equal(res.status, 201);
    const [start] = linesOf('cb-start');
    assert.equal(start!.phone, '***10');
    assert.equal(start!.provider, 'sarv');
    assert.equal(typeof start!.vendorCallId, 'string');

    const forged = await fetch(`${callback.url}/webhooks/sarv/not-the-secret-${'z'.repeat(20)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'forged' },
      body: '{}',
    });
    assert.equal(forged.status, 401);
    const lines = linesOf('forged');
    const rejected = lines.find((r) => r.msg === 'webhook-rejected');
    assert.ok(rejected, JSON.stringify(lines));
    assert.deepEqual([rejected.level, rejected.provider, rejected.code], ['warn', 'sarv', 'unauthorized']);
    const request = lines.find((r) => r.msg === 'request')!;
    assert.equal(request.route, '/webhooks/:provider/*');
    assert.ok(!JSON.stringify(lines).includes('not-the-secret'), 'the path is not logged');
  });

  it('no line holds a secret, a token, a signature or a whole phone number', () => {
    assert.ok(records.length > 10, `only ${records.length} records`);
    const text = records.map((r) => JSON.stringify(r)).join('\n');
    for (const secret of secrets) assert.ok(!text.includes(secret), `a log line holds ${secret.slice(0, 10)}…`);
    for (const digits of ['9876543210', '98765 43210', '919876543210']) assert.ok(!text.includes(digits), digits);
    assert.doesNotMatch(text, /Bearer|eyJ[\w-]+\./);
    for (const record of records) {
      assert.ok(['debug', 'info', 'warn', 'error'].includes(record.level));
      assert.equal(typeof record.msg, 'string');
    }
  });
});

describe('the log itself', () => {
  it('filters by level, writes one JSON line per record, scrubs free text and survives a broken sink', () => {
    const lines: string[] = [];
    const log = createLog({ logger: jsonLines((line) => lines.push(line)), level: 'warn', secrets: ['app-secret-0123456789'], now: () => 0 });
    log.info('request', { status: 200 });
    log.warn('vendor-error', {
      message: 'refused app-secret-0123456789 for +1 415 555 0123 with Bearer abc.def.ghi',
      token: 'never',
      authorization: 'never',
      phone: '+14155550123',
      requestId: '0d1e2f',
    });
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]!);
    assert.deepEqual(Object.keys(record), ['time', 'level', 'msg', 'message', 'phone', 'requestId']);
    assert.equal(record.time, '1970-01-01T00:00:00.000Z');
    assert.equal(record.message, 'refused *** for ***23 with Bearer ***');
    assert.equal(record.phone, '***23');
    const silent = createLog({ logger: () => assert.fail('silent logs nothing'), level: 'silent' });
    silent.error('unexpected-error');
    const broken = createLog({ logger: () => { throw new Error('disk full'); } });
    assert.doesNotThrow(() => broken.info('request'));
  });

  it('an embedded handler without a logger or a log level writes nothing to the console', async () => {
    const written: unknown[] = [];
    const saved = console.log;
    console.log = (...args: unknown[]) => void written.push(args);
    try {
      const handler = createC2CHandler({ allowedOrigins: [ORIGIN], signingKeys: [SIGNING_KEY], destinations: {} });
      const answer = await handler(new Request('http://x/health'));
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('x-request-id')!, UUID);
      const logged = createC2CHandler({ allowedOrigins: [ORIGIN], signingKeys: [SIGNING_KEY], destinations: {}, log: 'info' });
      await logged(new Request('http://x/nowhere?token=abc'));
    } finally {
      console.log = saved;
    }
    assert.equal(written.length, 1, JSON.stringify(written));
    const record = JSON.parse(String((written[0] as unknown[])[0]));
    assert.deepEqual([record.msg, record.status, record.route, record.code], ['request', 404, null, 'invalid-request']);
  });
});

describe('c2c-server --log', () => {
  const configFile = async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'c2c-log-')), 'c2c.config.json');
    writeFileSync(file, JSON.stringify({ allowedOrigins: [ORIGIN], signingKeys: [SIGNING_KEY], destinations: {} }));
    return file;
  };

  it('logs each request as a JSON line on stdout at info by default, and follows --log', async () => {
    const { main } = await import('../../../src/server/cli.ts');
    const file = await configFile();
    for (const [args, expected] of [[[], 1], [['--log', 'warn'], 0]] as const) {
      const out: string[] = [];
      const result = await main(['--config', file, '--port', '0', ...args], { stdout: (t) => void out.push(t), stderr: (t) => void out.push(t), env: {} });
      assert.equal(result.code, 0, out.join(''));
      try {
        const answer = await fetch(`${result.url}/health`, { headers: { 'x-request-id': 'cli-check' } });
        assert.equal(answer.status, 200);
        await fetch(`${result.url}/session`, { method: 'OPTIONS' });
        assert.equal((await fetch(`${result.url}/nowhere`)).status, 404);
      } finally {
        await result.close?.();
      }
      const lines = out.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogRecord);
      // /health and preflights are logged at debug: only the 404 shows at info.
      assert.equal(lines.filter((r) => r.msg === 'request').length, expected, out.join(''));
    }
    const out: string[] = [];
    const bad = await main(['--config', file, '--log', 'loud'], { stdout: (t) => void out.push(t), stderr: (t) => void out.push(t), env: {} });
    assert.equal(bad.code, 2);
    assert.match(out.join(''), /--log: expected debug, info, warn, error, silent/);
  });
});
