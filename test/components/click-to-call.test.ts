import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import type { CallSnapshot } from '../../src/core/snapshot.ts';
import { agentHangup, agentStats, endpoint, failNext, scriptNextCall, simCalls } from './sandbox.ts';

const button = (el: ClickToCall, part: string) =>
  el.shadowRoot!.querySelector<HTMLButtonElement>(`[part~="${part}"]`);

async function mount(attrs: { destination?: string; endpointUrl?: string } = {}): Promise<ClickToCall> {
  const url = attrs.endpointUrl ?? (await endpoint());
  return fixture<ClickToCall>(
    html`<click-to-call endpoint=${url} destination=${attrs.destination ?? 'sales'}></click-to-call>`,
  );
}

function recordStates(el: ClickToCall): string[] {
  const states: string[] = [];
  el.addEventListener('c2c-state-change', (e) => {
    const s = (e as CustomEvent<CallSnapshot>).detail.state;
    if (states.at(-1) !== s) states.push(s);
  });
  return states;
}

describe('<click-to-call>', () => {
  it('renders an accessible call button in the idle state', async () => {
    const el = await mount();
    expect(el.state).to.equal('idle');
    expect(el.getAttribute('state')).to.equal('idle');
    const call = button(el, 'call-button');
    expect(call).to.exist;
    expect(call!.disabled).to.be.false;
    expect(call!.textContent!.trim()).to.equal('Call us');
    await expect(el).to.be.accessible();
  });

  it('disables the button without an endpoint or when disabled', async () => {
    const el = await fixture<ClickToCall>(html`<click-to-call destination="sales"></click-to-call>`);
    expect(button(el, 'call-button')!.disabled).to.be.true;
    el.endpoint = await endpoint();
    el.disabled = true;
    await el.updateComplete;
    expect(button(el, 'call-button')!.disabled).to.be.true;
    expect(el.hasAttribute('disabled')).to.be.true;
  });

  it('should place a WebRTC call to the agent, show the controls, and hang up', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 200 });
    const el = await mount();
    const states = recordStates(el);
    const connected = oneEvent(el, 'c2c-connected');
    button(el, 'call-button')!.click();
    await connected;
    expect(el.state).to.equal('connected');
    expect(states).to.deep.equal(['authorizing', 'dialing', 'queued', 'connecting', 'connected']);
    expect(el.snapshot.provider).to.equal('huawei');
    expect(el.snapshot.mode).to.equal('webrtc');
    await el.updateComplete;
    expect(button(el, 'hangup-button')).to.exist;
    expect(button(el, 'mute-button')!.getAttribute('aria-pressed')).to.equal('false');
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.equal('Connected');
    await expect(el).to.be.accessible();

    // The agent hears the visitor: packets arrive at the agent's side.
    await waitUntil(async () => ((await agentStats())?.calls.at(-1)?.packetsReceived ?? 0) > 20, 'agent hears nothing', { timeout: 5000 });

    const ended = oneEvent(el, 'c2c-ended');
    button(el, 'hangup-button')!.click();
    await ended;
    expect(el.state).to.equal('ended');
    expect(states.slice(-2)).to.deep.equal(['ending', 'ended']);
    // This call's own end at the agent: an earlier file's call may still wait to be resumed there.
    await waitUntil(async () => (await agentStats())?.calls.at(-1)?.endedBy != null, 'agent call still active', { timeout: 5000 });
    const calls = await simCalls();
    expect(calls!.at(-1)!.status).to.equal('dropped');
  });

  it('should end when the agent hangs up', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 100 });
    const el = await mount();
    const connected = oneEvent(el, 'c2c-connected');
    void el.call();
    await connected;
    const ended = oneEvent(el, 'c2c-ended');
    await agentHangup();
    await ended;
    expect(el.state).to.equal('ended');
    expect(el.snapshot.error).to.equal(null);
  });

  it('fires c2c-call-start first and honours its cancellation', async () => {
    const el = await mount();
    el.addEventListener('c2c-call-start', (e) => e.preventDefault(), { once: true });
    let changed = 0;
    el.addEventListener('c2c-state-change', () => changed++);
    await el.call();
    expect(el.state).to.equal('idle');
    expect(changed).to.equal(0);
  });

  for (const [name, script, code] of [
    ['outside business hours', { createResult: '12' }, 'outside-business-hours'],
    ['no agent available', { createResult: '13' }, 'no-agent-available'],
    ['queue timeout', { outcome: 'queue-timeout', queueMs: 100, causeDesc: 'Nobody is free <b>now</b>' }, 'queue-timeout'],
  ] as const) {
    it(`should fail with ${code} when ${name}`, async () => {
      await scriptNextCall(script);
      const el = await mount();
      const error = oneEvent(el, 'c2c-error');
      void el.call();
      const event = (await error) as CustomEvent<CallSnapshot>;
      expect(event.detail.state).to.equal('failed');
      expect(event.detail.error!.code).to.equal(code);
      await el.updateComplete;
      const message = el.shadowRoot!.querySelector('[part=error]')!;
      // Announced once, by the widget's live region, not a second time by an alert.
      expect(message.getAttribute('role')).to.equal(null);
      expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.equal(`The call failed: ${message.textContent}`);
      // Vendor text is shown as text, never as markup.
      expect(message.querySelector('b')).to.equal(null);
      expect(button(el, 'call-button')!.textContent!.trim()).to.equal('Call again');
    });
  }

  it('should fail with token-endpoint-unreachable when the endpoint is down', async () => {
    const el = await mount({ endpointUrl: 'http://127.0.0.1:9/c2c' });
    const error = oneEvent(el, 'c2c-error');
    void el.call();
    const event = (await error) as CustomEvent<CallSnapshot>;
    expect(event.detail.error!.code).to.equal('token-endpoint-unreachable');
  });

  it('should fail with unknown-destination for a destination the server does not know', async () => {
    const el = await mount({ destination: 'nope' });
    const error = oneEvent(el, 'c2c-error');
    void el.call();
    expect(((await error) as CustomEvent<CallSnapshot>).detail.error!.code).to.equal('unknown-destination');
  });

  it('should map a vendor HTTP 500 on create to a typed error', async () => {
    await failNext('createClickToCall', { status: 500 });
    const el = await mount();
    const error = oneEvent(el, 'c2c-error');
    void el.call();
    const code = ((await error) as CustomEvent<CallSnapshot>).detail.error!.code;
    expect(code).to.be.oneOf(['vendor-unavailable', 'vendor-rejected']);
  });

  // A double click, and removal mid-call: lifecycle.test.ts (stronger checks than these had).

  it('mutes the microphone with the mute button', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 100 });
    const el = await mount();
    const connected = oneEvent(el, 'c2c-connected');
    void el.call();
    await connected;
    await el.updateComplete;
    button(el, 'mute-button')!.click();
    await el.updateComplete;
    expect(el.snapshot.muted).to.be.true;
    expect(button(el, 'mute-button')!.getAttribute('aria-pressed')).to.equal('true');
    await el.hangup();
  });

  it('sends keypad digits as RFC 4733 events, one after another, and the agent hears them', async () => {
    const sent: string[] = [];
    const original = RTCDTMFSender.prototype.insertDTMF;
    RTCDTMFSender.prototype.insertDTMF = function (tones: string, ...rest: [number?, number?]) {
      sent.push(tones);
      return original.call(this, tones, ...rest);
    };
    try {
      await scriptNextCall({ outcome: 'connect', queueMs: 100 });
      const el = await mount();
      const connected = oneEvent(el, 'c2c-connected');
      void el.call();
      await connected;
      await el.updateComplete;
      expect(button(el, 'keypad')).to.equal(null);
      const toggle = button(el, 'keypad-button')!;
      expect(toggle.getAttribute('aria-expanded')).to.equal('false');
      toggle.click();
      await el.updateComplete;
      expect(toggle.getAttribute('aria-expanded')).to.equal('true');
      const keys = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~=key]')];
      expect(keys.map((k) => k.textContent)).to.deep.equal(['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']);
      await expect(el).to.be.accessible();
      for (const digit of ['1', '2', '#']) keys.find((k) => k.textContent === digit)!.click();
      // Keys pressed while a tone plays are queued, never dropped: 1, then 2 and # together.
      await waitUntil(() => sent.join('') === '12#', `sent ${JSON.stringify(sent)}`, { timeout: 3000 });
      expect(sent[0]).to.equal('1');
      let heard = '';
      await waitUntil(
        async () => {
          heard = ((await agentStats())?.calls.at(-1) as { dtmf?: Array<{ tone: string }> } | undefined)?.dtmf?.map((d) => d.tone).join('') ?? '';
          return heard.endsWith('2#');
        },
        'the agent did not hear the digits',
        { timeout: 8000 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; heard '${heard}'`);
      });
      await el.hangup();
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('[part~=keypad]')).to.equal(null);
    } finally {
      RTCDTMFSender.prototype.insertDTMF = original;
    }
  });

  it('moves focus to hang up when a call starts from the keyboard', async () => {
    await scriptNextCall({ outcome: 'hold' });
    const el = await mount();
    button(el, 'call-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.shadowRoot!.activeElement?.getAttribute('part') === 'hangup-button', 'focus not on hang up');
    // Hang up from the queue, so the scripted call is used up by this test.
    await waitUntil(() => el.state === 'queued', 'never queued');
    // Enter acts on keydown; Space would act on keyup, on whichever button has focus by then.
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.state === 'ended', 'Enter on hang up did not end the call');
    await waitUntil(() => el.shadowRoot!.activeElement?.getAttribute('part') === 'call-button', 'focus not back on call');
  });
});
