import type { Gateway, IceServer } from '../protocol/index.ts';
import type { CallQuality, QualityWarning } from './quality.ts';

/**
 * Receives each step of a call (`debug` on `<click-to-call>` sets one that logs). `data` never
 * holds a token, a credential, an SDP body or a whole phone number.
 */
export type Trace = (step: string, data?: Record<string, unknown>) => void;

export type { CallQuality, QualityWarning } from './quality.ts';

/** Why a media leg ended. */
export interface MediaEnd {
  by: 'local' | 'remote' | 'error';
  /** CallError code when `by` is 'error'. */
  code?: string;
  message?: string;
}

export interface MediaCallOptions {
  gateway: Gateway;
  iceServers: readonly IceServer[];
  microphone: MediaStream;
  signal: AbortSignal;
  /** Called once when the media leg ends after it was connected. */
  onEnd(end: MediaEnd): void;
  /**
   * Plays the agent's audio. Best created and played inside the click (Mobile Safari lets
   * only an element started in a user gesture play sound); one is made if absent.
   */
  audio?: HTMLAudioElement;
  /** Output device for the agent's audio (setSinkId), where the browser can choose. */
  speakerId?: string | null;
  /** Per-address connect timeout. */
  connectTimeoutMs?: number;
  /** After the first ICE candidate, how long to wait for more before sending the INVITE. */
  iceGatheringMs?: number;
  /** How long a connected call may try to recover its signaling or media before it is lost. */
  reconnectTimeoutMs?: number;
  /** Once a second while connected: the call's network figures. */
  onQuality?(quality: CallQuality): void;
  /** A quality warning was raised (active) or cleared. */
  onQualityWarning?(warning: QualityWarning, active: boolean): void;
  /** The WebSocket or the media path was lost; recovery has started. */
  onReconnecting?(): void;
  /** Signaling and media are back after onReconnecting(). */
  onReconnected?(): void;
  /** The browser refused to play the agent's audio (true), or plays it again (false). */
  onAudioBlocked?(blocked: boolean): void;
  /** Each signaling and media step (see `Trace` in the core); never SDP or credentials. */
  trace?: Trace;
}

export interface MediaCall {
  /** Sends BYE (or CANCEL) and releases the socket (not the microphone: its owner stops it). */
  hangup(): void;
  setMuted(muted: boolean): void;
  sendDtmf(digits: string): void;
  /** Sends another microphone's track instead of the current one; mute is kept. */
  replaceMicrophone(microphone: MediaStream): Promise<void>;
  /** Plays the agent's audio on this output device (setSinkId). */
  setSpeaker(deviceId: string | null): Promise<void>;
  /** Plays the agent's audio after the browser blocked it; call from a user gesture. */
  resumeAudio(): Promise<void>;
  /** The peer connection, for statistics. */
  readonly peerConnection: RTCPeerConnection | null;
}

/** What the lazily loaded media chunk exports. */
export interface MediaModule {
  /**
   * The visitor's microphone as a CallError-typed result: `pending` is a getUserMedia() already
   * started (inside the click); otherwise one is started for `deviceId` (null: the default).
   */
  acquireMicrophone(deviceId?: string | null, pending?: Promise<MediaStream>): Promise<MediaStream>;
  /** Resolves when the call is answered and ICE is connected; rejects with a CallError. */
  connect(options: MediaCallOptions): Promise<MediaCall>;
}
