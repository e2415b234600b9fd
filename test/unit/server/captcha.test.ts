/**
 * The CAPTCHA hook against a local verifier that behaves like the services' siteverify: a form
 * POST of secret, response and remoteip in; JSON with success, error-codes and (reCAPTCHA v3)
 * score out. The real services cannot be reached from here.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CAPTCHA_VERIFY_URLS, ConfigError, loadConfig, parseConfig, type CaptchaConfig } from '../../../src/server/index.ts';
import { startRig, type Rig } from './rig.ts';

const SECRET = 'captcha-secret-0x4AAAAAAA';

interface Verifier {
  url: string;
  /** Form bodies received, in order. */
  seen: URLSearchParams[];
  contentTypes: string[];
  /** What the next answers are: a JSON body, or a status, or a delay. */
  answer: (form: URLSearchParams) => { status?: number; json?: unknown; text?: string; delayMs?: number };
  close(): Promise<void>;
}

async function startVerifier(): Promise<Verifier> {
  const held = new Set<NodeJS.Timeout>();
  const verifier: Verifier = {
    url: '',
    seen: [],
    contentTypes: [],
    answer: (form) => ({ json: form.get('response') === 'good-token' ? { success: true } : { success: false, 'error-codes': ['invalid-input-response'] } }),
    close: async () => {
      for (const timer of held) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const form = new URLSearchParams(body);
    verifier.seen.push(form);
    verifier.contentTypes.push(String(req.headers['content-type']));
    const reply = verifier.answer(form);
    const send = () => {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(reply.text ?? JSON.stringify(reply.json ?? {}));
    };
    if (reply.delayMs) held.add(setTimeout(send, reply.delayMs));
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  verifier.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/siteverify`;
  return verifier;
}

describe('CAPTCHA hook', () => {
  let verifier: Verifier;
  before(async () => {
    verifier = await startVerifier();
  });
  after(() => verifier.close());
  beforeEach(() => {
    verifier.seen.length = 0;
    verifier.contentTypes.length = 0;
  });

  async function withCaptcha(captcha: Partial<CaptchaConfig> & { provider?: string }, run: (rig: Rig) => Promise<void>, warnings: string[] = []): Promise<void> {
    const rig = await startRig({
      config: { captcha: { provider: 'turnstile', secret: SECRET, verifyUrl: verifier.url, ...captcha } as never },
      handler: { onWarning: (m) => warnings.push(m) },
    });
    try {
      await run(rig);
    } finally {
      await rig.close();
    }
  }

  const mint = (rig: Rig, captchaToken?: string) =>
    rig.request('POST', '/session', { body: { destination: 'sales', ...(captchaToken === undefined ? {} : { captchaToken }) } });

  it('a passing token mints a session; the verifier got secret, response and remoteip as a form', async () => {
    await withCaptcha({}, async (rig) => {
      const answer = await mint(rig, 'good-token');
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      assert.equal(verifier.seen.length, 1);
      const form = verifier.seen[0]!;
      assert.equal(form.get('secret'), SECRET);
      assert.equal(form.get('response'), 'good-token');
      assert.equal(form.get('remoteip'), '127.0.0.1');
      assert.match(verifier.contentTypes[0]!, /^application\/x-www-form-urlencoded/);
      assert.doesNotMatch(JSON.stringify(rig.recorded), new RegExp(SECRET), 'the secret never reaches the browser');
    });
  });

  it('a refused token is 403 captcha-failed, and the vendor is never asked', async () => {
    await withCaptcha({}, async (rig) => {
      const answer = await mint(rig, 'bot-token');
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, 'captcha-failed');
      assert.equal(rig.sim.count('applyToken'), 0);
    });
  });

  it('required (the default): no token is captcha-failed without asking the verifier', async () => {
    await withCaptcha({}, async (rig) => {
      const answer = await mint(rig);
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, 'captcha-failed');
      assert.equal(verifier.seen.length, 0);
    });
  });

  it('required: false lets a session without a token through, but still checks a token that is sent', async () => {
    await withCaptcha({ required: false }, async (rig) => {
      assert.equal((await mint(rig)).status, 201);
      assert.equal(verifier.seen.length, 0);
      assert.equal((await mint(rig, 'bot-token')).body.error.code, 'captcha-failed');
      assert.equal((await mint(rig, 'good-token')).status, 201);
    });
  });

  it('fails closed: a verifier slower than timeoutMs, a 500, an answer that is not JSON -> 503 captcha-failed', async () => {
    await withCaptcha({ timeoutMs: 150 }, async (rig) => {
      const cases = [{ delayMs: 2_000, json: { success: true } }, { status: 500, json: { success: true } }, { text: '<html>maintenance</html>' }, { json: { ok: true } }];
      for (const reply of cases) {
        verifier.answer = () => reply;
        const answer = await mint(rig, 'good-token');
        assert.equal(answer.status, 503, JSON.stringify(reply));
        assert.equal(answer.body.error.code, 'captcha-failed');
      }
      assert.equal(rig.sim.count('applyToken'), 0);
    });
    verifier.answer = (form) => ({ json: { success: form.get('response') === 'good-token' } });
  });

  it('fails closed: a verifier that cannot be reached -> 503 captcha-failed', async () => {
    const closed = await startVerifier();
    const url = closed.url;
    await closed.close();
    await withCaptcha({ verifyUrl: url }, async (rig) => {
      const answer = await mint(rig, 'good-token');
      assert.equal(answer.status, 503);
      assert.equal(answer.body.error.code, 'captcha-failed');
    });
  });

  it('reCAPTCHA v3: the score must reach minScore; no score fails', async () => {
    await withCaptcha({ provider: 'recaptcha', minScore: 0.5 }, async (rig) => {
      for (const [json, status] of [
        [{ success: true, score: 0.9, action: 'call' }, 201],
        [{ success: true, score: 0.5 }, 201],
        [{ success: true, score: 0.3 }, 403],
        [{ success: true }, 403],
        [{ success: false, score: 0.9 }, 403],
      ] as const) {
        verifier.answer = () => ({ json });
        assert.equal((await mint(rig, 'any-token')).status, status, JSON.stringify(json));
      }
    });
    verifier.answer = (form) => ({ json: { success: form.get('response') === 'good-token' } });
  });

  it('a verifier saying the secret is wrong warns the operator (and refuses)', async () => {
    const warnings: string[] = [];
    verifier.answer = () => ({ json: { success: false, 'error-codes': ['invalid-input-secret'] } });
    await withCaptcha({ provider: 'hcaptcha' }, async (rig) => {
      assert.equal((await mint(rig, 'good-token')).body.error.code, 'captcha-failed');
    }, warnings);
    assert.ok(warnings.some((w) => /hcaptcha verifier says: invalid-input-secret/.test(w)), warnings.join('\n'));
    verifier.answer = (form) => ({ json: { success: form.get('response') === 'good-token' } });
  });

  it('a CAPTCHA token over 8192 characters is an invalid request, never sent to the verifier', async () => {
    await withCaptcha({}, async (rig) => {
      const tooLong = await mint(rig, 'x'.repeat(8193));
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.body.error.code, 'invalid-request');
      assert.equal(verifier.seen.length, 0);
    });
  });
});

describe('CAPTCHA configuration', () => {
  const base = { destinations: {} };

  it('each provider has its real siteverify URL by default', () => {
    assert.deepEqual(CAPTCHA_VERIFY_URLS, {
      turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
      hcaptcha: 'https://api.hcaptcha.com/siteverify',
      recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
    });
    const config = parseConfig({ ...base, captcha: { provider: 'hcaptcha', secret: 's' } });
    assert.deepEqual(config.captcha, { provider: 'hcaptcha', secret: 's', required: true, timeoutMs: 5000 });
  });

  it('clear errors: an unknown provider, minScore on a provider without scores, a typo', () => {
    assert.throws(() => parseConfig({ ...base, captcha: { provider: 'friendly', secret: 's' } }), (e: unknown) => e instanceof ConfigError && /captcha\.provider/.test(e.message));
    assert.throws(() => parseConfig({ ...base, captcha: { provider: 'turnstile', secret: 's', minScore: 0.5 } }), /captcha\.minScore: minScore is for reCAPTCHA v3/);
    assert.throws(() => parseConfig({ ...base, captcha: { provider: 'turnstile', secret: 's', requird: false } }), /captcha: Unrecognized key: "requird"/);
    assert.throws(() => parseConfig({ ...base, captcha: { provider: 'turnstile' } }), /captcha\.secret: Required/);
  });

  it('environment variables', () => {
    const config = loadConfig({
      config: base,
      env: { C2C_CAPTCHA_PROVIDER: 'recaptcha', C2C_CAPTCHA_SECRET: 'k', C2C_CAPTCHA_MIN_SCORE: '0.7', C2C_CAPTCHA_REQUIRED: 'false', C2C_CAPTCHA_VERIFY_URL: 'http://127.0.0.1:9/v' },
    });
    assert.deepEqual(config.captcha, { provider: 'recaptcha', secret: 'k', minScore: 0.7, required: false, verifyUrl: 'http://127.0.0.1:9/v', timeoutMs: 5000 });
    assert.throws(() => loadConfig({ config: base, env: { C2C_CAPTCHA_PROVIDER: 'turnstile', C2C_CAPTCHA_SECRET: 'k', C2C_CAPTCHA_REQUIRED: 'yes' } }), /C2C_CAPTCHA_REQUIRED/);
  });
});
