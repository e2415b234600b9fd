/**
 * Session tokens: signed (JWS HS256 with a kid), short-lived, single-use for a start, bound to
 * the origin and the destination, and keys that rotate without dropping a live call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompactSign, decodeJwt, decodeProtectedHeader } from 'jose';
import { startHuaweiSimulator, type HuaweiSimulator } from '../../../src/sandbox/huawei-simulator.ts';
import { ConfigError, createC2CHandler, createMemoryStores, loadConfig, parseConfig, type C2CHandler } from '../../../src/server/index.ts';
import { APP_KEY, APP_SECRET, CHANNEL_ID, NO_LIMITS, ORIGIN, OTHER_ORIGIN, SIGNING_KEY, startRig, type Rig } from './rig.ts';

const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const b64 = (value: unknown) => Buffer.from(encode(value)).toString('base64url');

/** Signs `claims` the way the endpoint does, with any key. */
function sign(claims: Record<string, unknown>, key: { kid: string; secret: string }, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactSign(encode(claims)).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid, ...header }).sign(encode(key.secret));
}

describe('session tokens: binding and refusals', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      sim: { script: { outcome: 'hold' } },
      config: { destinations: { sales: { provider: 'huawei' }, support: { provider: 'huawei' } } },
    });
  });
  after(() => rig.close());

  it('a token used from another origin, or without the Origin a page always sends on POST, does not start a call', async () => {
    const token = await rig.mint('sales', ORIGIN);
    for (const origin of [OTHER_ORIGIN, null]) {
      const answer = await rig.request('POST', '/calls', { token, body: {}, origin });
      assert.equal(answer.status, 403, String(origin));
      assert.equal(answer.body.error.code, 'origin-not-allowed');
    }
    assert.equal(rig.sim.count('createClickToCall'), 0);
    // Still good from its own origin: the refusals did not use it up.
    assert.equal((await rig.request('POST', '/calls', { token, body: {} })).status, 201);
  });

  it("a call's events and hang-up refuse another origin, and allow a same-origin GET without Origin", async () => {
    const token = await rig.mint();
    const callId = await rig.startCall(token);
    const foreign = await rig.request('GET', `/calls/${callId}/events`, { token, origin: OTHER_ORIGIN });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.error.code, 'origin-not-allowed');
    const hangup = await rig.request('POST', `/calls/${callId}/hangup`, { token, origin: OTHER_ORIGIN });
    assert.equal(hangup.body.error.code, 'origin-not-allowed');
    assert.equal((await rig.request('GET', `/calls/${callId}/events`, { token, origin: null })).status, 200);
  });

  it('a token minted for one destination does not start a call to another', async () => {
    const token = await rig.mint('sales');
    const creates = rig.sim.count('createClickToCall');
    const answer = await rig.request('POST', '/calls', { token, body: { destination: 'support' } });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.code, 'unauthorized');
    assert.match(answer.body.error.message, /another destination/);
    assert.equal(rig.sim.count('createClickToCall'), creates);
    // Naming its own destination (as the widget does) is fine.
    assert.equal((await rig.request('POST', '/calls', { token, body: { destination: 'sales' } })).status, 201);
  });

  it('a token past its two minutes is session-expired, to the millisecond', async () => {
    const token = await rig.mint();
    rig.clock.advance(119_999);
    const early = await rig.mint();
    rig.clock.advance(1);
    const answer = await rig.request('POST', '/calls', { token, body: {} });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.code, 'session-expired');
    assert.equal((await rig.request('POST', '/calls', { token: early, body: {} })).status, 201);
  });

  it('a tampered token is unauthorized: changed claims, changed signature, alg none', async () => {
    const token = await rig.mint('sales');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = decodeJwt(token);
    const variants = {
      'other destination': `${header}.${b64({ ...claims, dst: 'support' })}.${signature}`,
      'longer life': `${header}.${b64({ ...claims, exp: (claims.exp as number) + 3600 })}.${signature}`,
      'other origin': `${header}.${b64({ ...claims, org: OTHER_ORIGIN })}.${signature}`,
      'flipped signature': `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
      'alg none': `${b64({ alg: 'none', typ: 'JWT', kid: SIGNING_KEY.kid })}.${payload}.`,
      'alg HS512': await new CompactSign(encode(claims)).setProtectedHeader({ alg: 'HS512', kid: SIGNING_KEY.kid }).sign(encode(SIGNING_KEY.secret)),
      'not a JWS': 'x'.repeat(60),
    };
    for (const [name, forged] of Object.entries(variants)) {
      const answer = await rig.request('POST', '/calls', { token: forged, body: {} });
      assert.equal(answer.status, 401, name);
      assert.equal(answer.body.error.code, 'unauthorized', name);
    }
    assert.equal((await rig.request('POST', '/calls', { token, body: {} })).status, 201, 'the real one still works');
  });

  it('a token signed by an unknown key, or by a known kid with the wrong secret, is unauthorized', async () => {
    const claims = decodeJwt(await rig.mint());
    for (const key of [{ kid: 'stranger', secret: SIGNING_KEY.secret }, { kid: SIGNING_KEY.kid, secret: 'x'.repeat(40) }]) {
      const answer = await rig.request('POST', '/calls', { token: await sign(claims, key), body: {} });
      assert.equal(answer.status, 401, key.kid);
      assert.equal(answer.body.error.code, 'unauthorized');
    }
    const noKid = await new CompactSign(encode(claims)).setProtectedHeader({ alg: 'HS256' }).sign(encode(SIGNING_KEY.secret));
    assert.equal((await rig.request('POST', '/calls', { token: noKid, body: {} })).body.error.code, 'unauthorized');
  });

  it('an oversized Authorization header is unauthorized, not an error', async () => {
    const answer = await rig.request('POST', '/calls', { body: {}, headers: { Authorization: `Bearer ${'a'.repeat(3000)}.${'b'.repeat(3000)}.c` } });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.code, 'unauthorized');
    assert.deepEqual(rig.errors, []);
  });
});

describe('session tokens: key rotation', () => {
  const KEY_A = { kid: 'key-a', secret: 'a-secret-for-signing-0123456789abcdef' };
  const KEY_B = { kid: 'key-b', secret: 'b-secret-for-signing-0123456789abcdef' };
  let sim: HuaweiSimulator;
  const stores = createMemoryStores();

  before(async () => {
    sim = await startHuaweiSimulator({ appKey: APP_KEY, appSecret: APP_SECRET, channelId: CHANNEL_ID, longPollMs: 50, script: { outcome: 'hold', queueMs: 10 } });
  });
  after(() => sim.close());

  /** One instance of the endpoint with these keys; all instances share the stores (as Redis would). */
  function instance(keys: Array<{ kid: string; secret: string }>): C2CHandler {
    return createC2CHandler(
      {
        allowedOrigins: [ORIGIN],
        destinations: { sales: { provider: 'huawei' } },
        providers: { huawei: { baseUrl: sim.url, appKey: APP_KEY, appSecret: APP_SECRET, channelId: CHANNEL_ID } },
        signingKeys: keys,
        limits: NO_LIMITS,
      },
      { stores },
    );
  }

  async function send(handler: C2CHandler, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { Origin: ORIGIN };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await handler(new Request(`http://c2c.test${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
    return { status: response.status, body: await response.json() };
  }

  it('sign with A; rotate to [B, A]: the live call goes on; drop A: tokens signed with A are refused', async () => {
    const withA = instance([KEY_A]);
    const session = await send(withA, 'POST', '/session', undefined, { destination: 'sales' });
    assert.equal(session.status, 201);
    const live = session.body.token as string;
    assert.equal(decodeProtectedHeader(live).kid, 'key-a');
    const started = await send(withA, 'POST', '/calls', live, {});
    assert.equal(started.status, 201);
    const callId = started.body.callId as string;
    // A token minted with A that has not started its call yet.
    const pending = (await send(withA, 'POST', '/session', undefined, { destination: 'sales' })).body.token as string;

    // The new key signs, the old one still verifies.
    const rotated = instance([KEY_B, KEY_A]);
    const events = await send(rotated, 'GET', `/calls/${callId}/events`, live);
    assert.equal(events.status, 200, JSON.stringify(events.body));
    const fresh = await send(rotated, 'POST', '/session', undefined, { destination: 'sales' });
    assert.equal(decodeProtectedHeader(fresh.body.token).kid, 'key-b');
    assert.equal((await send(rotated, 'POST', '/calls', pending, {})).status, 201, 'an A token minted before the rotation still starts its call');
    const hangup = await send(rotated, 'POST', `/calls/${callId}/hangup`, live, {});
    assert.equal(hangup.status, 200, JSON.stringify(hangup.body));
    assert.equal(sim.state.calls().filter((c) => c.status === 'dropped').length, 1);

    // A removed: what it signed is refused, what B signed works.
    const onlyB = instance([KEY_B]);
    const oldToken = (await send(withA, 'POST', '/session', undefined, { destination: 'sales' })).body.token as string;
    const refused = await send(onlyB, 'POST', '/calls', oldToken, {});
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'unauthorized');
    assert.match(refused.body.error.message, /key/);
    assert.equal((await send(onlyB, 'GET', `/calls/${callId}/events`, live)).body.error.code, 'unauthorized');
    assert.equal((await send(onlyB, 'POST', '/calls', fresh.body.token, {})).status, 201);
  });

  it('without a configured key: a random one, and a warning that several instances need a configured key', async () => {
    const warnings: string[] = [];
    const handler = createC2CHandler(
      {
        allowedOrigins: [ORIGIN],
        destinations: { sales: { provider: 'huawei' } },
        providers: { huawei: { baseUrl: sim.url, appKey: APP_KEY, appSecret: APP_SECRET, channelId: CHANNEL_ID } },
      },
      { onWarning: (message) => warnings.push(message) },
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /signing key/);
    assert.match(warnings[0]!, /[Ss]everal instances/);
    const session = await send(handler, 'POST', '/session', undefined, { destination: 'sales' });
    assert.match(String(decodeProtectedHeader(session.body.token).kid), /^ephemeral-/);
    // Another process makes another key: its tokens are strangers here.
    const other = instance([KEY_A]);
    assert.equal((await send(other, 'POST', '/calls', session.body.token, {})).body.error.code, 'unauthorized');
    const quiet: string[] = [];
    instance([KEY_A]);
    createC2CHandler({ destinations: {}, signingKeys: [KEY_A] }, { onWarning: (m) => quiet.push(m) });
    assert.deepEqual(quiet, []);
  });
});

