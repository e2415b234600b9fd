/**
 * Lifecycle of <click-to-call> against the real sandbox, watched through pass-through spies on
 * the browser's own WebSocket, fetch, getUserMedia and timers:
 * - removed mid-call: the vendor drops the call, the gateway's WebSocket closes, the microphone
 *   stops, no interval keeps running and nothing more is asked of the endpoint;
 * - a real double click (mouse) starts one call at the vendor, and the second click does not
 *   land on a control of the call that the first one started;
 * - two widgets on one page, two destinations: independent calls and states; hanging up one
 *   leaves the other connected.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand, sendMouse } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import type { CallSnapshot } from '../../src/core/snapshot.ts';
import { agentStats, endpoint, scriptNextCall, simCalls, simCount } from './sandbox.ts';

const vendor = (name: string, action: string, ...args: unknown[]) => executeServerCommand('vendor', { vendor: name, action, args });
const part = (el: ClickToCall, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

/** Pass-through spies: everything still goes to the browser; they only remember. */
class Spies {
  readonly sockets: WebSocket[] = [];
  readonly streams: MediaStream[] = [];
  readonly fetches: Array<{ url: string; at: number; keepalive: boolean }> = [];
  readonly intervals = new Map<number, string>();
  readonly #restore: Array<() => void> = [];

  install(): this {
    const NativeWebSocket = window.WebSocket;
    const sockets = this.sockets;
    const SpyWebSocket = function (this: unknown, url: string | URL, protocols?: string | string[]) {
      const socket = new NativeWebSocket(url, protocols);
      sockets.push(socket);
      return socket;
    } as unknown as typeof WebSocket;
    SpyWebSocket.prototype = NativeWebSocket.prototype;
    Object.setPrototypeOf(SpyWebSocket, NativeWebSocket);
    window.WebSocket = SpyWebSocket;
    this.#restore.push(() => (window.WebSocket = NativeWebSocket));

    const devices = navigator.mediaDevices;
    const gum = devices.getUserMedia;
    devices.getUserMedia = async (constraints) => {
      const stream = await gum.call(devices, constraints);
      this.streams.push(stream);
      return stream;
    };
    this.#restore.push(() => (devices.getUserMedia = gum));

    const nativeFetch = window.fetch;
    window.fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      this.fetches.push({ url, at: performance.now(), keepalive: init?.keepalive === true });
      return nativeFetch(input, init);
    };
    this.#restore.push(() => (window.fetch = nativeFetch));

    const setInterval = window.setInterval;
    const clearInterval = window.clearInterval;
    window.setInterval = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
      const id = setInterval(handler, ms, ...args);
      this.intervals.set(id, new Error().stack ?? '');
      return id;
    }) as typeof window.setInterval;
    window.clearInterval = ((id?: number) => {
      if (id !== undefined) this.intervals.delete(id);
      clearInterval(id);
    }) as typeof window.clearInterval;
    this.#restore.push(() => {
      window.setInterval = setInterval;
      window.clearInterval = clearInterval;
    });
    return this;
  }

  restore(): void {
    for (const undo of this.#restore.reverse()) undo();
  }
}

