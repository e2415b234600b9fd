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

/** A gateway address that has not opened its WebSocket by then is passed over for the next. */
const CONNECT_TIMEOUT_MS = 1_500;
/**
 * After the first ICE candidate, how long to wait for better ones before the INVITE leaves:
 * host candidates come at once; a STUN answer (srflx) within a typical internet round trip; a
 * TURN allocation (relay) takes two. A dead STUN server must not hold the call back.
 */
const ICE_WAIT_MS = { host: 20, stun: 100, turn: 300 } as const;
const SETUP_TIMEOUT_MS = 30_000;
/** RFC 4733 tone length and gap: long enough for any detector, short enough to feel direct. */
const DTMF_TONE_MS = 120;
const DTMF_GAP_MS = 80;

export async function acquireMicrophone(): Promise<MediaStream> {
  if (typeof RTCPeerConnection !== 'function' || typeof navigator.mediaDevices?.getUserMedia !== 'function') {
    throw new CallError(
      ErrorCode.WebrtcUnsupported,
      'This browser cannot make calls from a web page. Try a current Chrome, Edge, Firefox or Safari over https.',
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: false,
    });
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
        // One attempt per address here; failover is ours, so JsSIP must not retry forever.
        connection_recovery_min_interval: 2,
        connection_recovery_max_interval: 30,
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

function placeCall(ua: UA, options: MediaCallOptions): Promise<MediaCall> {
  const { gateway, microphone, signal } = options;
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.setAttribute('playsinline', '');
  let pc: RTCPeerConnection | null = null;
  let session: RTCSession | null = null;
  let confirmed = false;
  let iceUp = false;
  let settled = false;
  let ended = false;
  let iceTimer: ReturnType<typeof setTimeout> | undefined;
  let setupTimer: ReturnType<typeof setTimeout> | undefined;

  let monitor: QualityMonitor | null = null;
  const release = () => {
    monitor?.stop();
    clearTimeout(dtmfTimer);
    clearTimeout(iceTimer);
    clearTimeout(setupTimer);
    signal.removeEventListener('abort', onAbort);
    audio.pause();
    audio.srcObject = null;
    ua.stop();
  };

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
    setMuted(muted) {
      for (const track of microphone.getAudioTracks()) track.enabled = !muted;
    },
    sendDtmf(digits) {
      dtmfQueue += digits;
      sendQueuedDtmf();
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
    try {
      session.sendDTMF(tones, { ...timing, transportType: JsSIP.C.DTMF_TRANSPORT.RFC2833 });
    } catch {
      session.sendDTMF(tones, { ...timing, transportType: JsSIP.C.DTMF_TRANSPORT.INFO });
    }
    dtmfTimer = setTimeout(() => {
      dtmfTimer = undefined;
      sendQueuedDtmf();
    }, tones.length * (DTMF_TONE_MS + DTMF_GAP_MS));
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
      if (settled || !confirmed || !iceUp) return;
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
      resolve(call);
    };
    onAbort = () => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    setupTimer = setTimeout(
      () => fail(new CallError(ErrorCode.MediaFailed, 'The call\'s audio could not be set up in time. Please try again.')),
      SETUP_TIMEOUT_MS,
    );

    const onIceState = () => {
      if (!pc) return;
      const state = pc.iceConnectionState;
      if (state === 'connected' || state === 'completed') {
        iceUp = true;
        maybeConnected();
      } else if (state === 'failed') {
        if (!settled) {
          fail(new CallError(ErrorCode.MediaFailed, 'The call\'s audio path could not be opened. A firewall may block it.'));
        } else if (!ended) {
          call.hangup();
          options.onEnd({ by: 'error', code: ErrorCode.NetworkLost, message: 'The connection was lost.' });
        }
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
              audio.play().catch(() => undefined);
            });
            pc.addEventListener('iceconnectionstatechange', onIceState);
          },
          // JsSIP sends the INVITE only when ICE gathering completes, which an unreachable
          // STUN server stretches to ~40 s: send it shortly after the first candidate instead.
          icecandidate: (e: { candidate: RTCIceCandidate; ready: () => void }) => {
            ready = e.ready;
            iceTimer ??= setTimeout(() => ready?.(), iceWaitMs);
            const type = e.candidate.type;
            if (type === 'relay' || (type === 'srflx' && !wantsRelay)) ready();
          },
          confirmed: () => {
            confirmed = true;
            onIceState();
            maybeConnected();
          },
          failed: (e: { cause: string; originator: string }) => {
            const unreachable = e.cause === JsSIP.C.causes.CONNECTION_ERROR || e.cause === JsSIP.C.causes.REQUEST_TIMEOUT;
            if (!settled) {
              fail(
                unreachable
                  ? new CallError(ErrorCode.GatewayUnreachable, 'The contact center\'s gateway did not answer. Please try again.')
                  : new CallError(ErrorCode.MediaFailed, `The call could not be set up (${e.cause}).`),
              );
            } else if (!ended) {
              call.hangup();
              options.onEnd({ by: 'error', code: ErrorCode.NetworkLost, message: `The call dropped (${e.cause}).` });
            }
          },
          ended: (e: { cause: string; originator: string }) => {
            if (ended) return;
            call.hangup();
            if (e.cause === JsSIP.C.causes.BYE) options.onEnd({ by: e.originator === 'remote' ? 'remote' : 'local' });
            else options.onEnd({ by: 'error', code: ErrorCode.NetworkLost, message: `The call dropped (${e.cause}).` });
          },
        },
      });
    } catch (error) {
      fail(new CallError(ErrorCode.MediaFailed, 'The call could not be started.', { cause: error }));
    }
  });
}
