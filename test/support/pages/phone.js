// A plain JsSIP softphone page for the rig: caller (register: false) or callee (registered,
// auto-answering). Driven from tests through `window.phone`. Browser ES module, no build step;
// `./jssip.js` is the esbuild bundle made by test/support/rig.ts bundleJsSIP().
import JsSIP from './jssip.js';

JsSIP.debug.disable();

const log = [];
const note = (event, detail = {}) => log.push({ event, at: performance.now(), ...detail });

let ua = null;
let session = null;

function playRemote(pc) {
  // audioLevel in getStats stays 0 until the remote stream plays in an <audio> element.
  pc.addEventListener('track', (event) => {
    const audio = document.querySelector('audio#remote');
    audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
    audio.play().catch((error) => note('play-failed', { error: String(error) }));
  });
}

function watch(s) {
  session = s;
  s.on('progress', () => note('progress'));
  s.on('accepted', () => note('accepted'));
  s.on('confirmed', () => note('confirmed'));
  s.on('newDTMF', (e) => note('dtmf', { originator: e.originator, tone: e.dtmf.tone }));
  s.on('ended', (e) => note('ended', { originator: e.originator, cause: e.cause }));
  s.on('failed', (e) => note('failed', { originator: e.originator, cause: e.cause }));
}

function once(emitter, ok, bad, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${ok}`)), timeoutMs);
    emitter.once(ok, (e) => { clearTimeout(timer); resolve(e); });
    for (const b of bad) emitter.once(b, (e) => { clearTimeout(timer); reject(new Error(`${b}: ${e?.cause ?? ''}`)); });
  });
}

window.phone = {
  log,
  async start({ wsUrl, uri, register = false, autoAnswer = false, timeoutMs = 5000 }) {
    ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(wsUrl)],
      uri,
      register,
      session_timers: false,
      connection_recovery_min_interval: 1,
      connection_recovery_max_interval: 2,
    });
    ua.on('newRTCSession', (e) => {
      if (e.originator !== 'remote') return;
      note('incoming', { from: e.request.from.uri.toString() });
      watch(e.session);
      e.session.on('peerconnection', (p) => playRemote(p.peerconnection));
      if (autoAnswer) {
        e.session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } });
      }
    });
    const ready = once(ua, register ? 'registered' : 'connected', register ? ['registrationFailed'] : [], timeoutMs);
    ua.start();
    await ready;
    note(register ? 'registered' : 'connected');
  },
  async call(target, { timeoutMs = 10000 } = {}) {
    const t0 = performance.now();
    note('call');
    const s = ua.call(target, {
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [] },
      // JsSIP emits peerconnection inside ua.call(): only eventHandlers see it.
      eventHandlers: { peerconnection: (e) => playRemote(e.peerconnection) },
    });
    watch(s);
    await once(s, 'confirmed', ['failed', 'ended'], timeoutMs);
    return { confirmedMs: performance.now() - t0 };
  },
  sendDTMF(tones, transportType = 'INFO') {
    session.sendDTMF(tones, { transportType, duration: 160, interToneGap: 100 });
  },
  hangup() {
    if (session && !session.isEnded()) session.terminate();
  },
  activeCall() {
    return Boolean(session && !session.isEnded());
  },
  stop() {
    ua?.stop();
  },
};
note('loaded');
