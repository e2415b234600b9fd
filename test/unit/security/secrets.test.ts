/**
 * No configured secret reaches a browser: not in dist/ (run `npm run build` first: this test
 * builds nothing), and not in any answer of the real token endpoint run with the sandbox's
 * configuration, over a whole set of browser-visible requests: session, start, events (JSON and
 * server-sent events), hang-up, slots, readiness, health, preflights, and every error path the
 * simulators can trigger. The secrets are read from the configuration objects themselves
 * (test/support/secrets.ts), plus the Huawei AccessTokens and ccmessaging-tokens handed out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { filesUnder, findSecrets, literalSecretsIn, scanDirectory, secretsOf, type Secret } from '../../support/secrets.ts';

/** Source files whose configurations hold secrets: the tests', the simulators', the test runner's. */
function configSources(): string[] {
  return [...filesUnder('test'), ...filesUnder('src/sandbox'), ...filesUnder('bench'), 'web-test-runner.config.mjs']
    .filter((file) => /\.(ts|mjs|js|json)$/.test(file));
}

describe('the secret scan itself', () => {
  test('walks any configuration for secret-shaped keys, a new vendor included, and finds planted secrets', () => {
    const config = {
      allowedOrigins: ['https://shop.example'],
      destinations: { sales: { provider: 'acme', menuId: 9 } },
      providers: {
        acme: { baseUrl: 'https://acme.example', apiKey: 'acme-key-0123456789', nested: { password: 'hunter2-hunter2' } },
        huawei: { appKey: 'AK-planted-0001', appSecret: 'SK-planted-0002', channelId: 'web-channel', tokenExpireSeconds: 600 },
      },
    };
    const secrets = secretsOf(config);
    const places = secrets.map((s) => s.where);
    for (const where of ['providers.acme.apiKey', 'providers.acme.nested.password', 'providers.huawei.appKey', 'providers.huawei.appSecret']) {
      assert.ok(places.includes(where), `${where} not found in ${places.join(', ')}`);
    }
    assert.ok(!places.some((p) => /channelId|baseUrl|menuId|allowedOrigins|tokenExpireSeconds/.test(p)), places.join(', '));

    const sk = 'SK-planted-0002';
    assert.deepEqual(findSecrets(`{"error":"x${sk}x"}`, secrets, 'a').map((e) => e.secret), ['providers.huawei.appSecret']);
    assert.equal(findSecrets(`?k=${encodeURIComponent('hunter2 hunter2')}`, secretsOf({ password: 'hunter2 hunter2' }), 'b').length, 1);
    const basic = Buffer.from('AK-planted-0001:SK-planted-0002').toString('base64');
    assert.equal(findSecrets(`authorization: Basic ${basic}`, secrets, 'c').length, 1);
    assert.deepEqual(findSecrets('{"ok":true}', secrets, 'd'), []);

    const dir = mkdtempSync(join(tmpdir(), 'c2c-scan-'));
    try {
      mkdirSync(join(dir, 'server'));
      writeFileSync(join(dir, 'clean.js'), 'export const a = 1;');
      writeFileSync(join(dir, 'server', 'leaky.js.map'), `{"sourcesContent":["const k = '${sk}'"]}`);
      assert.deepEqual(scanDirectory(dir, secrets), [{ in: join('server', 'leaky.js.map'), secret: 'providers.huawei.appSecret' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('finds the secret literals of the tests\' configurations', () => {
    const literals = literalSecretsIn(configSources()).map((s) => s.value);
    // A few that tests configure (rig.ts, the e2e stack, the property tests).
    for (const value of ['SK-d41d8c-test-app-secret', 'e2e-secret', 'cti-shared-secret-0123456789']) {
      assert.ok(literals.includes(value), `${value} not among ${literals.length} literals`);
    }
  });
});

describe('dist/ holds no secret', () => {
  test('no file under dist/ (browser chunks, source maps, the Node build) contains a secret of the tests or the sandbox', async () => {
    assert.ok(existsSync('dist/click-to-call.js'), 'run npm run build first');
    const sandbox = await startSandbox({ port: 0, quiet: true });
    try {
      const secrets: Secret[] = [...literalSecretsIn(configSources()), ...secretsOf(sandbox.config, 'sandbox')];
      assert.ok(secrets.length > 30, `only ${secrets.length} secrets to look for`);
      assert.ok(filesUnder('dist').length > 10);
      assert.deepEqual(scanDirectory('dist', secrets), []);
    } finally {
      await sandbox.close();
    }
  });
});

interface Seen {
  what: string;
  status: number;
  headers: string;
  body: string;
}

describe('the endpoint with the sandbox configuration never answers a secret', () => {
  let sandbox: Sandbox;
  const seen: Seen[] = [];
  let origin: string;

  before(async () => {
    sandbox = await startSandbox({ port: 0, quiet: true, queueMs: 50 });
    origin = sandbox.url;
  });
  after(() => sandbox?.close());

  /** A request as a browser on the sandbox's page makes it (Origin set), answer recorded whole. */
  async function ask(what: string, method: string, path: string, init: { body?: unknown; raw?: string; token?: string; origin?: string | null; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    const from = init.origin === undefined ? origin : init.origin;
    if (from !== null) headers.origin = from;
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body = init.raw;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${sandbox.endpoint}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    seen.push({ what, status: response.status, headers: [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n'), body: text });
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  }

  /** Server-sent events of a call, read until a final event or `ms` (the stream is then cut). */
  async function stream(what: string, token: string, callId: string, ms = 8_000): Promise<string> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), ms);
    let text = '';
    let status = 0;
    let headers = '';
    try {
      const response = await fetch(`${sandbox.endpoint}/calls/${encodeURIComponent(callId)}/events`, {
        headers: { origin, authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        signal: abort.signal,
      });
      status = response.status;
      headers = [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        if (/"type":"(ended|failed|scheduled)"/.test(text)) break;
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
    seen.push({ what, status, headers, body: text });
    return text;
  }

  async function mint(destination: string): Promise<string> {
    const answer = await ask(`session ${destination}`, 'POST', '/session', { body: { destination } });
    assert.equal(answer.status, 201, JSON.stringify(answer.json));
    return answer.json.token;
  }

  async function pollUntil(what: string, token: string, callId: string, done: RegExp, max = 30): Promise<string> {
    let after = '';
    let all = '';
    for (let i = 0; i < max; i++) {
      const answer = await ask(what, 'GET', `/calls/${encodeURIComponent(callId)}/events${after ? `?after=${encodeURIComponent(after)}` : ''}`, { token });
      if (answer.status !== 200) return all;
      const events: Array<{ id: string }> = answer.json.events;
      all += JSON.stringify(events);
      if (events.length) after = events.at(-1)!.id;
      if (done.test(all)) return all;
    }
    return all;
  }

  test('a whole set of browser-visible requests, error paths included', async () => {
    const huawei = sandbox.simulator.control;
    // Health, preflights, readiness, slots.
    await ask('health', 'GET', '/health');
    await ask('preflight', 'OPTIONS', '/calls', { headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    await ask('preflight, foreign origin', 'OPTIONS', '/session', { origin: 'https://evil.example', headers: { 'access-control-request-method': 'POST' } });
    for (const destination of ['sales', 'callback-sarv', 'callback-udesk', 'callback-ccai', 'nope']) {
      await ask(`readiness ${destination}`, 'GET', `/readiness?destination=${destination}`);
    }
    await ask('readiness webrtc', 'GET', '/readiness?destination=sales&mode=webrtc');
    const slots = await ask('slots', 'GET', '/slots?destination=callback-ccai');
    assert.equal(slots.status, 200);
    await ask('slots, unknown destination', 'GET', '/slots?destination=nope');

    // A WebRTC call at Huawei: session, start, JSON long poll to the gateway, hang-up.
    huawei.scriptNextCall({ outcome: 'connect', queueMs: 20 });
    const token = await mint('sales');
    const started = await ask('start webrtc', 'POST', '/calls', { token, body: {} });
    assert.equal(started.status, 201);
    const events = await pollUntil('events webrtc', token, started.json.callId, /"type":"media"/);
    assert.match(events, /"gateway"/);
    await ask('events as server-sent events (webrtc)', 'GET', `/calls/${encodeURIComponent(started.json.callId)}/events`, { token, headers: { accept: 'text/event-stream' } }).catch(() => undefined);
    assert.equal((await ask('hang-up webrtc', 'POST', `/calls/${encodeURIComponent(started.json.callId)}/hangup`, { token })).status < 300, true);
    await ask('hang-up again', 'POST', `/calls/${encodeURIComponent(started.json.callId)}/hangup`, { token });

    // Huawei failures: cause text, refusals, credentials refused and refreshed, broken answers.
    huawei.scriptNextCall({ outcome: 'failed', queueMs: 10, causeDesc: 'Agent line failure' });
    const failing = await mint('sales');
    const failed = await ask('start, failing call', 'POST', '/calls', { token: failing, body: {} });
    await pollUntil('events, failed call', failing, failed.json.callId, /"type":"failed"/);
    for (const result of ['7', '12', '13'] as const) {
      huawei.scriptNextCall({ createResult: result });
      await ask(`start, createResult ${result}`, 'POST', '/calls', { token: await mint('sales'), body: {} });
    }
    huawei.failNext('createClickToCall', { status: 401, body: { errorCode: 'x', exceptionInfo: 'auth fail' } }, 2);
    await ask('start, vendor 401 twice', 'POST', '/calls', { token: await mint('sales'), body: {} });
    huawei.failNext('createClickToCall', { status: 500 });
    await ask('start, vendor 500', 'POST', '/calls', { token: await mint('sales'), body: {} });
    huawei.failNext('createClickToCall', { malformed: true });
    await ask('start, vendor malformed', 'POST', '/calls', { token: await mint('sales'), body: {} });
    huawei.expireAccessTokens();
    huawei.failNext('tokenByAkSk', { status: 401 }, 3);
    huawei.failNext('applyToken', { status: 403 }, 3);
    // Until the injected faults are used up (each session may try more than once).
    for (let i = 0; i < 8; i++) {
      if ((await ask('session, AccessToken / applyToken refused', 'POST', '/session', { body: { destination: 'sales' } })).status === 201) break;
    }
    huawei.expireCcTokens();
    huawei.scriptNextCall({ outcome: 'hold' });
    const held = await mint('sales');
    const holding = await ask('start after expired tokens', 'POST', '/calls', { token: held, body: {} });
    if (holding.status === 201) {
      huawei.failNext('getClickToCallEvents', { status: 502 });
      await ask('events, vendor 502', 'GET', `/calls/${encodeURIComponent(holding.json.callId)}/events`, { token: held });
      huawei.failNext('dropClickToCall', { status: 500 });
      await ask('hang-up, vendor 500', 'POST', `/calls/${encodeURIComponent(holding.json.callId)}/hangup`, { token: held });
    }

    // Requests a browser (or an attacker's page) can make wrong.
    await ask('session, unknown destination', 'POST', '/session', { body: { destination: 'nope' } });
    await ask('session, foreign origin', 'POST', '/session', { origin: 'https://evil.example', body: { destination: 'sales' } });
    await ask('session, null origin', 'POST', '/session', { origin: 'null', body: { destination: 'sales' } });
    await ask('session, malformed JSON', 'POST', '/session', { raw: '{"destination":', headers: { 'content-type': 'application/json' } });
    await ask('session, wrong shape', 'POST', '/session', { body: { destination: 42, extra: 'x'.repeat(5000) } });
    await ask('start, no token', 'POST', '/calls', { body: {} });
    await ask('start, bad token', 'POST', '/calls', { token: 'not-a-token', body: {} });
    await ask('start, used token', 'POST', '/calls', { token, body: {} });
    const other = await mint('sales');
    await ask('start, other origin', 'POST', '/calls', { token: other, origin: `http://localhost:${new URL(sandbox.url).port}`, body: {} });
    await ask('events, bad token', 'GET', `/calls/${encodeURIComponent(started.json.callId)}/events`, { token: 'not-a-token' });
    await ask('events, unknown call', 'GET', '/calls/unknown-call/events', { token: other });
    await ask('hang-up, unknown call', 'POST', '/calls/unknown-call/hangup', { token: other });
    await ask('unknown route', 'GET', '/nope');
    await ask('webhook sarv, wrong secret', 'POST', '/webhooks/sarv/wrong-secret', { raw: 'callid=1' });
    await ask('webhook udesk, unsigned', 'POST', '/webhooks/udesk?AppId=x&Timestamp=1&Sign=y', { body: { call_id: 'x' } });
    await ask('webhook cti, not configured', 'POST', '/webhooks/cti', { body: {} });

    // Callback calls: Sarv, udesk and CCAI, followed as server-sent events to the end.
    const phone = { 'callback-sarv': '+919876543210', 'callback-udesk': '+8613800138000', 'callback-ccai': '+14155550123' } as const;
    sandbox.sarv.control.scriptNextCall({ outcome: 'answered', ringMs: 50, talkSeconds: 5 });
    sandbox.udesk.control.scriptNextCall({ outcome: 'answered', ringMs: 50, talkMs: 50 });
    sandbox.ccai.control.scriptNextCall({ statuses: [['queued', 50], ['connected', 50], ['finished']] });
    await Promise.all((Object.keys(phone) as Array<keyof typeof phone>).map(async (destination) => {
      const t = await mint(destination);
      const call = await ask(`start ${destination}`, 'POST', '/calls', { token: t, body: { phone: phone[destination] } });
      assert.equal(call.status, 201, `${destination}: ${JSON.stringify(call.json)}`);
      const text = await stream(`events ${destination} (SSE)`, t, call.json.callId);
      assert.match(text, /event: call/, `${destination}: no event streamed`);
      await pollUntil(`events ${destination} (JSON)`, t, call.json.callId, /"type":"(ended|failed)"/, 2);
      await ask(`hang-up ${destination}`, 'POST', `/calls/${encodeURIComponent(call.json.callId)}/hangup`, { token: t });
    }));
    // A booked CCAI call.
    const booking = await mint('callback-ccai');
    await ask('book ccai', 'POST', '/calls', { token: booking, body: { phone: phone['callback-ccai'], scheduledAt: slots.json.slots[0] } });
    await ask('book ccai, a time not offered', 'POST', '/calls', { token: await mint('callback-ccai'), body: { phone: phone['callback-ccai'], scheduledAt: '2001-01-01T00:00:00Z' } });
    // Callback refusals and vendor failures.
    await ask('start callback, premium number', 'POST', '/calls', { token: await mint('callback-sarv'), body: { phone: '+19005550123' } });
    await ask('start callback, no number', 'POST', '/calls', { token: await mint('callback-sarv'), body: {} });
    sandbox.sarv.control.scriptNextCall({ errorCode: 1020 });
    await ask('sarv, token refused', 'POST', '/calls', { token: await mint('callback-sarv'), body: { phone: phone['callback-sarv'] } });
    sandbox.sarv.control.failNext({ status: 503 });
    await ask('sarv, 503', 'POST', '/calls', { token: await mint('callback-sarv'), body: { phone: phone['callback-sarv'] } });
    sandbox.udesk.control.failNext({ status: 401 });
    await ask('udesk, 401', 'POST', '/calls', { token: await mint('callback-udesk'), body: { phone: phone['callback-udesk'] } });
    sandbox.udesk.control.scriptNextCall({ errorCode: '100002' });
    await ask('udesk, app refused', 'POST', '/calls', { token: await mint('callback-udesk'), body: { phone: phone['callback-udesk'] } });
    sandbox.ccai.control.scriptNextCall({ error: { status: 401, message: 'Unauthorized' } });
    await ask('ccai, 401', 'POST', '/calls', { token: await mint('callback-ccai'), body: { phone: phone['callback-ccai'] } });
    sandbox.ccai.control.failNext({ status: 500, on: 'create' });
    await ask('ccai, 500', 'POST', '/calls', { token: await mint('callback-ccai'), body: { phone: phone['callback-ccai'] } });

    // The secrets: the configuration's, and what Huawei handed out meanwhile.
    const issued = sandbox.simulator.state.issuedSecrets();
    assert.ok(issued.length >= 4, `only ${issued.length} AccessTokens / ccmessaging-tokens issued`);
    const secrets: Secret[] = [
      ...secretsOf(sandbox.config, 'sandbox'),
      ...issued.map((value, i) => ({ where: `huawei issued #${i}`, value })),
    ];
    const places = secrets.map((s) => s.where);
    for (const key of ['huawei.appKey', 'huawei.appSecret', 'sarv.token', 'sarv.webhookSecret', 'udesk.authToken', 'udesk.secret', 'ccai.companyKey', 'ccai.companySecret']) {
      assert.ok(places.includes(`sandbox.providers.${key}`), `${key} missing from the walk: ${places.join(', ')}`);
    }

    // Coverage of what was asked: every status class the endpoint gives a browser.
    const statuses = new Set(seen.map((s) => s.status));
    for (const status of [200, 201, 204, 400, 401, 403, 404]) assert.ok(statuses.has(status), `no ${status} among ${[...statuses].join(', ')}`);
    assert.ok([...statuses].some((s) => s >= 500), `no 5xx among ${[...statuses].join(', ')}`);
    assert.ok(seen.length > 60, `only ${seen.length} answers`);

    const exposures = seen.flatMap((s) => findSecrets(`${s.headers}\n\n${s.body}`, secrets, `${s.what} (${s.status})`));
    assert.deepEqual(exposures, []);
    // The same scan on these answers finds a secret once one is planted in one.
    seen.at(-1)!.body += JSON.stringify({ leaked: sandbox.config.providers!.udesk!.secret });
    assert.equal(seen.flatMap((s) => findSecrets(`${s.headers}\n\n${s.body}`, secrets, s.what)).length, 1);
  });
});
