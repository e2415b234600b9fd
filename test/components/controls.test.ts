// Audio controls and the pre-call check, in Chromium (fake devices: two microphones that beep,
// two speakers) against the real sandbox: token endpoint, Huawei simulator, JsSIP + wrtc agent.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import type { CallSession } from '../../src/core/session.ts';
import type { ReadinessReport } from '../../src/elements/readiness.ts';
import { isReadinessQuery, readinessPath, toReadinessResponse } from '../../src/elements/readiness.ts';
import { PATHS, ReadinessQuery, ReadinessResponse } from '../../src/protocol/index.ts';
import { agentStats, deadProbeEndpoint, endpoint, scriptNextCall } from './sandbox.ts';

const part = <T extends Element = HTMLElement>(el: ClickToCall, name: string) =>
  el.shadowRoot!.querySelector<T>(`[part~="${name}"]`);
const sessionOf = (el: ClickToCall) => (el as unknown as { session: CallSession }).session;

async function mount(destination = 'sales', url?: string): Promise<ClickToCall> {
  return fixture<ClickToCall>(html`<click-to-call endpoint=${url ?? (await endpoint())} destination=${destination}></click-to-call>`);
}

async function connectedCall(): Promise<{ el: ClickToCall; callIndex: number }> {
  await scriptNextCall({ outcome: 'connect', queueMs: 50 });
  const el = await mount();
  const connected = oneEvent(el, 'c2c-connected');
  void el.call();
  await connected;
  await el.updateComplete;
  return { el, callIndex: (await agentStats())!.calls.length - 1 };
}

/** Packets the agent has received on a call, once that count has grown by `more`. */
async function agentHearsMore(callIndex: number, more: number): Promise<void> {
  const from = (await agentStats())!.calls[callIndex]!.packetsReceived;
  await waitUntil(async () => (await agentStats())!.calls[callIndex]!.packetsReceived > from + more, 'the agent hears nothing', {
    timeout: 5000,
  });
}

async function openSettings(el: ClickToCall): Promise<HTMLSelectElement> {
  part(el, 'settings-button')!.click();
  await waitUntil(() => (part<HTMLSelectElement>(el, 'microphone-select')?.options.length ?? 0) > 1, 'no microphones listed', {
    timeout: 3000,
  });
  return part<HTMLSelectElement>(el, 'microphone-select')!;
}

/** Picks an option as a visitor does: the value changes, then `change` fires. */
function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Device names appear only once this page has had the microphone. */
async function allowMicrophone(): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  for (const track of stream.getTracks()) track.stop();
}

/** Records every AudioContext made while `fn` runs, to prove each is closed afterwards. */
function recordAudioContexts(): { contexts: AudioContext[]; restore(): void } {
  const Original = window.AudioContext;
  const contexts: AudioContext[] = [];
  window.AudioContext = class extends Original {
    constructor(options?: AudioContextOptions) {
      super(options);
      contexts.push(this);
    }
  };
  return { contexts, restore: () => (window.AudioContext = Original) };
}

