import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import type { CallSnapshot } from '../../src/core/snapshot.ts';
import { agentStats, agentUrl, endpoint, scriptNextCall, simCalls, simCount } from './sandbox.ts';

async function mount(): Promise<ClickToCall> {
  return fixture<ClickToCall>(html`<click-to-call endpoint=${await endpoint()} destination="sales"></click-to-call>`);
}

describe('WebRTC media', () => {
  it('should fall over to the next gateway address when the first is dead', async () => {
    const before = (await agentStats())!.callsAnswered;
    const live = (await agentUrl())!;
    await scriptNextCall({ outcome: 'connect', queueMs: 50, gwAddresses: ['ws://127.0.0.1:9/dead', live] });
    const el = await mount();
    const connected = oneEvent(el, 'c2c-connected');
    void el.call();
    await connected;
    expect((await agentStats())!.callsAnswered).to.equal(before + 1);
    await el.hangup();
  });

  it('should fall over from an address that accepts TCP but never answers the WebSocket', async () => {
    const { executeServerCommand } = await import('@web/test-runner-commands');
    const hanging = (await executeServerCommand('hanging-address')) as string;
    const before = (await agentStats())!.callsAnswered;
    await scriptNextCall({ outcome: 'connect', queueMs: 50, gwAddresses: [hanging, (await agentUrl())!] });
    const el = await mount();
    const connected = oneEvent(el, 'c2c-connected');
    void el.call();
    await connected;
    expect((await agentStats())!.callsAnswered).to.equal(before + 1);
    await el.hangup();
  });

  it('should fail with gateway-unreachable when every address is dead, and drop the vendor call', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 50, gwAddresses: ['ws://127.0.0.1:9/a', '127.0.0.1:1'] });
    const el = await mount();
    const error = oneEvent(el, 'c2c-error');
    void el.call();
    const detail = ((await error) as CustomEvent<CallSnapshot>).detail;
    expect(detail.error!.code).to.equal('gateway-unreachable');
    await waitUntil(async () => (await simCalls())!.at(-1)!.status === 'dropped', 'vendor call left open', { timeout: 5000 });
  });

  it('should fail with webrtc-unsupported where the browser has no WebRTC, before any call is placed', async () => {
    const saved = window.RTCPeerConnection;
    const creates = (await simCount('createClickToCall'))!;
    // @ts-expect-error simulating an old browser
    delete window.RTCPeerConnection;
    try {
      const el = await mount();
      const error = oneEvent(el, 'c2c-error');
      void el.call();
      expect(((await error) as CustomEvent<CallSnapshot>).detail.error!.code).to.equal('webrtc-unsupported');
      expect(await simCount('createClickToCall')).to.equal(creates);
    } finally {
      window.RTCPeerConnection = saved;
    }
  });

  for (const [name, code] of [
    ['NotFoundError', 'microphone-unavailable'],
    ['NotReadableError', 'microphone-unavailable'],
    ['NotAllowedError', 'microphone-denied'],
  ] as const) {
    it(`should fail with ${code} when the browser answers ${name}, before any call is placed`, async () => {
      const devices = navigator.mediaDevices;
      const original = devices.getUserMedia;
      const creates = (await simCount('createClickToCall'))!;
      // The browser's answer for a missing, busy or refused microphone.
      devices.getUserMedia = () => Promise.reject(new DOMException('no microphone', name));
      try {
        const el = await mount();
        const error = oneEvent(el, 'c2c-error');
        void el.call();
        const detail = ((await error) as CustomEvent<CallSnapshot>).detail;
        expect(detail.error!.code).to.equal(code);
        expect(detail.error!.message).to.match(/microphone/i);
        expect(await simCount('createClickToCall')).to.equal(creates);
      } finally {
        devices.getUserMedia = original;
      }
    });
  }

  it('should carry the call\'s network figures in the snapshot once connected, and show them in <call-status>', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 50 });
    const page = await fixture<HTMLDivElement>(html`<div>
      <click-to-call id="q" endpoint=${await endpoint()} destination="sales"></click-to-call>
      <call-status for="q"></call-status>
    </div>`);
    const el = page.querySelector('click-to-call')!;
    const status = page.querySelector('call-status')!;
    let stateEvents = 0;
    el.addEventListener('c2c-state-change', () => stateEvents++);
    const connected = oneEvent(el, 'c2c-connected');
    void el.call();
    await connected;
    const seen = stateEvents;
    await waitUntil(() => el.snapshot.quality?.mos != null, 'no quality figures', { timeout: 6000 });
    const q = el.snapshot.quality!;
    expect(q.mos).to.be.within(1, 4.5);
    expect(q.rttMs).to.be.a('number');
    // Loopback: a clean network.
    expect(q.mos!).to.be.greaterThan(3.5);
    expect(q.warnings).to.deep.equal([]);
    // Figures change the snapshot every second, but not the state: no c2c-state-change for them.
    expect(stateEvents).to.equal(seen);
    await waitUntil(() => status.shadowRoot!.querySelector('[part=quality]') !== null, 'no indicator');
    const indicator = status.shadowRoot!.querySelector('[part=quality]')!;
    expect(indicator.getAttribute('data-level')).to.be.oneOf(['good', 'fair']);
    expect(indicator.textContent).to.match(/^Connection (good|fair)/);
    await el.hangup();
  });

  it('should stop polling the vendor once the element is removed', async () => {
    await scriptNextCall({ outcome: 'hold' });
    const el = await mount();
    void el.call();
    await waitUntil(() => el.state === 'queued', 'never queued');
    el.remove();
    await waitUntil(async () => (await simCalls())!.at(-1)!.status === 'dropped', 'vendor call left open', { timeout: 5000 });
    const polls = (await simCount('getClickToCallEvents'))!;
    // Proving that nothing happens takes a quiet period: longer than the widget's poll back-off.
    await new Promise((r) => setTimeout(r, 1200));
    expect(await simCount('getClickToCallEvents')).to.equal(polls);
  });
});

