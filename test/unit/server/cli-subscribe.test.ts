import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startUdeskSimulator, type UdeskSimulator } from '../../../src/sandbox/udesk-simulator.ts';
import { main, udeskWebhookUrlProblem, USAGE } from '../../../src/server/cli.ts';

const APP_ID = 'a54a8b77-f12d-4ac9-742d-5b2bef5c4d11';
const SID = '123456789abcdef';
// Given to the simulator explicitly: its defaults are in dist/ (the sandbox bundle), and no
// secret a test configures may be (test/unit/security/secrets.test.ts).
const AUTH_TOKEN = 'cli-subscribe-test-auth-token';
const SECRET = 'cli-subscribe-test-app-secret';
const SIM_KEYS = { appId: APP_ID, sid: SID, authToken: AUTH_TOKEN, secret: SECRET };
const WEBHOOK = 'https://shop.example/c2c/webhooks/udesk';
const DEFAULT_EVENTS = ['agent_ringing', 'agent_answer', 'start_dialout', 'user_ringing', 'user_answer', 'user_hangup', 'agent_hangup', 'hangup_cause', 'end'];

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    text: () => out.join('') + err.join(''),
    io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), env: {} },
  };
}

describe('c2c-server subscribe-udesk', () => {
  let sim: UdeskSimulator;
  let dir: string;
  let count = 0;

  function udeskKeys(overrides: Record<string, unknown> = {}) {
    return { baseUrl: sim.url, appId: APP_ID, sid: SID, authToken: AUTH_TOKEN, secret: SECRET, requestTimeoutMs: 2000, ...overrides };
  }

  /** A config file: a udesk destination and providers.udesk (or what `providers` says). */
  function configFile(providers: Record<string, unknown> = { udesk: udeskKeys() }): string {
    const file = join(dir, `c2c-${++count}.json`);
    const destinations = providers.udesk
      ? { support: { provider: 'udesk', agentId: '10032', caller: '057126200670', calledDisplay: '057126200670' } }
      : { sales: { provider: 'huawei' } };
    writeFileSync(file, JSON.stringify({ allowedOrigins: ['https://shop.example'], destinations, providers }));
    return file;
  }

  before(async () => {
    sim = await startUdeskSimulator(SIM_KEYS);
    dir = mkdtempSync(join(tmpdir(), 'c2c-subscribe-'));
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('subscribes the URL through the subscriptions API and prints via, events and the subscription id', async () => {
    const cli = io();
    const result = await main(['subscribe-udesk', '--config', configFile(), '--url', WEBHOOK], cli.io);
    assert.equal(result.code, 0, cli.text());
    const [sub] = sim.control.subscriptions();
    assert.ok(sub, 'the simulator holds a subscription');
    assert.equal(sub.callback, WEBHOOK);
    assert.equal(sub.name, 'click-to-call');
    assert.deepEqual(sub.events, DEFAULT_EVENTS);
    const out = cli.out.join('');
    assert.match(out, /via:\s+subscriptions/);
    assert.match(out, new RegExp(`subscription:\\s+${sub.id}\\b`));
    assert.match(out, /events:\s+agent_ringing, agent_answer, start_dialout, user_ringing, user_answer, user_hangup, agent_hangup, hangup_cause, end/);
    assert.equal(cli.err.join(''), '');
  });

  it('subscribes via the app CallbackUrl with the events given, keeping to the call list', async () => {
    const other = await startUdeskSimulator(SIM_KEYS);
    try {
      const cli = io();
      const file = configFile({ udesk: udeskKeys({ baseUrl: other.url }) });
      const result = await main(
        ['subscribe-udesk', '--config', file, '--url', WEBHOOK, '--via', 'app', '--events', 'agent_ringing, user_ringing,user_answer,end,end'],
        cli.io,
      );
      assert.equal(result.code, 0, cli.text());
      assert.equal(other.control.app().callbackUrl, WEBHOOK);
      assert.deepEqual(other.control.app().events, ['user_ringing', 'user_answer', 'end']);
      assert.deepEqual(other.control.subscriptions(), []);
      const out = cli.out.join('');
      assert.match(out, /via:\s+app/);
      assert.match(out, /subscription:\s+\(none/);
      assert.match(out, /events:\s+user_ringing, user_answer, end\n/);
      assert.match(out, /not subscribed.*agent_ringing/);
    } finally {
      await other.close();
    }
  });

  it('accepts http only on 127.0.0.1 / localhost', async () => {
    const other = await startUdeskSimulator(SIM_KEYS);
    try {
      const cli = io();
      const url = 'http://127.0.0.1:8787/webhooks/udesk';
      const result = await main(['subscribe-udesk', '--config', configFile({ udesk: udeskKeys({ baseUrl: other.url }) }), '--url', url, '--events', 'user_answer,end'], cli.io);
      assert.equal(result.code, 0, cli.text());
      assert.equal(other.control.subscriptions()[0]?.callback, url);
      assert.deepEqual(other.control.subscriptions()[0]?.events, ['user_answer', 'end']);
    } finally {
      await other.close();
    }
    assert.equal(udeskWebhookUrlProblem('http://localhost/c2c/webhooks/udesk'), null);
    assert.equal(udeskWebhookUrlProblem('https://shop.example/webhooks/udesk'), null);
  });

  it('exits 1 naming providers.udesk when the config has no udesk keys, before calling udesk', async () => {
    const asked = sim.requests.length;
    const cli = io();
    const file = configFile({ huawei: { baseUrl: 'https://aicc.example', appKey: 'k', appSecret: 's', channelId: 'c' } });
    const result = await main(['subscribe-udesk', '--config', file, '--url', WEBHOOK], cli.io);
    assert.equal(result.code, 1);
    assert.match(cli.err.join(''), /providers\.udesk/);
    assert.equal(sim.requests.length, asked);
  });

  it('exits 1 naming the key of an invalid udesk config', async () => {
    const { sid: _sid, ...rest } = udeskKeys();
    const cli = io();
    const result = await main(['subscribe-udesk', '--config', configFile({ udesk: rest }), '--url', WEBHOOK], cli.io);
    assert.equal(result.code, 1);
    assert.match(cli.err.join(''), /providers\.udesk\.sid: Required/);
    assert.doesNotMatch(cli.text(), new RegExp(AUTH_TOKEN));
  });

  it('refuses a bad --url with a clear message and exit 2, without calling udesk', async () => {
    const file = configFile();
    const asked = sim.requests.length;
    const cases: Array<[string, RegExp]> = [
      ['http://shop.example/webhooks/udesk', /over https/],
      ['ftp://shop.example/webhooks/udesk', /not an https URL/],
      ['https://shop.example/webhooks/sarv', /must end in \/webhooks\/udesk/],
      ['https://shop.example/webhooks/udesk/', /must end in \/webhooks\/udesk/],
      ['https://shop.example/webhooks/udesk?x=1', /query string/],
      ['https://user:pw@shop.example/webhooks/udesk', /user name or password/],
      ['shop.example/webhooks/udesk', /not a URL/],
    ];
    for (const [url, message] of cases) {
      const cli = io();
      const result = await main(['subscribe-udesk', '--config', file, '--url', url], cli.io);
      assert.equal(result.code, 2, url);
      assert.match(cli.err.join(''), /--url/, url);
      assert.match(cli.err.join(''), message, url);
    }
    assert.equal(sim.requests.length, asked);
  });

  it('refuses missing options, an unknown --via and bad --events with exit 2', async () => {
    const file = configFile();
    const cases: Array<[string[], RegExp]> = [
      [['--url', WEBHOOK], /--config <file> is required/],
      [['--config', file], /--url <webhook URL> is required/],
      [['--config', file, '--url', WEBHOOK, '--via', 'fax'], /--via: expected subscriptions or app, got 'fax'/],
      [['--config', file, '--url', WEBHOOK, '--events', ' , '], /--events: expected/],
      [['--config', file, '--url', WEBHOOK, '--events', 'end,rm -rf'], /'rm -rf' is not an event name/],
      [['--config', file, '--url', WEBHOOK, '--via', 'app', '--events', 'agent_ringing'], /call event list/],
      [['--config', file, '--url', WEBHOOK, '--port', '1'], /Unknown option '--port'/],
    ];
    for (const [args, message] of cases) {
      const cli = io();
      const result = await main(['subscribe-udesk', ...args], cli.io);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(cli.err.join(''), message, args.join(' '));
    }
  });

  it('exits 1 with vendor-rejected and no secret when udesk refuses the credentials', async () => {
    const wrongToken = 'wrong-auth-token-4711';
    const cli = io();
    const file = configFile({ udesk: udeskKeys({ authToken: wrongToken }) });
    for (const via of ['subscriptions', 'app']) {
      const result = await main(['subscribe-udesk', '--config', file, '--url', WEBHOOK, '--via', via], cli.io);
      assert.equal(result.code, 1, via);
    }
    const text = cli.text();
    assert.match(cli.err.join(''), /vendor-rejected/);
    assert.match(cli.err.join(''), /refused our credentials/);
    assert.equal(cli.out.join(''), '');
    for (const secret of [wrongToken, AUTH_TOKEN, SECRET]) assert.ok(!text.includes(secret), `output holds ${secret}`);
    assert.ok(sim.requests.some((r) => r.status === 401), 'udesk was asked and refused');
  });

  it('exits 1 with vendor-rejected when the subscription name is already taken', async () => {
    const cli = io();
    // The first test subscribed 'click-to-call' on this simulator already.
    const result = await main(['subscribe-udesk', '--config', configFile(), '--url', WEBHOOK], cli.io);
    assert.equal(result.code, 1);
    assert.match(cli.err.join(''), /vendor-rejected: udesk refused the subscription 'click-to-call'/);
  });

  it('exits 1 with vendor-unavailable when udesk cannot be reached', async () => {
    const gone = await startUdeskSimulator(SIM_KEYS);
    const url = gone.url;
    await gone.close();
    const cli = io();
    const result = await main(['subscribe-udesk', '--config', configFile({ udesk: udeskKeys({ baseUrl: url }) }), '--url', WEBHOOK], cli.io);
    assert.equal(result.code, 1);
    assert.match(cli.err.join(''), /vendor-unavailable/);
  });

  it('prints usage on subscribe-udesk --help, and the usage names the subcommand', async () => {
    const cli = io();
    const result = await main(['subscribe-udesk', '--help'], cli.io);
    assert.equal(result.code, 0);
    assert.equal(cli.out.join(''), USAGE);
    assert.match(USAGE, /c2c-server subscribe-udesk --config <file> --url <webhook URL> \[--via subscriptions\|app\] \[--events a,b,c\]/);
  });

  it('leaves c2c-server without a subcommand as it was', async () => {
    const cli = io();
    const result = await main(['--help'], cli.io);
    assert.equal(result.code, 0);
    assert.match(cli.out.join(''), /--config <file>/);
    const bad = io();
    assert.equal((await main(['subscribe-sarv'], bad.io)).code, 2);
    assert.match(bad.err.join(''), /Unexpected argument 'subscribe-sarv'/);
  });
});