describe('<click-to-call> audio settings', () => {
  it('should list the microphones and speakers by name, focus the first list, and close on Escape', async () => {
    await allowMicrophone();
    const el = await mount();
    const button = part<HTMLButtonElement>(el, 'settings-button')!;
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    const microphones = await openSettings(el);
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    const labels = [...microphones.options].map((o) => o.textContent!.trim());
    expect(labels[0]).to.equal('Browser default');
    expect(labels).to.include.members(['Fake Audio Input 1', 'Fake Audio Input 2']);
    // The browser's own "default" entry is our "Browser default": not listed twice.
    expect([...microphones.options].map((o) => o.value)).not.to.include('default');
    const speakers = part<HTMLSelectElement>(el, 'speaker-select')!;
    expect([...speakers.options].map((o) => o.textContent!.trim())).to.include.members(['Fake Audio Output 1', 'Fake Audio Output 2']);
    // Each list has a visible label tied to it.
    expect(el.shadowRoot!.querySelector(`label[for=${microphones.id}]`)!.textContent).to.equal('Microphone');
    expect(el.shadowRoot!.querySelector(`label[for=${speakers.id}]`)!.textContent).to.equal('Speaker');
    await waitUntil(() => el.shadowRoot!.activeElement === microphones, 'focus did not move to the microphone list');
    await expect(el).to.be.accessible();

    await sendKeys({ press: 'Escape' });
    await waitUntil(() => part(el, 'settings') === null, 'Escape did not close the settings');
    await waitUntil(() => el.shadowRoot!.activeElement === button, 'focus did not return to the settings button');
    expect(button.getAttribute('aria-expanded')).to.equal('false');
  });

  it('should hide the speaker list where the browser cannot choose the output device', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'setSinkId')!;
    delete (HTMLMediaElement.prototype as { setSinkId?: unknown }).setSinkId;
    try {
      const el = await mount();
      await openSettings(el);
      expect(part(el, 'speaker-select')).to.equal(null);
      let refused: unknown = null;
      await el.setSpeaker('default').catch((error: unknown) => (refused = error));
      expect((refused as Error).name).to.equal('InvalidStateError');
      expect(part(el, 'device-error')!.textContent).to.equal('This device cannot be used here. Pick another.');
    } finally {
      Object.defineProperty(HTMLMediaElement.prototype, 'setSinkId', descriptor);
    }
  });

  it('should switch the microphone mid-call and keep audio flowing to the agent', async () => {
    await allowMicrophone();
    const { el, callIndex } = await connectedCall();
    const before = sessionOf(el).microphone!;
    expect(before).to.be.instanceOf(MediaStream);
    const microphones = await openSettings(el);
    const other = [...microphones.options].find((o) => o.textContent === 'Fake Audio Input 2')!.value;
    choose(microphones, other);
    await waitUntil(() => el.snapshot.microphoneId === other, 'the microphone was not switched', { timeout: 5000 });
    const after = sessionOf(el).microphone!;
    expect(after).not.to.equal(before);
    expect(after.getAudioTracks()[0]!.getSettings().deviceId).to.equal(other);
    expect(before.getAudioTracks()[0]!.readyState).to.equal('ended');
    expect(el.state).to.equal('connected');
    await agentHearsMore(callIndex, 25);
    await el.updateComplete;
    expect(microphones.value).to.equal(other);
    await el.hangup();
  });

  it('should show why a microphone cannot be used and carry on with the old one', async () => {
    const { el, callIndex } = await connectedCall();
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia;
    devices.getUserMedia = () => Promise.reject(new DOMException('busy', 'NotReadableError'));
    let refused: { code?: string } | null = null;
    try {
      await el.setMicrophone('some-other-microphone').catch((error: { code?: string }) => (refused = error));
    } finally {
      devices.getUserMedia = original;
    }
    expect(refused!.code).to.equal('microphone-unavailable');
    await el.updateComplete;
    const message = part(el, 'device-error')!;
    expect(message.getAttribute('role')).to.equal('alert');
    expect(message.textContent).to.match(/microphone/i);
    expect(el.state).to.equal('connected');
    expect(el.snapshot.microphoneId).to.equal(null);
    await agentHearsMore(callIndex, 25);
    await el.hangup();
  });

  it('should play the call on the chosen speaker through setSinkId', async () => {
    await allowMicrophone();
    const proto = HTMLMediaElement.prototype as HTMLMediaElement & { setSinkId(id: string): Promise<void> };
    const original = proto.setSinkId;
    const calls: Array<{ element: HTMLMediaElement; id: string }> = [];
    proto.setSinkId = function (this: HTMLMediaElement, id: string) {
      calls.push({ element: this, id });
      return original.call(this, id);
    };
    try {
      const { el } = await connectedCall();
      await openSettings(el);
      const speakers = part<HTMLSelectElement>(el, 'speaker-select')!;
      const chosen = [...speakers.options].find((o) => o.textContent === 'Fake Audio Output 2')!.value;
      choose(speakers, chosen);
      await waitUntil(() => el.snapshot.speakerId === chosen, 'the speaker was not chosen', { timeout: 5000 });
      const last = calls.at(-1)!;
      expect(last.id).to.equal(chosen);
      expect(last.element).to.be.instanceOf(HTMLAudioElement);
      expect((last.element as HTMLAudioElement & { sinkId: string }).sinkId).to.equal(chosen);
      expect(part(el, 'device-error')).to.equal(null);
      await el.hangup();
    } finally {
      proto.setSinkId = original;
    }
  });
});

