/**
 * A sandbox contact-center agent made of real parts: a `ws` WebSocket server speaking SIP
 * (subprotocol `sip`), one JsSIP UA per accepted connection and @roamhq/wrtc for media.
 * A browser JsSIP caller can point its socket straight at `url` and call `sip:<user>@<domain>`;
 * no SIP proxy is involved. The agent answers with a tone (or echoes the caller) and measures
 * what it hears, so a test can prove audio in both directions.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RTCSession, EndEvent, IncomingDTMFEvent, PeerConnectionEvent } from 'jssip/lib/RTCSession';
import type { IncomingRTCSessionEvent, UA } from 'jssip/lib/UA';
import type { Socket as JsSIPSocket } from 'jssip/lib/Socket';
import type { WebSocket, WebSocketServer } from 'ws';

export type AgentAudio = 'tone' | 'echo';

export interface AgentOptions {
  /** Interface to listen on; loopback by default so nothing leaves the machine. */
  host?: string;
  /** 0 asks the OS for a free port. */
  port?: number;
  /** The user part the agent answers as (the access code the caller dials). */
  user: string;
  domain?: string;
  /** 'tone' sends a 440 Hz sine; 'echo' sends back what the caller sends. */
  audio?: AgentAudio;
  toneHz?: number;
  answerDelayMs?: number;
  /** When set, the agent hangs up this long after the call is confirmed. */
  hangupAfterMs?: number;
  /** How long a call whose caller's WebSocket dropped waits for the caller to come back (30 s). */
  resumeMs?: number;
}

export type EndedBy = 'caller' | 'agent' | 'system';

export interface AgentDtmf {
  tone: string;
  /**
   * 'info': SIP INFO (application/dtmf-relay).
   * 'audio': DTMF tone pair detected in the decoded audio. RFC 4733 events land here: wrtc has
   * no API for received telephone-events, but libwebrtc's jitter buffer renders them as tones.
   */
  via: 'info' | 'audio';
  at: number;
}

export interface AgentCallStats {
  id: string;
  from: string;
  startedAt: number;
  answeredAt: number | null;
  confirmedAt: number | null;
  endedAt: number | null;
  /** inbound-rtp packetsReceived from wrtc's getStats, sampled every STATS_INTERVAL_MS. */
  packetsReceived: number;
  /** 10 ms audio frames delivered by the RTCAudioSink (decoded audio, silence included). */
  framesReceived: number;
  /** Mean of per-frame RMS, 0..1 (same scale as WebRTC's audioLevel). */
  meanLevel: number;
  /** Highest per-frame peak amplitude, 0..1. */
  peakLevel: number;
  dtmf: AgentDtmf[];
  /** re-INVITEs received in the dialog (an ICE restart after a reconnection sends one). */
  reinvites: number;
  /** Whether the last offer restarted ICE (new ice-ufrag) and carried candidates. */
  lastOffer: { iceRestart: boolean; candidates: number } | null;
  endedBy: EndedBy | null;
  cause: string | null;
}

export interface AgentStats {
  callsAnswered: number;
  activeCalls: number;
  calls: AgentCallStats[];
}

export interface AgentEvents {
  /** An INVITE arrived. */
  call: [AgentCallStats];
  confirmed: [AgentCallStats];
  dtmf: [AgentCallStats, AgentDtmf];
  ended: [AgentCallStats];
}

export interface Agent {
  url: string;
  port: number;
  /**
   * Cuts every caller's WebSocket, as a gateway restart or a network change does; calls stay up
   * for the callers to reconnect. With `refuseMs`, new connections are refused that long (a
   * gateway that stays away). Returns how many connections were cut.
   */
  dropConnections(options?: { refuseMs?: number }): number;
  close(): Promise<void>;
  stats(): AgentStats;
  on<E extends keyof AgentEvents>(event: E, fn: (...args: AgentEvents[E]) => void): () => void;
}

type Wrtc = typeof import('@roamhq/wrtc');
type JsSIPModule = typeof import('jssip');

const SAMPLE_RATE = 48_000;
const FRAME_SAMPLES = 480; // 10 ms at 48 kHz: the frame size wrtc's RTCAudioSource expects
const STATS_INTERVAL_MS = 250;
const BYE_DRAIN_MS = 1_000;
const SOCKET_CLOSE_MS = 1_000;
const GC_MS = 1_000;
/** A caller whose WebSocket dropped mid-call has this long to reconnect and resume it. */
const RESUME_MS = 30_000;

