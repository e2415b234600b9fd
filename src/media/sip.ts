/**
 * The media chunk: the only module that imports JsSIP. Loaded with a dynamic import when a
 * WebRTC call starts (or on intent), never in the first script.
 */
import * as JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { UA } from 'jssip/lib/UA';
import { ErrorCode } from '../protocol/errors.ts';
import { CallError } from '../core/errors.ts';
import { QualityMonitor } from './quality.ts';
import type { MediaCall, MediaCallOptions } from './types.ts';
import { microphoneConstraints } from './constraints.ts';

/** A gateway address that has not opened its WebSocket by then is passed over for the next. */
const CONNECT_TIMEOUT_MS = 1_500;
/**
 * After the first ICE candidate, how long to wait for better ones before the INVITE leaves:
 * host candidates come at once; a STUN answer (srflx) within a typical internet round trip; a
 * TURN allocation (relay) takes two. A dead STUN server must not hold the call back.
 */
const ICE_WAIT_MS = { host: 20, stun: 100, turn: 300 } as const;
const SETUP_TIMEOUT_MS = 30_000;
/** A connected call that cannot get its signaling and media back within this is lost. */
const RECOVERY_TIMEOUT_MS = 20_000;
/** ICE `disconnected` often heals by itself within a second or two; reconnect after this. */
const ICE_DISCONNECTED_GRACE_MS = 2_000;
/** An ICE restart that could not be offered yet (another offer under way) is tried again after this. */
const RESTART_RETRY_MS = 500;
/** RFC 4733 tone length and gap: long enough for any detector, short enough to feel direct. */
const DTMF_TONE_MS = 120;
const DTMF_GAP_MS = 80;
const noTrace = () => undefined;

export async function acquireMicrophone(deviceId?: string | null, pending?: Promise<MediaStream>): Promise<MediaStream> {
  if (typeof RTCPeerConnection !== 'function' || typeof navigator.mediaDevices?.getUserMedia !== 'function') {
    throw new CallError(
      ErrorCode.WebrtcUnsupported,
      'This browser cannot make calls from a web page. Try a current Chrome, Edge, Firefox or Safari over https.',
    );
  }
  try {
    return await (pending ?? navigator.mediaDevices.getUserMedia(microphoneConstraints(deviceId)));
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new CallError(
        ErrorCode.MicrophoneDenied,
        'Microphone access was blocked. Allow the microphone for this site in your browser, then call again.',
        { cause: error },
      );
    }
    const inUse = name === 'NotReadableError' || name === 'AbortError';
    throw new CallError(
      ErrorCode.MicrophoneUnavailable,
      inUse
        ? 'Your microphone is busy in another application. Close it, then call again.'
        : name === 'OverconstrainedError'
          ? 'The chosen microphone is not connected any more. Pick another one.'
          : 'No microphone was found. Connect one, then call again.',
      { cause: error },
    );
  }
}

/** A gateway address as a WebSocket URL: a bare `host:port` means `wss://host:port`. */
export function toWebSocketUrl(address: string): string {
  const trimmed = address.trim();
  return /^wss?:\/\//i.test(trimmed) ? trimmed : `wss://${trimmed}`;
}

/** Tries each gateway address in order; resolves once the call is answered and ICE is up. */
export async function connect(options: MediaCallOptions): Promise<MediaCall> {
  let lastError: unknown = null;
  for (const address of options.gateway.addresses) {
    options.signal.throwIfAborted();
    let ua: UA;
    try {
      ua = await openUserAgent(toWebSocketUrl(address), options);
    } catch (error) {
      if (options.signal.aborted) throw error;
      lastError = error;
      continue;
    }
    return placeCall(ua, options);
  }
  throw new CallError(
    ErrorCode.GatewayUnreachable,
    'The call could not reach the contact center. Check your connection and try again.',
    { cause: lastError },
  );
}