describe('<click-to-call> microphone level', () => {
  it('should move with the fake microphone\'s beep, show zero while muted, and close its AudioContext when the call ends', async () => {
    const audio = recordAudioContexts();
    try {
      const { el } = await connectedCall();
      await openSettings(el);
      const meter = () => part<HTMLMeterElement>(el, 'level');
      await waitUntil(() => (meter()?.value ?? 0) > 0, 'the meter never moved', { timeout: 5000 });
      expect(meter()!.getAttribute('aria-label')).to.equal('Microphone level');
      expect(meter()!.max).to.equal(100);
      await expect(el).to.be.accessible();

      el.setMuted(true);
      await el.updateComplete;
      expect(meter()!.value).to.equal(0);
      // Beeps come every half second: over a second, a muted meter must not move.
      let moved = false;
      const watch = setInterval(() => (moved ||= (meter()?.value ?? 0) > 0), 50);
      await new Promise((r) => setTimeout(r, 1000));
      clearInterval(watch);
      expect(moved, 'the meter moved while muted').to.equal(false);
      el.setMuted(false);
      await waitUntil(() => (meter()?.value ?? 0) > 0, 'the meter did not come back after unmuting', { timeout: 5000 });

      expect(audio.contexts.length).to.be.greaterThan(0);
      await el.hangup();
      await el.updateComplete;
      expect(meter()).to.equal(null);
      await waitUntil(() => audio.contexts.every((c) => c.state === 'closed'), 'an AudioContext was left open');
    } finally {
      audio.restore();
    }
  });

  it('should release the meter when the element is removed mid-call', async () => {
    const audio = recordAudioContexts();
    try {
      const { el } = await connectedCall();
      await openSettings(el);
      await waitUntil(() => audio.contexts.some((c) => c.state === 'running'), 'the meter never started', { timeout: 3000 });
      el.remove();
      await waitUntil(() => audio.contexts.every((c) => c.state === 'closed'), 'an AudioContext was left open', { timeout: 3000 });
    } finally {
      audio.restore();
    }
  });
});

describe('<click-to-call> blocked audio', () => {
  it('should offer "Tap to enable audio" when the browser blocks the agent\'s audio, focus it, and play on tap', async () => {
    const proto = HTMLMediaElement.prototype;
    const play = proto.play;
    // What Mobile Safari answers an audio element started outside a tap.
    proto.play = () => Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError'));
    let restored = false;
    try {
      await scriptNextCall({ outcome: 'connect', queueMs: 50 });
      const el = await mount();
      part(el, 'call-button')!.focus();
      part(el, 'call-button')!.click();
      await waitUntil(() => el.snapshot.audioBlocked, 'audio was never reported blocked', { timeout: 8000 });
      // The prompt comes with the audio settings' chunk.
      await waitUntil(() => part(el, 'enable-audio') !== null, 'no prompt', { timeout: 3000 });
      const prompt = part<HTMLButtonElement>(el, 'enable-audio')!;
      expect(prompt.textContent!.trim()).to.equal('Tap to enable audio');
      expect(part(el, 'audio-note')!.getAttribute('role')).to.equal('alert');
      await waitUntil(() => el.shadowRoot!.activeElement === prompt, 'focus did not move to the prompt');
      await expect(el).to.be.accessible();

      proto.play = play;
      restored = true;
      prompt.click();
      await waitUntil(() => !el.snapshot.audioBlocked, 'the audio stayed blocked after the tap', { timeout: 5000 });
      await el.updateComplete;
      expect(part(el, 'enable-audio')).to.equal(null);
      if (el.state === 'connected') {
        await waitUntil(() => el.shadowRoot!.activeElement === part(el, 'hangup-button'), 'focus was lost with the prompt');
      }
      await el.hangup();
    } finally {
      if (!restored) proto.play = play;
    }
  });
});