describe('session tokens: configuration', () => {
  const base = { destinations: {} };

  it('signing keys: at least 32 characters, kids unique and plain', () => {
    assert.throws(() => parseConfig({ ...base, signingKeys: [{ kid: 'k', secret: 'short' }] }), (e: unknown) => e instanceof ConfigError && /signingKeys\.0\.secret: expected at least 32 characters/.test(e.message));
    assert.throws(() => parseConfig({ ...base, signingKeys: [SIGNING_KEY, SIGNING_KEY] }), /signingKeys\.1\.kid: kid 'test-2026' is listed twice/);
    assert.throws(() => parseConfig({ ...base, signingKeys: [{ kid: 'a b', secret: SIGNING_KEY.secret }] }), /signingKeys\.0\.kid/);
    assert.deepEqual(parseConfig(base).signingKeys, []);
  });

  it('C2C_SIGNING_KEYS lists kid:secret pairs, the signing key first', () => {
    const config = loadConfig({ config: base, env: { C2C_SIGNING_KEYS: `new:${'n'.repeat(32)}, old:${'o'.repeat(16)}:${'p'.repeat(16)}` } });
    assert.deepEqual(config.signingKeys, [
      { kid: 'new', secret: 'n'.repeat(32) },
      { kid: 'old', secret: `${'o'.repeat(16)}:${'p'.repeat(16)}` },
    ]);
    assert.throws(() => loadConfig({ config: base, env: { C2C_SIGNING_KEYS: 'no-colon' } }), /C2C_SIGNING_KEYS: expected kid:secret/);
  });
});