function openUserAgent(url: string, options: MediaCallOptions): Promise<UA> {
  // The host only: a gateway URL's path or query may carry a tenant's parameters.
  const trace = options.trace ?? noTrace;
  trace('ws', { host: new URL(url).host });
  return new Promise<UA>((resolve, reject) => {
    let ua: UA;
    try {
      const socket = new JsSIP.WebSocketInterface(url);
      ua = new JsSIP.UA({
        sockets: [socket],
        uri: `sip:${options.gateway.caller}@${options.gateway.domain}`,
        register: false,
        session_timers: false,
        user_agent: 'click-to-call',
        // One attempt per address while setting up (failover is ours: openUserAgent stops the UA).
        // After a mid-call drop JsSIP reconnects by itself: every 1 to 2 s (see recovery below).
        connection_recovery_min_interval: 1,
        connection_recovery_max_interval: 2,
      });
    } catch (error) {
      reject(error);
      return;
    }
    const finish = (ok: boolean, error?: unknown) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      ua.removeAllListeners('connected');
      ua.removeAllListeners('disconnected');
      trace(ok ? 'ws-open' : 'ws-failed');
      if (ok) return resolve(ua);
      ua.stop();
      reject(error);
    };
    const onAbort = () => finish(false, options.signal.reason);
    const timer = setTimeout(
      () => finish(false, new Error(`No WebSocket to ${url} within ${CONNECT_TIMEOUT_MS} ms`)),
      options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    );
    options.signal.addEventListener('abort', onAbort, { once: true });
    ua.on('connected', () => finish(true));
    ua.on('disconnected', () => finish(false, new Error(`WebSocket to ${url} failed`)));
    ua.start();
  });
}

/**
 * Whether RFC 4733 events will reach the far end whole, judged from the answer. Chromium times
 * an event in the clock of the voice codec it sends: when a gateway pairs opus (48 kHz) with
 * only `telephone-event/8000`, each digit ends after one 20 ms packet and most get lost (seen
 * with baresip behind rtpengine). Then, or with no telephone-event at all, SIP INFO is used.
 */
export function telephoneEventsWork(answer: string): boolean {
  const payloads = /^m=audio \d+ \S+ (\d+)/m.exec(answer);
  if (!payloads) return true;
  const rateOf = (pt: string) => new RegExp(`^a=rtpmap:${pt} [^/\\s]+/(\\d+)`, 'm').exec(answer)?.[1];
  const voiceRate = rateOf(payloads[1]!);
  const eventRates = [...answer.matchAll(/^a=rtpmap:\d+ telephone-event\/(\d+)/gim)].map((m) => m[1]);
  if (eventRates.length === 0) return false;
  return voiceRate === undefined || eventRates.includes(voiceRate);
}

function createAudio(): HTMLAudioElement {
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.setAttribute('playsinline', '');
  return audio;
}

function isIceUp(pc: RTCPeerConnection | null): boolean {
  const state = pc?.iceConnectionState;
  return state === 'connected' || state === 'completed';
}

