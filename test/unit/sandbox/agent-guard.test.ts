import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guardClosedListeners } from '../../../src/sandbox/agent.ts';

type Wrtc = typeof import('@roamhq/wrtc');

describe('sandbox agent: wrtc peer connections', () => {
  it('a listener that throws because the pc was closed (as JsSIP\'s gathering listener does) does not escape; before close it does', async () => {
    const mod = (await import('@roamhq/wrtc')) as Wrtc & { default?: Wrtc };
    const wrtc = mod.default ?? mod;
    const pc = new wrtc.RTCPeerConnection() as unknown as RTCPeerConnection;
    guardClosedListeners(pc);
    let calls = 0;
    const reading = () => {
      calls++;
      // What JsSIP's ready() does: a closed pc has no localDescription.
      return (pc.localDescription as RTCSessionDescription).sdp;
    };
    pc.addEventListener('icegatheringstatechange', reading);
    const escaped: unknown[] = [];
    const onUncaught = (error: unknown) => escaped.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      // Start gathering, then close: wrtc fires icegatheringstatechange (browsers do not).
      pc.addTransceiver('audio');
      await pc.setLocalDescription(await pc.createOffer());
      pc.close();
      const deadline = Date.now() + 2_000;
      while (calls === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    assert.ok(calls > 0, 'the listener never ran: the test would prove nothing');
    assert.deepEqual(escaped, []);
    pc.removeEventListener('icegatheringstatechange', reading);
  });
});
