import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/index.ts';
import { ClickToCall } from '../../src/elements/click-to-call.ts';
import type { CallSnapshot } from '../../src/core/snapshot.ts';
import type { CallSessionOptions } from '../../src/core/session.ts';
import { agentStats, dropGateway, endpoint, scriptNextCall, simCalls } from './sandbox.ts';

async function mount(options: CallSessionOptions = {}): Promise<ClickToCall> {
  const el = new ClickToCall(options);
  el.endpoint = await endpoint();
  el.destination = 'sales';
  return fixture<ClickToCall>(html`${el}`);
}

/** Every state the element passes through, in order. */
function states(el: ClickToCall): string[] {
  const seen: string[] = [];
  el.addEventListener('c2c-state-change', (e) => seen.push((e as CustomEvent<CallSnapshot>).detail.state));
  return seen;
}

async function connectedCall(options: CallSessionOptions = {}) {
  await scriptNextCall({ outcome: 'connect', queueMs: 50 });
  const el = await mount(options);
  const seen = states(el);
  const connected = oneEvent(el, 'c2c-connected');
  void el.call();
  await connected;
  const stats = (await agentStats())!;
  return { el, seen, callIndex: stats.calls.length - 1 };
}

describe('recovery of a connected WebRTC call', () => {
  it('should reconnect after the gateway WebSocket drops: reconnecting, then connected, same call, audio flowing', async () => {
    const { el, seen, callIndex } = await connectedCall();
    const answered = (await agentStats())!.callsAnswered;
    expect(await dropGateway()).to.be.greaterThan(0);
    await waitUntil(() => el.snapshot.state === 'reconnecting', 'never reconnecting', { timeout: 3000 });
    await waitUntil(() => el.snapshot.state === 'connected', 'never connected again', { timeout: 10000 });
    expect(seen.slice(-2)).to.deep.equal(['reconnecting', 'connected']);
    // The same call at the agent (resumed, not a new one), and audio still reaching it.
    const before = (await agentStats())!;
    expect(before.callsAnswered).to.equal(answered);
    expect(before.calls[callIndex]!.endedBy).to.equal(null);
    // Renegotiated over the new connection with an ICE restart, candidates included.
    expect(before.calls[callIndex]!.reinvites).to.equal(1);
    expect(before.calls[callIndex]!.lastOffer).to.deep.include({ iceRestart: true });
    expect(before.calls[callIndex]!.lastOffer!.candidates).to.be.greaterThan(0);
    await waitUntil(
      async () => (await agentStats())!.calls[callIndex]!.packetsReceived > before.calls[callIndex]!.packetsReceived + 25,
      'no audio after the reconnection',
      { timeout: 5000 },
    );
    expect(el.snapshot.connectedAt).to.be.a('number');
    expect(el.shadowRoot!.querySelector('[part~=hangup-button]')).to.exist;
    await el.hangup();
    expect(el.snapshot.state).to.equal('ended');
    await waitUntil(async () => (await agentStats())!.calls[callIndex]!.endedBy === 'caller', 'BYE not seen after the reconnection', {
      timeout: 5000,
    });
  });

  it('should fail with network-lost when the gateway stays away, and drop the call at the vendor', async () => {
    const { el, seen } = await connectedCall({ reconnectTimeoutMs: 2500 });
    await dropGateway(60_000);
    const error = oneEvent(el, 'c2c-error');
    const detail = ((await error) as CustomEvent<CallSnapshot>).detail;
    expect(detail.state).to.equal('failed');
    expect(detail.error!.code).to.equal('network-lost');
    expect(seen).to.include('reconnecting');
    expect(seen.at(-1)).to.equal('failed');
    await waitUntil(async () => (await simCalls())!.at(-1)!.status === 'dropped', 'vendor call left open', { timeout: 5000 });
    await dropGateway(0);
  });

  it('should show reconnecting in <call-status> and keep the timer running', async () => {
    const { el } = await connectedCall();
    const status = await fixture(html`<call-status for=${el.id || (el.id = 'c2c-recovery')}></call-status>`);
    await dropGateway();
    await waitUntil(() => status.getAttribute('state') === 'reconnecting', 'call-status never showed reconnecting', { timeout: 3000 });
    await waitUntil(() => status.getAttribute('state') === 'connected', 'call-status never back to connected', { timeout: 10000 });
    await el.hangup();
  });
});
