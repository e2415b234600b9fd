import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import { endpoint, scriptNextCall } from './sandbox.ts';

/** Center of an element in page coordinates, for a real (trusted) mouse click. */
function center(node: Element): [number, number] {
  const r = node.getBoundingClientRect();
  return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];
}

describe('Mobile Safari rules', () => {
  it('should ask for the microphone and start playback inside the click gesture', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 50 });
    const el = await fixture<ClickToCall>(html`<click-to-call endpoint=${await endpoint()} destination="sales"></click-to-call>`);
    const devices = navigator.mediaDevices;
    const getUserMedia = devices.getUserMedia;
    const play = HTMLMediaElement.prototype.play;
    // Spies that pass through to the browser: they record whether they ran inside the click.
    const seen: Array<{ what: string; inClick: boolean; activation: boolean }> = [];
    // Inside the click's dispatch: from the first listener (window, capture) to the last
    // (window, bubble). window.event cannot tell, as it is unset for shadow-tree targets.
    let clicking = false;
    const start = () => (clicking = true);
    const stop = () => (clicking = false);
    window.addEventListener('click', start, true);
    window.addEventListener('click', stop);
    const record = (what: string) =>
      seen.push({ what, inClick: clicking, activation: navigator.userActivation?.isActive ?? false });
    devices.getUserMedia = function (constraints) {
      record('getUserMedia');
      return getUserMedia.call(this, constraints);
    };
    HTMLMediaElement.prototype.play = function () {
      record('play');
      return play.call(this);
    };
    try {
      const connected = oneEvent(el, 'c2c-connected');
      await sendMouse({ type: 'click', position: center(el.shadowRoot!.querySelector('[part~=call-button]')!) });
      await connected;
    } finally {
      devices.getUserMedia = getUserMedia;
      HTMLMediaElement.prototype.play = play;
      window.removeEventListener('click', start, true);
      window.removeEventListener('click', stop);
    }
    const first = (what: string) => seen.find((s) => s.what === what);
    expect(first('getUserMedia'), 'getUserMedia not called').to.exist;
    expect(first('getUserMedia')!.inClick, 'microphone asked for outside the click').to.equal(true);
    expect(first('play')!.inClick, 'playback not started in the click').to.equal(true);
    expect(first('play')!.activation).to.equal(true);
    // One microphone request per call: the click's, not another one later.
    expect(seen.filter((s) => s.what === 'getUserMedia')).to.have.length(1);
    await el.hangup();
  });

  it('should not ask for the microphone for a callback button', async () => {
    const el = await fixture<ClickToCall>(
      html`<click-to-call endpoint=${await endpoint()} destination="callback-sarv" mode="callback"></click-to-call>`,
    );
    const devices = navigator.mediaDevices;
    const getUserMedia = devices.getUserMedia;
    let asked = 0;
    devices.getUserMedia = function (constraints) {
      asked++;
      return getUserMedia.call(this, constraints);
    };
    try {
      el.phone = '+14155550123';
      const ended = oneEvent(el, 'c2c-state-change');
      void el.call();
      await ended;
      await el.hangup();
    } finally {
      devices.getUserMedia = getUserMedia;
    }
    expect(asked).to.equal(0);
  });

  it('should give the microphone back when the call is hung up before the engine is loaded', async () => {
    const el = await fixture<ClickToCall>(html`<click-to-call endpoint=${await endpoint()} destination="sales"></click-to-call>`);
    const devices = navigator.mediaDevices;
    const getUserMedia = devices.getUserMedia;
    const opened: { stream: MediaStream | null } = { stream: null };
    devices.getUserMedia = async function (constraints) {
      opened.stream = await getUserMedia.call(this, constraints);
      return opened.stream;
    };
    try {
      void el.call();
      await el.hangup();
      expect(el.snapshot.state).to.equal('ended');
      const deadline = Date.now() + 3000;
      while ((!opened.stream || opened.stream.getTracks().some((t) => t.readyState === 'live')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      devices.getUserMedia = getUserMedia;
    }
    expect(opened.stream, 'no microphone asked for').to.not.equal(null);
    expect(opened.stream!.getTracks().every((t) => t.readyState === 'ended'), 'microphone left open').to.equal(true);
  });
});