let loaded: Promise<{ wrtc: Wrtc; JsSIP: JsSIPModule }> | undefined;

/**
 * wrtc's classes go on globalThis (only where absent) because JsSIP calls them as bare
 * globals. JsSIP must be imported after that. `window` is NOT made global here: libraries that
 * sniff `typeof window` would think they run in a browser; see withWindow().
 */
function loadParts(): Promise<{ wrtc: Wrtc; JsSIP: JsSIPModule }> {
  loaded ??= (async () => {
    const wrtcMod = (await import('@roamhq/wrtc')) as Wrtc & { default?: Wrtc };
    const wrtc = wrtcMod.default ?? wrtcMod;
    const g = globalThis as Record<string, unknown>;
    for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'MediaStream'] as const) {
      if (g[name] === undefined) g[name] = wrtc[name];
    }
    const jssipMod = (await import('jssip')) as JsSIPModule & { default?: JsSIPModule };
    const JsSIP = jssipMod.default ?? jssipMod;
    // Silence JsSIP only, keeping whatever else DEBUG enabled for other libraries.
    const previous = JsSIP.debug.disable();
    if (previous) JsSIP.debug.enable(`${previous},-JsSIP:*`);
    return { wrtc, JsSIP };
  })();
  return loaded;
}

/**
 * JsSIP checks `window.RTCPeerConnection` synchronously when an INVITE arrives (UA.receiveRequest)
 * and nowhere else on the answering side, so a `window` only for the duration of a synchronous
 * delivery into JsSIP is enough and leaves the process's globals clean afterwards.
 */
function withWindow(wrtc: Wrtc, fn: () => void): void {
  const g = globalThis as Record<string, unknown>;
  if (g.window !== undefined) {
    fn();
    return;
  }
  g.window = { RTCPeerConnection: wrtc.RTCPeerConnection };
  try {
    fn();
  } finally {
    delete g.window;
  }
}

function messageText(data: unknown): string {
  // ws hands over Buffers; JsSIP's parser wants strings.
  return Array.isArray(data) ? Buffer.concat(data as Buffer[]).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** The Call-ID of a SIP message (full or compact header form), if any. */
function sipCallId(text: string): string | null {
  return /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(text)?.[1] ?? null;
}

/**
 * JsSIP's Socket contract around a connection the server accepted (JsSIP normally dials out).
 * A caller whose WebSocket dropped mid-call comes back on a new connection: attach() puts that
 * connection under the same UA, so the dialog (and its re-INVITE) carries on, as a gateway
 * that keeps dialogs across connections does.
 */
class ServerSideSocket implements JsSIPSocket {
  via_transport = 'WS';
  readonly url: string;
  readonly sip_uri: string;
  private open = false;
  private ws!: WebSocket;

  constructor(
    ws: WebSocket,
    private readonly wrtc: Wrtc,
    url: string,
    host: string,
    port: number,
  ) {
    this.url = url;
    this.sip_uri = `sip:${host}:${port};transport=ws`;
    this.bind(ws);
  }

  /** Serves the UA over a new connection; `first` is a message already read from it. */
  attach(ws: WebSocket, first: string): void {
    this.bind(ws);
    this.onconnect();
    this.deliver(first);
  }

  deliver(text: string): void {
    // A malformed message must not take the process down with it.
    try {
      withWindow(this.wrtc, () => this.ondata(text));
    } catch (error) {
      process.emitWarning(`sandbox agent: SIP message dropped: ${String(error)}`);
    }
  }

  private bind(ws: WebSocket): void {
    this.ws = ws;
    this.open = true;
    ws.on('message', (data) => this.deliver(messageText(data)));
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.open = false;
      try {
        this.ondisconnect(false, code, reason.toString());
      } catch {
        // JsSIP's own clean-up failing must not crash the server.
      }
    });
    ws.on('error', () => {
      // 'close' follows; handled there.
    });
  }

  // JsSIP retries connect() forever after a disconnect: while closed, stay silent (attach()
  // reconnects).
  connect(): void {
    if (this.open) this.onconnect();
  }

  disconnect(): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      this.ws.close(1000);
    }
  }

  send(message: string | ArrayBufferLike | Blob | ArrayBufferView): boolean {
    if (!this.open || this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(typeof message === 'string' ? message : String(message));
    return true;
  }

  isConnected(): boolean {
    return this.open && this.ws.readyState === this.ws.OPEN;
  }

  isConnecting(): boolean {
    return false;
  }

  // Replaced by JsSIP's Transport.
  onconnect(): void {}
  ondisconnect(_error: boolean, _code?: number, _reason?: string): void {}
  ondata<T>(_event: T): void {}
}

