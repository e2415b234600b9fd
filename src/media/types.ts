import type { Gateway, IceServer } from '../protocol/index.ts';
import type { CallQuality, QualityWarning } from './quality.ts';

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
  /** Per-address connect timeout. */
  connectTimeoutMs?: number;
  /** After the first ICE candidate, how long to wait for more before sending the INVITE. */
  iceGatheringMs?: number;
  /** Once a second while connected: the call's network figures. */
  onQuality?(quality: CallQuality): void;
  /** A quality warning was raised (active) or cleared. */
  onQualityWarning?(warning: QualityWarning, active: boolean): void;
}

export interface MediaCall {
  /** Sends BYE (or CANCEL) and releases the microphone and the socket. */
  hangup(): void;
  setMuted(muted: boolean): void;
  sendDtmf(digits: string): void;
  /** The peer connection, for statistics. */
  readonly peerConnection: RTCPeerConnection | null;
}

/** What the lazily loaded media chunk exports. */
export interface MediaModule {
  acquireMicrophone(): Promise<MediaStream>;
  /** Resolves when the call is answered and ICE is connected; rejects with a CallError. */
  connect(options: MediaCallOptions): Promise<MediaCall>;
}