function placeCall(ua: UA, options: MediaCallOptions): Promise<MediaCall> {
  const { gateway, signal } = options;
  const trace = options.trace ?? noTrace;
  const audio = options.audio ?? createAudio();
  audio.autoplay = true;
  audio.setAttribute('playsinline', '');
  let microphone = options.microphone;
  let muted = false;
  let pc: RTCPeerConnection | null = null;
  let session: RTCSession | null = null;
  let confirmed = false;
  let settled = false;
  let ended = false;
  let iceTimer: ReturnType<typeof setTimeout> | undefined;
  let setupTimer: ReturnType<typeof setTimeout> | undefined;
  let monitor: QualityMonitor | null = null;

  // Recovery of a connected call (see recover() below).
  let recovering = false;
  let socketDown = false;
  let restartPending = false;
  let restartWanted = false;
  let reconnectTried = false;
  /** The WebSocket dropped: the call is back only once the gateway answered the re-INVITE. */
  let signalingLost = false;
  let recoveryTimer: ReturnType<typeof setTimeout> | undefined;
  let disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const release = () => {
    monitor?.stop();
    clearTimeout(dtmfTimer);
    clearTimeout(iceTimer);
    clearTimeout(setupTimer);
    clearTimeout(recoveryTimer);
    clearTimeout(disconnectedTimer);
    clearTimeout(retryTimer);
    signal.removeEventListener('abort', onAbort);
    audio.pause();
    audio.srcObject = null;
    ua.removeAllListeners('connected');
    ua.removeAllListeners('disconnected');
    ua.stop();
  };

  const play = () =>
    audio.play().then(
      () => options.onAudioBlocked?.(false),
      (error: unknown) => {
        // Autoplay policy (Mobile Safari without a gesture): the visitor must tap once.
        if (error instanceof Error && error.name === 'NotAllowedError' && !ended) options.onAudioBlocked?.(true);
      },
    );

  const call: MediaCall = {
    get peerConnection() {
      return pc;
    },
    hangup() {
      if (ended) return;
      ended = true;
      try {
        if (session && !session.isEnded()) session.terminate();
      } catch {
        // Already terminating: JsSIP throws on a second terminate.
      }
      release();
    },
    setMuted(value) {
      muted = value;
      for (const track of microphone.getAudioTracks()) track.enabled = !muted;
    },
    sendDtmf(digits) {
      dtmfQueue += digits;
      sendQueuedDtmf();
    },
    async replaceMicrophone(next) {
      const track = next.getAudioTracks()[0];
      if (!track) throw new CallError(ErrorCode.MicrophoneUnavailable, 'That microphone gives no sound.');
      track.enabled = !muted;
      const senders = pc?.getSenders().filter((sender) => sender.track === null || sender.track.kind === 'audio') ?? [];
      await Promise.all(senders.map((sender) => sender.replaceTrack(track)));
      microphone = next;
    },
    async setSpeaker(deviceId) {
      const sink = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
      if (typeof sink.setSinkId !== 'function') throw new Error('This browser cannot choose the speaker.');
      await sink.setSinkId(deviceId ?? '');
    },
    async resumeAudio() {
      await audio.play();
      options.onAudioBlocked?.(false);
    },
  };

  // Keys pressed while tones still play wait their turn: a new insertDTMF() while one is
  // sounding cut the first digit short enough that the far end missed it.
  let dtmfQueue = '';
  let dtmfTimer: ReturnType<typeof setTimeout> | undefined;
  const sendQueuedDtmf = () => {
    if (dtmfTimer !== undefined || !dtmfQueue || !session || ended) return;
    const tones = dtmfQueue;
    dtmfQueue = '';
    const timing = { duration: DTMF_TONE_MS, interToneGap: DTMF_GAP_MS };
    const info = { ...timing, transportType: JsSIP.C.DTMF_TRANSPORT.INFO };
    if (!telephoneEventsWork(pc?.remoteDescription?.sdp ?? '')) {
      session.sendDTMF(tones, info);
    } else {
      try {
        session.sendDTMF(tones, { ...timing, transportType: JsSIP.C.DTMF_TRANSPORT.RFC2833 });
      } catch {
        session.sendDTMF(tones, info);
      }
    }
    dtmfTimer = setTimeout(() => {
      dtmfTimer = undefined;
      sendQueuedDtmf();
    }, tones.length * (DTMF_TONE_MS + DTMF_GAP_MS));
  };

  /**
   * Recovery of a connected call. The gateway's WebSocket dropped: JsSIP reconnects (at once,
   * then every 1 to 2 s) and, once it is back, a re-INVITE with an ICE restart moves the media
   * to whatever path works now. ICE `disconnected` for 2 s or `failed` (the network changed):
   * an ICE restart. The call is `reconnecting` meanwhile, and lost after `reconnectTimeoutMs`.
   */
  const lose = (message: string) => {
    if (ended) return;
    call.hangup();
    options.onEnd({ by: 'error', code: ErrorCode.NetworkLost, message });
  };
  const recover = () => {
    if (recovering || ended) return;
    trace('recovering');
    recovering = true;
    options.onReconnecting?.();
    recoveryTimer = setTimeout(
      () => lose('The connection was lost and could not be restored.'),
      options.reconnectTimeoutMs ?? RECOVERY_TIMEOUT_MS,
    );
  };
  const recovered = () => {
    if (!recovering || ended || socketDown || !isIceUp(pc)) return;
    // After a network blip, audio flowing again is what counts; an ICE restart still under way
    // finishes in the background.
    if (signalingLost && (restartPending || restartWanted)) return;
    recovering = false;
    signalingLost = false;
    clearTimeout(recoveryTimer);
    trace('recovered');
    options.onReconnected?.();
  };
  const restartIce = () => {
    if (ended || !session) return;
    if (socketDown || restartPending) {
      restartWanted = true;
      return;
    }
    restartWanted = false;
    restartPending = true;
    trace('ice-restart');
    // A new offer gathers candidates again: the INVITE timer starts over. JsSIP skips waiting
    // for candidates when gathering is already under way and its private "ICE ready" flag from
    // the first offer is still set, which would send a re-INVITE without any: clear the flag.
    clearTimeout(iceTimer);
    iceTimer = undefined;
    (session as unknown as { _iceReady: boolean })._iceReady = false;
    const sent = session.renegotiate(
      { rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false, iceRestart: true } },
      () => {
        restartPending = false;
        if (restartWanted) restartIce();
        else recovered();
      },
    );
    if (!sent) {
      // Another offer/answer is under way: try again shortly (bounded by the recovery timer).
      restartPending = false;
      restartWanted = true;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(restartIce, RESTART_RETRY_MS);
    }
  };
  const watchSignaling = () => {
    ua.on('disconnected', () => {
      if (ended) return;
      trace('ws-lost');
      socketDown = true;
      signalingLost = true;
      recover();
      if (!reconnectTried) {
        // Try at once (a proxy that closed an idle connection is usually still there); JsSIP
        // keeps trying every 1 to 2 s after that.
        reconnectTried = true;
        (ua as unknown as { transport?: { connect(): void } }).transport?.connect();
      }
    });
    ua.on('connected', () => {
      if (ended) return;
      trace('ws-open');
      socketDown = false;
      reconnectTried = false;
      // The gateway may have lost the dialog's media path with the connection: renegotiate.
      restartIce();
    });
  };

  let onAbort: () => void = () => undefined;

  return new Promise<MediaCall>((resolve, reject) => {
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      call.hangup();
      reject(error);
    };
    const maybeConnected = () => {
      if (settled || !confirmed || !isIceUp(pc)) return;
      settled = true;
      clearTimeout(setupTimer);
      const peer = pc;
      if (peer && (options.onQuality || options.onQualityWarning)) {
        monitor = new QualityMonitor({
          getStats: () => peer.getStats(),
          onSample: (quality) => options.onQuality?.(quality),
          onWarning: (warning, active) => options.onQualityWarning?.(warning, active),
        });
        monitor.start();
      }
      watchSignaling();
      resolve(call);
    };
    onAbort = () => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    setupTimer = setTimeout(
      () => fail(new CallError(ErrorCode.MediaFailed, 'The call\'s audio could not be set up in time. Please try again.')),
      SETUP_TIMEOUT_MS,
    );

    const onIceState = () => {
      if (!pc || ended) return;
      const state = pc.iceConnectionState;
      trace('ice', { state });
      if (isIceUp(pc)) {
        clearTimeout(disconnectedTimer);
        if (settled) recovered();
        else maybeConnected();
      } else if (!settled) {
        if (state === 'failed') {
          fail(new CallError(ErrorCode.MediaFailed, 'The call\'s audio path could not be opened. A firewall may block it.'));
        }
      } else if (state === 'disconnected') {
        // Often a short gap that ICE heals by itself (the quality warnings show it); only a
        // gap that lasts is a lost connection.
        clearTimeout(disconnectedTimer);
        disconnectedTimer = setTimeout(() => {
          if (isIceUp(pc)) return;
          recover();
          restartIce();
        }, ICE_DISCONNECTED_GRACE_MS);
      } else if (state === 'failed') {
        clearTimeout(disconnectedTimer);
        recover();
        restartIce();
      }
    };

    let ready: (() => void) | null = null;
    const urls = options.iceServers.flatMap((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]));
    const wantsRelay = urls.some((url) => /^turns?:/i.test(url));
    const wantsSrflx = urls.some((url) => /^stuns?:/i.test(url));
    const iceWaitMs = options.iceGatheringMs ?? (wantsRelay ? ICE_WAIT_MS.turn : wantsSrflx ? ICE_WAIT_MS.stun : ICE_WAIT_MS.host);
    try {
      session = ua.call(`sip:${gateway.target}@${gateway.domain}`, {
        mediaStream: microphone,
        mediaConstraints: { audio: true, video: false },
        pcConfig: {
          // No bundlePolicy 'max-bundle': gateways that answer without a BUNDLE group (rtpengine
          // among them) make Chrome refuse the answer.
          iceServers: options.iceServers.map((s) => ({ ...s, urls: s.urls })),
        },
        rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
        sessionTimersExpires: 120,
        eventHandlers: {
          // Emitted synchronously inside ua.call(): it must be attached here.
          peerconnection: (e: { peerconnection: RTCPeerConnection }) => {
            pc = e.peerconnection;
            pc.addEventListener('track', (event) => {
              audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
              void play();
            });
            pc.addEventListener('iceconnectionstatechange', onIceState);
            // ICE and DTLS together: `connected` once the keys are agreed.
            pc.addEventListener('connectionstatechange', () => trace('peer', { state: pc?.connectionState }));
            const speakerId = options.speakerId;
            if (speakerId) void call.setSpeaker(speakerId).catch(() => undefined);
          },
          // JsSIP sends the INVITE only when ICE gathering completes, which an unreachable
          // STUN server stretches to ~40 s: send it shortly after the first candidate instead.
          // The same holds for the re-INVITE of an ICE restart.
          icecandidate: (e: { candidate: RTCIceCandidate; ready: () => void }) => {
            ready = e.ready;
            trace('ice-candidate', { type: e.candidate.type });
            iceTimer ??= setTimeout(() => ready?.(), iceWaitMs);
            const type = e.candidate.type;
            if (type === 'relay' || (type === 'srflx' && !wantsRelay)) ready();
          },
          // Status lines only: a SIP message's body is SDP, its headers name the caller.
          sending: () => trace('invite'),
          progress: (e: { response?: { status_code: number } }) => trace('sip', { status: e.response?.status_code }),
          accepted: (e: { response?: { status_code: number } }) => trace('sip', { status: e.response?.status_code ?? 200 }),
          confirmed: () => {
            confirmed = true;
            onIceState();
          },
          failed: (e: { cause: string; originator: string; message?: unknown }) => {
            trace('sip-failed', { cause: e.cause, status: (e.message as { status_code?: number } | undefined)?.status_code });
            const unreachable = e.cause === JsSIP.C.causes.CONNECTION_ERROR || e.cause === JsSIP.C.causes.REQUEST_TIMEOUT;
            if (!settled) {
              fail(
                unreachable
                  ? new CallError(ErrorCode.GatewayUnreachable, 'The contact center\'s gateway did not answer. Please try again.')
                  : new CallError(ErrorCode.MediaFailed, `The call could not be set up (${e.cause}).`),
              );
            } else {
              lose(`The call dropped (${e.cause}).`);
            }
          },
          ended: (e: { cause: string; originator: string }) => {
            trace('sip-ended', { cause: e.cause, by: e.originator });
            if (ended) return;
            if (e.cause === JsSIP.C.causes.BYE) {
              call.hangup();
              options.onEnd({ by: e.originator === 'remote' ? 'remote' : 'local' });
            } else {
              lose(`The call dropped (${e.cause}).`);
            }
          },
        },
      });
    } catch (error) {
      fail(new CallError(ErrorCode.MediaFailed, 'The call could not be started.', { cause: error }));
      return;
    }
    // JsSIP ends a call itself (BYE, cause "RTP Timeout") the moment ICE reports `failed`, which
    // would leave nothing to recover. Once the call is up, that decision is the recovery's: it
    // restarts ICE and gives up after reconnectTimeoutMs.
    const established = session;
    const terminate = established.terminate.bind(established);
    established.terminate = (terminateOptions?: Parameters<RTCSession['terminate']>[0]) => {
      if (settled && !ended && terminateOptions?.cause === JsSIP.C.causes.RTP_TIMEOUT) return;
      terminate(terminateOptions);
    };
  });
}
