import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import { endpoint, scriptNextCall } from './sandbox.ts';

const part = (el: ClickToCall, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

/** Every console line the page writes while a test runs (all levels), and the `[c2c]` ones. */
function captureConsole(): { all: string[]; c2c: () => string[]; restore: () => void } {
  const all: string[] = [];
  const methods = ['debug', 'info', 'log', 'warn', 'error'] as const;
  const saved = methods.map((name) => console[name]);
  for (const name of methods) {
    console[name] = (...args: unknown[]) => {
      all.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    };
  }
  return {
    all,
    c2c: () => all.filter((line) => line.startsWith('[c2c]')),
    restore: () => methods.forEach((name, i) => (console[name] = saved[i]!)),
  };
}

/** Every body the widget receives from the network: the session token and the gateway are in there. */
function recordResponses(): { bodies: string[]; restore: () => void } {
  const bodies: string[] = [];
  const original = window.fetch;
  window.fetch = async (...args: Parameters<typeof fetch>) => {
    const response = await original(...args);
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      bodies.push(await response.clone().text());
    }
    return response;
  };
  return { bodies, restore: () => (window.fetch = original) };
}

/** Whether `lines` hold, in this order, a line matching each pattern (others may come between). */
function inOrder(lines: string[], patterns: RegExp[]): string | null {
  let from = 0;
  for (const pattern of patterns) {
    const at = lines.findIndex((line, i) => i >= from && pattern.test(line));
    if (at < 0) return `no line after #${from} matches ${pattern}`;
    from = at + 1;
  }
  return null;
}

function expectNoSecret(lines: string[], secrets: string[]): void {
  const text = lines.join('\n');
  for (const secret of secrets) expect(text, `a log line holds ${secret}`).not.to.contain(secret);
  // No SDP body, no Authorization header, no JWT of any kind.
  expect(text).not.to.match(/v=0|a=fingerprint|a=ice-pwd|Bearer|eyJ[\w-]+\./);
}

describe('<click-to-call debug>', () => {
  let output: ReturnType<typeof captureConsole>;
  let network: ReturnType<typeof recordResponses>;
  beforeEach(() => {
    output = captureConsole();
    network = recordResponses();
  });
  afterEach(() => {
    output.restore();
    network.restore();
  });

  it('logs each step of a WebRTC call from the click to the hang-up, and no secret', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 200 });
    const el = await fixture<ClickToCall>(html`<click-to-call debug endpoint=${await endpoint()} destination="sales" locale="zh-CN"></click-to-call>`);
    el.captchaToken = 'captcha-token-5b1f0c77e2a94d7c';
    await waitUntil(() => output.c2c().some((line) => line.includes('debug-on')), 'the debug chunk never loaded');
    const connected = oneEvent(el, 'c2c-connected');
    part(el, 'call-button')!.click();
    await connected;
    await el.hangup();
    expect(el.state).to.equal('ended');
    const lines = output.c2c();
    const problem = inOrder(lines, [
      /^\[c2c\] \+\d+ms debug-on endpoint=http.* destination=sales .*locale=zh-CN/,
      /click .*locale=zh-CN \(locale attribute\)/,
      /state from=idle to=authorizing/,
      /start destination=sales locale=zh-CN captcha=true/,
      /http method=POST path=\/session status=201 rid=[\w-]+ ms=\d+/,
      /session provider=huawei mode=webrtc/,
      /media-chunk ms=\d+/,
      /microphone/,
      /state from=authorizing to=dialing/,
      /http method=POST path=\/calls status=201/,
      /events via=poll/,
      /event id=\S+ type=queued/,
      /event id=\S+ type=media/,
      /ws host=127\.0\.0\.1:\d+$/,
      /ws-open/,
      /ice-candidate type=host/,
      /invite/,
      /sip status=200/,
      /ice state=(connected|completed)/,
      /state from=connecting to=connected/,
      /hangup/,
      /state from=connected to=ending/,
      /http method=POST path=\/calls\/[\w-]+\/hangup status=200/,
      /state from=ending to=ended .*talkedMs=\d+ totalMs=\d+/,
    ]);
    expect(problem, lines.join('\n')).to.equal(null);
    // Each line is timed from the click: the call's lines never count from before it.
    const times = lines.slice(lines.findIndex((l) => l.includes('to=authorizing'))).map((l) => Number(/\+(\d+)ms/.exec(l)![1]));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!), times.join(',')).to.equal(true);

    const session = network.bodies.map((b) => JSON.parse(b) as { token?: string }).find((b) => b.token);
    expect(session?.token, 'the session token was not seen on the network').to.be.a('string');
    const events = network.bodies.join('\n');
    const caller = /"caller":"([^"]+)"/.exec(events)?.[1];
    const target = /"target":"([^"]+)"/.exec(events)?.[1];
    expect(caller && target, 'the gateway was not seen on the network').to.be.ok;
    expectNoSecret(output.all, [session!.token!, 'captcha-token-5b1f0c77e2a94d7c', `sip:${caller}`, target!]);
  });

  it('masks the visitor\'s number in a callback call', async () => {
    const el = await fixture<ClickToCall>(html`<click-to-call debug mode="callback" locale="en-US" endpoint=${await endpoint()} destination="callback-ccai"></click-to-call>`);
    await waitUntil(() => el.shadowRoot!.querySelectorAll('[part~=country] option').length > 100, 'country list not loaded');
    (part(el, 'phone-input') as HTMLInputElement).focus();
    await sendKeys({ type: '+1 415 555 0178' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.state === 'ended', 'never ended', { timeout: 15000 });
    const lines = output.c2c();
    const problem = inOrder(lines, [
      /start destination=callback-ccai mode=callback locale=en-US phone=\*\*\*78 captcha=false/,
      /session provider=ccai mode=callback/,
      /events via=sse/,
      /event id=\S+ type=(queued|ringing)/,
      /state from=\w+ to=ended/,
    ]);
    expect(problem, lines.join('\n')).to.equal(null);
    const token = network.bodies.map((b) => JSON.parse(b) as { token?: string }).find((b) => b.token)?.token;
    expectNoSecret(output.all, [token!, '4155550178', '415 555 0178', '555 0178', '5550178']);
  });

  it('starts and stops logging when the attribute is toggled during a call', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 200 });
    const el = await fixture<ClickToCall>(html`<click-to-call endpoint=${await endpoint()} destination="sales"></click-to-call>`);
    const connected = oneEvent(el, 'c2c-connected');
    part(el, 'call-button')!.click();
    await connected;
    expect(output.c2c()).to.deep.equal([]);
    el.setAttribute('debug', '');
    await waitUntil(() => output.c2c().some((line) => line.includes('debug-on')), 'the debug chunk never loaded');
    el.removeAttribute('debug');
    await el.updateComplete;
    expect(output.c2c().at(-1)).to.equal('[c2c] debug-off');
    const before = output.c2c().length;
    await el.hangup();
    expect(el.state).to.equal('ended');
    expect(output.c2c().length).to.equal(before);
    el.debug = true;
    await waitUntil(() => output.c2c().length > before, 'logging did not start again');
    el.debug = false;
    await el.updateComplete;
  });

  it('logs nothing without the attribute', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 200 });
    const el = await fixture<ClickToCall>(html`<click-to-call endpoint=${await endpoint()} destination="sales"></click-to-call>`);
    const connected = oneEvent(el, 'c2c-connected');
    part(el, 'call-button')!.click();
    await connected;
    await el.hangup();
    expect(el.state).to.equal('ended');
    expect(output.c2c()).to.deep.equal([]);
  });
});