/** Private JsSIP state touched only to stop without leaving timers behind. */
interface UAInternals {
  _closeTimer?: ReturnType<typeof setTimeout> | null;
  _transport?: { disconnect(): void };
  _transactions?: { nict: Record<string, unknown> };
}

interface Connection {
  ws: WebSocket;
  socket: ServerSideSocket;
  ua: UA;
  calls: Set<CallState>;
  closed: Promise<void>;
  /** The caller's connection dropped with a call on: kept this long for it to come back. */
  resumeTimer: ReturnType<typeof setTimeout> | null;
}

interface CallState {
  stats: AgentCallStats;
  /** The dialog's SIP Call-ID: a caller reconnecting sends it again. */
  callId: string;
  /** null once ended, so the session's media objects can be collected (see collectGarbage). */
  session: RTCSession | null;
  pc: RTCPeerConnection | null;
  timers: Set<ReturnType<typeof setTimeout>>;
  cleanups: (() => void)[];
  levelSum: number;
}

/**
 * wrtc, unlike browsers, fires `icegatheringstatechange` when a peer connection is closed. A
 * caller who hangs up while the agent still gathers for its answer makes JsSIP close the pc,
 * and JsSIP's own gathering listener then reads the closed pc's `localDescription` (null) and
 * throws, out of an event handler: that took the whole sandbox down. Listeners added to this
 * pc (JsSIP adds them after 'peerconnection') have their errors dropped once it is closed.
 */
export function guardClosedListeners(pc: RTCPeerConnection): void {
  type Listener = EventListenerOrEventListenerObject;
  const wrapped = new WeakMap<Listener, EventListener>();
  const add = pc.addEventListener.bind(pc) as (type: string, listener: Listener, options?: unknown) => void;
  const remove = pc.removeEventListener.bind(pc) as (type: string, listener: Listener, options?: unknown) => void;
  const target = pc as unknown as {
    addEventListener(type: string, listener: Listener, options?: unknown): void;
    removeEventListener(type: string, listener: Listener, options?: unknown): void;
  };
  target.addEventListener = (type, listener, options) => {
    let guarded = wrapped.get(listener);
    if (!guarded) {
      guarded = (event: Event) => {
        try {
          if (typeof listener === 'function') listener.call(pc, event);
          else listener.handleEvent(event);
        } catch (error) {
          if (pc.signalingState !== 'closed') throw error;
        }
      };
      wrapped.set(listener, guarded);
    }
    add(type, guarded, options);
  };
  target.removeEventListener = (type, listener, options) => remove(type, wrapped.get(listener) ?? listener, options);
}

/** Tone frames paced by elapsed time: a bare 10 ms interval drifts and starves the encoder. */
function startTone(source: InstanceType<Wrtc['nonstandard']['RTCAudioSource']>, hz: number): () => void {
  const started = performance.now();
  let sent = 0;
  let phase = 0;
  const step = (2 * Math.PI * hz) / SAMPLE_RATE;
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - started) / 10) + 1;
    // After a stall, skip ahead instead of bursting many frames at once.
    if (due - sent > 10) sent = due - 10;
    while (sent < due) {
      const samples = new Int16Array(FRAME_SAMPLES);
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        samples[i] = Math.round(Math.sin(phase) * 0.5 * 32767);
        phase += step;
      }
      phase %= 2 * Math.PI;
      source.onData({ samples, sampleRate: SAMPLE_RATE });
      sent++;
    }
  }, 10);
  return () => clearInterval(timer);
}

/**
 * wrtc crashes the process at exit (SIGSEGV) when an RTCAudioSource or its track is still
 * alive then: their native destructors run after wrtc's factory is gone. Collecting them while
 * the factory lives avoids it, so close() drops every reference and forces a collection.
 * `--expose-gc` set at run time plus a fresh context is the only way to reach gc() without a
 * command-line flag.
 */