describe('<click-to-call> checkReadiness()', () => {
  const byName = (report: ReadinessReport) => Object.fromEntries(report.checks.map((c) => [c.name, c]));

  it('should pass every check in the sandbox, and show the report from "Test my audio" in the audio settings', async () => {
    const el = await mount();
    await openSettings(el);
    const button = part<HTMLButtonElement>(el, 'test-audio-button')!;
    button.click();
    await waitUntil(() => button.disabled, 'the button stays enabled while the check runs');
    const report = await el.checkReadiness();
    expect(report.ok).to.equal(true);
    expect(report.mode).to.equal('webrtc');
    expect(report.checks.map((c) => c.name)).to.deep.equal([
      'webrtc',
      'microphone-permission',
      'microphone-device',
      'microphone-signal',
      'token-endpoint',
      'gateway',
    ]);
    for (const check of report.checks) {
      expect(check.status, `${check.name}: ${check.message}`).to.equal('pass');
      expect(check.code).to.equal(null);
      expect(check.message).to.be.a('string').and.not.empty;
    }
    await el.updateComplete;
    expect(button.disabled).to.equal(false);
    const region = part(el, 'readiness')!;
    expect(region.getAttribute('role')).to.equal('status');
    expect(region.querySelectorAll('[part=readiness-check][data-status=pass]').length).to.equal(6);
    expect(region.textContent).to.match(/Ready to call/);
    await expect(el).to.be.accessible();
  });

  it('should report gateway-unreachable when no probe address opens', async () => {
    const el = await mount('sales', await deadProbeEndpoint());
    await openSettings(el);
    const checks = byName(await el.checkReadiness());
    expect(checks['token-endpoint']!.status).to.equal('pass');
    expect(checks.gateway!.status).to.equal('fail');
    expect(checks.gateway!.code).to.equal('gateway-unreachable');
    expect(checks.gateway!.message).to.match(/gateway/);
    await el.updateComplete;
    const shown = part(el, 'readiness')!.querySelector('[data-name=gateway]')!;
    expect(shown.getAttribute('data-status')).to.equal('fail');
    expect(shown.textContent).to.match(/Failed:/);
  });

  it('should report token-endpoint-unreachable for a dead endpoint, and not try the gateway', async () => {
    const el = await mount('sales', 'http://127.0.0.1:9/c2c');
    const report = await el.checkReadiness();
    const checks = byName(report);
    expect(report.ok).to.equal(false);
    expect(checks['token-endpoint']!.status).to.equal('fail');
    expect(checks['token-endpoint']!.code).to.equal('token-endpoint-unreachable');
    expect(checks.gateway!.status).to.equal('skip');
    // The visitor's side can still be checked.
    expect(checks['microphone-signal']!.status).to.equal('pass');
  });

  it('should skip the audio checks for a callback destination, without asking for the microphone', async () => {
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia;
    let asked = 0;
    devices.getUserMedia = (constraints) => {
      asked++;
      return original.call(devices, constraints);
    };
    try {
      const el = await mount('callback-sarv');
      const report = await el.checkReadiness();
      expect(report.ok).to.equal(true);
      expect(report.mode).to.equal('callback');
      const checks = byName(report);
      for (const name of ['webrtc', 'microphone-permission', 'microphone-device', 'microphone-signal', 'gateway']) {
        expect(checks[name]!.status, name).to.equal('skip');
      }
      expect(checks['token-endpoint']!.status).to.equal('pass');
      expect(asked).to.equal(0);
    } finally {
      devices.getUserMedia = original;
    }
  });

  it('should report microphone-silent when the microphone sends only silence', async () => {
    const context = new AudioContext();
    const silent = context.createMediaStreamDestination().stream;
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia;
    devices.getUserMedia = async () => silent;
    try {
      const el = await mount();
      const checks = byName(await el.checkReadiness());
      expect(checks['microphone-device']!.status).to.equal('pass');
      expect(checks['microphone-signal']!.status).to.equal('fail');
      expect(checks['microphone-signal']!.code).to.equal('microphone-silent');
    } finally {
      devices.getUserMedia = original;
      await context.close();
    }
  });

  it('should report microphone-denied when the visitor refuses the microphone', async () => {
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia;
    devices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    try {
      const el = await mount();
      const checks = byName(await el.checkReadiness());
      expect(checks['microphone-permission']!.status).to.equal('fail');
      expect(checks['microphone-permission']!.code).to.equal('microphone-denied');
      expect(checks['microphone-device']!.status).to.equal('skip');
      expect(checks['microphone-signal']!.status).to.equal('skip');
      expect(checks['token-endpoint']!.status).to.equal('pass');
    } finally {
      devices.getUserMedia = original;
    }
  });

  it('should report webrtc-unsupported where the browser cannot call', async () => {
    const saved = window.RTCPeerConnection;
    // @ts-expect-error simulating an old browser
    delete window.RTCPeerConnection;
    try {
      const el = await mount();
      const checks = byName(await el.checkReadiness());
      expect(checks.webrtc!.status).to.equal('fail');
      expect(checks.webrtc!.code).to.equal('webrtc-unsupported');
      expect(checks['microphone-permission']!.status).to.equal('skip');
    } finally {
      window.RTCPeerConnection = saved;
    }
  });

  it('should reject with InvalidArgumentError without an endpoint, and show nothing', async () => {
    const el = await fixture<ClickToCall>(html`<click-to-call destination="sales"></click-to-call>`);
    await openSettings(el);
    expect(part<HTMLButtonElement>(el, 'test-audio-button')!.disabled).to.equal(true);
    let refused: Error | null = null;
    await el.checkReadiness().catch((error: Error) => (refused = error));
    expect(refused!.name).to.equal('InvalidArgumentError');
    await el.updateComplete;
    expect(part(el, 'readiness')!.textContent!.trim()).to.equal('');
  });

  it('should check the query and the answer in the browser exactly as the protocol schemas do', () => {
    const queries = [
      { destination: 'sales' },
      { destination: 'sales', mode: 'webrtc' },
      { destination: 'x', mode: 'callback' },
      { destination: '' },
      { destination: 'x'.repeat(64) },
      { destination: 'x'.repeat(65) },
      { destination: 'sales', mode: 'video' },
      { destination: 7 },
      {},
    ];
    for (const query of queries) {
      expect(isReadinessQuery(query), JSON.stringify(query)).to.equal(ReadinessQuery.safeParse(query).success);
      if (isReadinessQuery(query)) expect(readinessPath(query)).to.equal(PATHS.readiness(query));
    }
    const answers = [
      { mode: 'webrtc' },
      { mode: 'callback' },
      { mode: 'webrtc', probeAddresses: ['wss://gw.example/ws', 'gw.example:443'] },
      { mode: 'webrtc', probeAddresses: [] },
      { mode: 'webrtc', probeAddresses: Array(9).fill('gw:1') },
      { mode: 'webrtc', probeAddresses: [''] },
      { mode: 'webrtc', probeAddresses: ['x'.repeat(257)] },
      { mode: 'webrtc', probeAddresses: 'gw:1' },
      { mode: 'video' },
      {},
      null,
      'webrtc',
    ];
    for (const answer of answers) {
      const schema = ReadinessResponse.safeParse(answer);
      const ours = toReadinessResponse(answer);
      expect(ours !== null, JSON.stringify(answer)).to.equal(schema.success);
      if (schema.success) expect(ours).to.deep.equal(schema.data);
    }
  });
});