describe('<click-to-call> lifecycle', () => {
  let spies: Spies;
  beforeEach(() => {
    spies = new Spies().install();
  });
  afterEach(() => spies.restore());

  it('removed mid-call: drops the call at the vendor, closes the gateway WebSocket, stops the microphone, leaves no interval and asks nothing more', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 50 });
    const url = await endpoint();
    const el = await fixture<ClickToCall>(html`<click-to-call endpoint=${url} destination="sales"></click-to-call>`);
    const connected = oneEvent(el, 'c2c-connected');
    part(el, 'call-button')!.click();
    await connected;
    // The level meter runs while the settings are open: open them, so its loop is part of the test.
    part(el, 'settings-button')!.click();
    await waitUntil(() => part(el, 'level') !== null, 'no level meter', { timeout: 5000 });
    await waitUntil(async () => ((await agentStats())?.calls.at(-1)?.packetsReceived ?? 0) > 10, 'agent hears nothing', { timeout: 5000 });
    const gateway = spies.sockets.filter((s) => s.protocol === 'sip' || s.url.startsWith('ws'));
    expect(gateway.length, 'no gateway WebSocket seen').to.be.greaterThan(0);
    const tracks = spies.streams.flatMap((s) => s.getTracks());
    expect(tracks.some((t) => t.readyState === 'live')).to.be.true;
    const intervalsDuringCall = spies.intervals.size;

    const removedAt = performance.now();
    el.remove();

    await waitUntil(async () => (await simCalls())!.at(-1)!.status === 'dropped', 'vendor call not dropped', { timeout: 5000 });
    await waitUntil(async () => (await agentStats())!.calls.at(-1)?.endedBy != null, 'agent call still up', { timeout: 5000 });
    await waitUntil(() => gateway.every((s) => s.readyState === WebSocket.CLOSED), 'gateway WebSocket still open', { timeout: 5000 });
    await waitUntil(() => tracks.every((t) => t.readyState === 'ended'), 'microphone still live', { timeout: 2000 });
    // The drop went out as a keep-alive request (it outlives a page that is going away).
    const after = spies.fetches.filter((f) => f.at >= removedAt);
    expect(after.map((f) => new URL(f.url).pathname)).to.deep.equal([`${new URL(url).pathname}/calls/${encodeURIComponent(el.snapshot.callId!)}/hangup`]);
    expect(after[0]!.keepalive).to.be.true;

    // Proving that nothing more happens takes a quiet period longer than the poll back-off and
    // the quality timer (1 s).
    const polls = (await simCount('getClickToCallEvents'))!;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(spies.fetches.filter((f) => f.at >= removedAt).length, 'requests after removal').to.equal(1);
    expect(await simCount('getClickToCallEvents')).to.equal(polls);
    expect(el.snapshot.state).to.equal('ended');
    const left = [...spies.intervals.values()];
    expect(left, `intervals still running (${intervalsDuringCall} during the call):\n${left.join('\n---\n')}`).to.deep.equal([]);
  });

  it('a real double click on the call button starts one call at the vendor and leaves it connected', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 50 });
    const url = await endpoint();
    const el = await fixture<ClickToCall>(html`<click-to-call endpoint=${url} destination="sales"></click-to-call>`);
    // Hover first, as a mouse does: prefetch may mint a session token, which is not a call.
    const box = part(el, 'call-button')!.getBoundingClientRect();
    const position: [number, number] = [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)];
    await sendMouse({ type: 'move', position });
    const creates = (await simCount('createClickToCall'))!;
    const answered = (await agentStats())!.callsAnswered;
    const states: string[] = [];
    el.addEventListener('c2c-state-change', (e) => states.push((e as CustomEvent<CallSnapshot>).detail.state));
    const connected = oneEvent(el, 'c2c-connected');
    await sendMouse({ type: 'click', position });
    await sendMouse({ type: 'click', position });
    await connected;
    expect(await simCount('createClickToCall')).to.equal(creates + 1);
    expect((await agentStats())!.callsAnswered).to.equal(answered + 1);
    expect(states).to.deep.equal(['authorizing', 'dialing', 'queued', 'connecting', 'connected']);
    // The second click did not mute, hang up or open anything.
    expect(el.snapshot.muted).to.be.false;
    await el.hangup();
  });

  it('two widgets with two destinations: independent calls and states; hanging up one leaves the other', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 50 });
    // The callback stays connected until the test moves it on.
    await vendor('ccai', 'scriptNextCall', { statuses: [['queued', 20], ['connected'], ['finished']] });
    const url = await endpoint();
    const page = await fixture<HTMLDivElement>(html`<div>
      <click-to-call id="web" endpoint=${url} destination="sales"></click-to-call>
      <call-status for="web"></call-status>
      <click-to-call id="back" mode="callback" endpoint=${url} destination="callback-ccai" locale="en-US"></click-to-call>
      <call-status for="back"></call-status>
    </div>`);
    const [web, back] = [...page.querySelectorAll('click-to-call')];
    const [webStatus, backStatus] = [...page.querySelectorAll('call-status')];
    const log = { web: [] as string[], back: [] as string[] };
    web!.addEventListener('c2c-state-change', (e) => log.web.push((e as CustomEvent<CallSnapshot>).detail.state));
    back!.addEventListener('c2c-state-change', (e) => log.back.push((e as CustomEvent<CallSnapshot>).detail.state));

    const webConnected = oneEvent(web!, 'c2c-connected');
    const backConnected = oneEvent(back!, 'c2c-connected');
    void web!.call();
    back!.phone = '+14155550123';
    void back!.call();
    await Promise.all([webConnected, backConnected]);
    expect(web!.snapshot.provider).to.equal('huawei');
    expect(back!.snapshot.provider).to.equal('ccai');
    expect(web!.snapshot.callId).to.not.equal(back!.snapshot.callId);

    await web!.hangup();
    expect(web!.state).to.equal('ended');
    expect(back!.state).to.equal('connected');
    await waitUntil(async () => (await simCalls())!.at(-1)!.status === 'dropped', 'vendor call not dropped', { timeout: 5000 });
    await webStatus!.updateComplete;
    await backStatus!.updateComplete;
    expect(webStatus!.state).to.equal('ended');
    expect(backStatus!.state).to.equal('connected');
    // The callback still follows its own events: the vendor ends it, and only it moves.
    await vendor('ccai', 'advance');
    await waitUntil(() => back!.state === 'ended', `callback not ended: ${log.back.join(',')}`, { timeout: 8000 });
    expect(log.web).to.deep.equal(['authorizing', 'dialing', 'queued', 'connecting', 'connected', 'ending', 'ended']);
    expect(log.back[0]).to.equal('authorizing');
    expect(log.back).to.include('connected');
    expect(log.back.at(-1)).to.equal('ended');
    expect(web!.state).to.equal('ended');
  });
});