function collectGarbage(): void {
  const g = globalThis as { gc?: () => void };
  if (typeof g.gc === 'function') {
    g.gc();
    return;
  }
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const DTMF_LOW = [697, 770, 852, 941] as const;
const DTMF_HIGH = [1209, 1336, 1477, 1633] as const;
const DTMF_KEYS = ['123A', '456B', '789C', '*0#D'] as const;

function goertzelPower(samples: Int16Array, sampleRate: number, hz: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = (samples[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/**
 * Per-frame DTMF detector: a digit counts when one low and one high DTMF frequency carry most
 * of the frame's energy for MIN_ON frames in a row, and is reported once until MIN_OFF quiet
 * frames pass.
 */
export function createDtmfDetector(onDigit: (tone: string) => void): (samples: Int16Array, sampleRate: number) => void {
  const MIN_ON = 3;
  const MIN_OFF = 3;
  let candidate: string | null = null;
  let onFrames = 0;
  let offFrames = MIN_OFF;
  let reported = false;
  return (samples, sampleRate) => {
    const n = samples.length;
    let energy = 0;
    for (let i = 0; i < n; i++) energy += (samples[i] ?? 0) ** 2;
    let digit: string | null = null;
    // Below about -40 dBFS nothing is a digit.
    if (n > 0 && energy / n > (0.01 * 32768) ** 2) {
      // A pure sine of amplitude A gives Goertzel power (A*n/2)^2 = n*energy/2.
      const full = (n * energy) / 2;
      const low = DTMF_LOW.map((f) => goertzelPower(samples, sampleRate, f) / full);
      const high = DTMF_HIGH.map((f) => goertzelPower(samples, sampleRate, f) / full);
      const li = low.indexOf(Math.max(...low));
      const hi = high.indexOf(Math.max(...high));
      const lp = low[li] ?? 0;
      const hp = high[hi] ?? 0;
      if (lp > 0.2 && hp > 0.2 && lp + hp > 0.6) digit = DTMF_KEYS[li]?.[hi] ?? null;
    }
    if (digit !== null && digit === candidate) {
      onFrames++;
    } else if (digit !== null) {
      candidate = digit;
      onFrames = 1;
      if (offFrames >= MIN_OFF) reported = false;
    }
    if (digit === null) {
      offFrames++;
      if (offFrames >= MIN_OFF) {
        candidate = null;
        onFrames = 0;
        reported = false;
      }
    } else {
      offFrames = 0;
    }
    if (candidate !== null && onFrames >= MIN_ON && !reported) {
      reported = true;
      onDigit(candidate);
    }
  };
}

function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const tick = () => {
      if (check() || Date.now() >= deadline) resolve();
      else setTimeout(tick, 20);
    };
    tick();
  });
}

function stopUa(ua: UA): void {
  ua.stop();
  // UA.stop() waits 2 s for transactions before disconnecting; that timer would outlive close().
  const internals = ua as unknown as UAInternals;
  if (internals._closeTimer) {
    clearTimeout(internals._closeTimer);
    internals._closeTimer = null;
    internals._transport?.disconnect();
  }
}

export async function startAgent(options: AgentOptions): Promise<Agent> {
  const { wrtc, JsSIP } = await loadParts();
  const { WebSocketServer: Server } = (await import('ws')) as typeof import('ws');

  const host = options.host ?? '127.0.0.1';
  const domain = options.domain ?? 'sandbox.invalid';
  const audio: AgentAudio = options.audio ?? 'tone';
  const toneHz = options.toneHz ?? 440;

  const emitter = new EventEmitter();
  const calls: CallState[] = [];
  // wrtc objects this agent made or received, counted down as they are collected (see close()).
  const alive = new Map<string, number>();
  const finalized = new FinalizationRegistry<string>((kind) => alive.set(kind, (alive.get(kind) ?? 1) - 1));
  const watchCollected = (object: object, kind: string) => {
    alive.set(kind, (alive.get(kind) ?? 0) + 1);
    finalized.register(object, kind);
  };
  const stillAlive = () => [...alive].filter(([, n]) => n > 0);
  const connections = new Set<Connection>();
  let callsAnswered = 0;
  let closing = false;
  let seq = 0;

  const wss: WebSocketServer = new Server({
    host,
    port: options.port ?? 0,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const port = (wss.address() as AddressInfo).port;
  const url = `ws://${host}:${port}`;

  const emit = <E extends keyof AgentEvents>(event: E, ...args: AgentEvents[E]) => {
    // A throwing listener belongs to the test, not to the SIP stack.
    try {
      emitter.emit(event, ...args);
    } catch (error) {
      process.emitWarning(`sandbox agent: '${event}' listener threw: ${String(error)}`);
    }
  };

  async function sampleStats(call: CallState): Promise<void> {
    const pc = call.pc;
    if (!pc || pc.signalingState === 'closed') return;
    try {
      const report = await pc.getStats();
      report.forEach((s: { type?: string; kind?: string; mediaType?: string; packetsReceived?: number }) => {
        if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio' && typeof s.packetsReceived === 'number') {
          call.stats.packetsReceived = Math.max(call.stats.packetsReceived, s.packetsReceived);
        }
      });
    } catch {
      // The pc may close between the check and the call.
    }
  }

  function addDtmf(call: CallState, tone: string, via: AgentDtmf['via']): void {
    const digit: AgentDtmf = { tone, via, at: Date.now() };
    call.stats.dtmf.push(digit);
    emit('dtmf', call.stats, digit);
  }

  function cleanup(call: CallState): void {
    for (const t of call.timers) clearTimeout(t);
    call.timers.clear();
    for (const fn of call.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // Best effort: one failing stop must not keep the others running.
      }
    }
  }

  type AudioSource = InstanceType<Wrtc['nonstandard']['RTCAudioSource']>;

  function createOutgoingAudio(call: CallState): { source: AudioSource; stream: MediaStream } {
    const source = new wrtc.nonstandard.RTCAudioSource();
    const track = source.createTrack();
    watchCollected(source, 'RTCAudioSource');
    watchCollected(track, 'MediaStreamTrack');
    call.cleanups.push(() => track.stop());
    if (audio === 'tone') call.cleanups.push(startTone(source, toneHz));
    return { source, stream: new wrtc.MediaStream([track]) as unknown as MediaStream };
  }

  function attachMedia(call: CallState, pc: RTCPeerConnection, source: AudioSource): void {
    call.pc = pc;
    watchCollected(pc, 'RTCPeerConnection');
    guardClosedListeners(pc);
    pc.addEventListener('track', (event: RTCTrackEvent) => {
      if (event.track.kind !== 'audio') return;
      const sink = new wrtc.nonstandard.RTCAudioSink(event.track as never);
      watchCollected(event.track, 'remote MediaStreamTrack');
      watchCollected(sink, 'RTCAudioSink');
      call.cleanups.push(() => sink.stop());
      const detectDtmf = createDtmfDetector((tone) => addDtmf(call, tone, 'audio'));
      sink.ondata = (data: { samples: Int16Array; sampleRate: number; channelCount?: number }) => {
        const { samples } = data;
        let sum = 0;
        let peak = 0;
        for (let i = 0; i < samples.length; i++) {
          const v = (samples[i] ?? 0) / 32768;
          sum += v * v;
          const a = Math.abs(v);
          if (a > peak) peak = a;
        }
        const rms = samples.length ? Math.sqrt(sum / samples.length) : 0;
        detectDtmf(samples, data.sampleRate);
        call.stats.framesReceived++;
        call.levelSum += rms;
        call.stats.meanLevel = call.levelSum / call.stats.framesReceived;
        if (peak > call.stats.peakLevel) call.stats.peakLevel = peak;
        if (audio === 'echo') {
          source.onData({
            samples,
            sampleRate: data.sampleRate,
            channelCount: data.channelCount ?? 1,
          });
        }
      };
    });

    const poll = setInterval(() => void sampleStats(call), STATS_INTERVAL_MS);
    call.cleanups.push(() => clearInterval(poll));
    call.cleanups.push(() => {
      if (pc.signalingState !== 'closed') pc.close();
    });
  }

  function onSession(conn: Connection, event: IncomingRTCSessionEvent): void {
    const { session, request } = event;
    if (closing) {
      session.terminate({ status_code: 480, reason_phrase: 'Agent Closing' });
      return;
    }
    const call: CallState = {
      callId: request.getHeader('Call-ID'),
      session,
      pc: null,
      timers: new Set(),
      cleanups: [],
      levelSum: 0,
      stats: {
        id: `${++seq}`,
        from: request.from.uri.toString(),
        startedAt: Date.now(),
        answeredAt: null,
        confirmedAt: null,
        endedAt: null,
        packetsReceived: 0,
        framesReceived: 0,
        meanLevel: 0,
        peakLevel: 0,
        dtmf: [],
        reinvites: 0,
        lastOffer: null,
        endedBy: null,
        cause: null,
      },
    };
    calls.push(call);
    conn.calls.add(call);

    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => {
        call.timers.delete(t);
        fn();
      }, ms);
      call.timers.add(t);
    };

    const outgoing = createOutgoingAudio(call);
    // JsSIP hangs up by itself ("RTP Timeout") when ICE fails; a gateway keeps the call while
    // the caller recovers (rtpengine waits 60 s for media), and so does this agent.
    const terminate = session.terminate.bind(session);
    session.terminate = (terminateOptions?: Parameters<RTCSession['terminate']>[0]) => {
      if (terminateOptions?.cause === JsSIP.C.causes.RTP_TIMEOUT && call.stats.confirmedAt !== null) return;
      terminate(terminateOptions);
    };
    session.on('peerconnection', (e: PeerConnectionEvent) =>
      attachMedia(call, e.peerconnection as RTCPeerConnection, outgoing.source),
    );
    let ufrag = /a=ice-ufrag:(\S+)/.exec(request.body ?? '')?.[1] ?? null;
    session.on('reinvite', (e: { request: { body?: string } }) => {
      const sdp = e.request.body ?? '';
      const next = /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] ?? null;
      call.stats.reinvites++;
      call.stats.lastOffer = { iceRestart: next !== null && next !== ufrag, candidates: sdp.match(/^a=candidate:/gm)?.length ?? 0 };
      ufrag = next;
    });
    session.on('confirmed', () => {
      call.stats.confirmedAt = Date.now();
      emit('confirmed', call.stats);
      if (options.hangupAfterMs !== undefined) {
        later(options.hangupAfterMs, () => void hangUp(call));
      }
    });
    session.on('newDTMF', (e: IncomingDTMFEvent) => {
      if (e.originator === 'remote') addDtmf(call, String(e.dtmf.tone), 'info');
    });
    const finish = (e: EndEvent) => {
      if (call.stats.endedAt !== null) return;
      call.stats.endedAt = Date.now();
      call.stats.endedBy ??= e.originator === 'remote' ? 'caller' : e.originator === 'local' ? 'agent' : 'system';
      call.stats.cause ??= e.cause;
      conn.calls.delete(call);
      cleanup(call);
      call.session = null;
      call.pc = null;
      emit('ended', call.stats);
    };
    session.on('ended', finish);
    session.on('failed', finish);

    emit('call', call.stats);
    const answer = () => {
      if (session.isEnded()) return;
      callsAnswered++;
      call.stats.answeredAt = Date.now();
      session.answer({
        mediaStream: outgoing.stream,
        pcConfig: { iceServers: [] },
      });
    };
    if (options.answerDelayMs) later(options.answerDelayMs, answer);
    else answer();
  }

  async function hangUp(call: CallState): Promise<void> {
    if (!call.session || call.session.isEnded()) return;
    // wrtc's pc is closed synchronously on termination: read the counters first.
    await sampleStats(call);
    const session = call.session;
    if (!session || session.isEnded()) return;
    call.stats.endedBy = 'agent';
    try {
      session.terminate();
    } catch {
      // Already terminating.
    }
  }

  let refuseUntil = 0;

  function endDetached(conn: Connection): void {
    conn.resumeTimer = null;
    connections.delete(conn);
    // JsSIP keeps a session "confirmed" after its socket is gone; stopping the UA ends it,
    // and this records that nobody hung up: the connection was lost.
    for (const call of conn.calls) {
      if (!closing) {
        call.stats.endedBy ??= 'system';
        call.stats.cause ??= 'Connection Lost';
      }
    }
    stopUa(conn.ua);
  }

  function watchClose(conn: Connection, ws: WebSocket): void {
    conn.closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.once('close', () => {
      if (conn.ws !== ws) return;
      const live = [...conn.calls].some((call) => call.stats.confirmedAt !== null && call.stats.endedAt === null);
      if (live && !closing) conn.resumeTimer = setTimeout(() => endDetached(conn), options.resumeMs ?? RESUME_MS);
      else endDetached(conn);
    });
  }

  function accept(ws: WebSocket, first: string): void {
    const callId = sipCallId(first);
    const resumed = callId === null
      ? undefined
      : [...connections].find((c) => c.resumeTimer !== null && [...c.calls].some((call) => call.callId === callId));
    if (resumed) {
      clearTimeout(resumed.resumeTimer ?? undefined);
      resumed.resumeTimer = null;
      resumed.ws = ws;
      watchClose(resumed, ws);
      resumed.socket.attach(ws, first);
      return;
    }
    const socket = new ServerSideSocket(ws, wrtc, url, host, port);
    const ua = new JsSIP.UA({
      sockets: [socket],
      uri: `sip:${options.user}@${domain}`,
      register: false,
      session_timers: false,
      user_agent: 'c2c-sandbox-agent',
    });
    const conn: Connection = { ws, socket, ua, calls: new Set(), closed: Promise.resolve(), resumeTimer: null };
    watchClose(conn, ws);
    connections.add(conn);
    // Without a listener JsSIP answers INVITEs with 405.
    ua.on('newRTCSession', (e: IncomingRTCSessionEvent) => {
      if (e.originator === 'remote') onSession(conn, e);
    });
    ua.start();
    socket.deliver(first);
  }

  wss.on('connection', (ws: WebSocket) => {
    if (closing || Date.now() < refuseUntil) {
      ws.terminate();
      return;
    }
    // The first message tells a new caller from one coming back for its call.
    ws.once('message', (data) => accept(ws, messageText(data)));
    ws.on('error', () => undefined);
  });

  return {
    url,
    port,
    dropConnections({ refuseMs = 0 } = {}): number {
      refuseUntil = Date.now() + refuseMs;
      let cut = 0;
      for (const conn of connections) {
        if (conn.resumeTimer !== null) continue;
        conn.ws.terminate();
        cut++;
      }
      return cut;
    },
    stats(): AgentStats {
      return {
        callsAnswered,
        activeCalls: calls.filter((c) => c.stats.endedAt === null).length,
        calls: calls.map((c) => ({ ...c.stats, dtmf: [...c.stats.dtmf] })),
      };
    },
    on(event, fn) {
      const listener = fn as (...args: unknown[]) => void;
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      await Promise.all(calls.filter((c) => c.stats.endedAt === null).map((c) => hangUp(c)));
      // Let BYEs be answered before the sockets go, within a bound.
      await waitUntil(
        () =>
          [...connections].every(
            (c) => Object.keys((c.ua as unknown as UAInternals)._transactions?.nict ?? {}).length === 0,
          ),
        BYE_DRAIN_MS,
      );
      const pending = [...connections];
      for (const conn of pending) clearTimeout(conn.resumeTimer ?? undefined);
      for (const conn of pending) stopUa(conn.ua);
      for (const conn of pending) if (conn.ws.readyState === conn.ws.OPEN) conn.ws.close(1001);
      const allClosed = Promise.all(pending.map((c) => c.closed));
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([allClosed, new Promise<void>((r) => (timer = setTimeout(r, SOCKET_CLOSE_MS)))]);
      clearTimeout(timer);
      for (const conn of pending) conn.ws.terminate();
      for (const call of calls) {
        cleanup(call);
        call.session = null;
        call.pc = null;
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      emitter.removeAllListeners();
      // Collect until every wrtc object we know of is finalized (bounded): one pass is not always
      // enough, as finalizers of some wrappers release others.
      const deadline = Date.now() + GC_MS;
      for (;;) {
        collectGarbage();
        await new Promise((r) => setTimeout(r, 10));
        if (stillAlive().length === 0) break;
        if (Date.now() >= deadline) {
          process.emitWarning(`sandbox agent: wrtc objects still alive after close(): ${JSON.stringify(stillAlive())}; the process may crash at exit`);
          break;
        }
      }
    },
  };
}
