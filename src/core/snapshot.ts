import type { CallMode } from '../protocol/index.ts';
import type { CallState } from './states.ts';

export interface CallErrorInfo {
  /** An ErrorCode (kebab-case). */
  readonly code: string;
  /** A sentence for the visitor. */
  readonly message: string;
  /** Seconds to wait before trying again (rate-limited). */
  readonly retryAfter?: number;
}

/**
 * Everything known about the call at one moment. Immutable: every change makes a new
 * snapshot, so `Object.is` tells whether anything changed.
 */
export interface CallSnapshot {
  readonly state: CallState;
  /** The vendor serving the call (`huawei`, ...), once the token endpoint said so. */
  readonly provider: string | null;
  readonly mode: CallMode | null;
  readonly callId: string | null;
  readonly muted: boolean;
  /** Set in the `failed` state only. */
  readonly error: CallErrorInfo | null;
  /** Epoch milliseconds. */
  readonly startedAt: number | null;
  readonly queuedAt: number | null;
  readonly connectedAt: number | null;
  readonly endedAt: number | null;
  readonly queuePosition: number | null;
  /** ISO 8601 time of a booked callback (`scheduled`). */
  readonly scheduledAt: string | null;
  /** WebRTC calls, once a second while connected: network figures and active warnings. */
  readonly quality: CallQualityInfo | null;
  /**
   * The browser refused to play the agent's audio (an autoplay policy, as on Mobile Safari):
   * a tap must call `resumeAudio()`.
   */
  readonly audioBlocked: boolean;
  /** The chosen microphone (`deviceId`), or null for the browser's default. Kept across calls. */
  readonly microphoneId: string | null;
  /** The chosen speaker (`deviceId`), or null for the default. Kept across calls. */
  readonly speakerId: string | null;
}

export interface CallQualityInfo {
  readonly rttMs: number | null;
  readonly jitterMs: number | null;
  readonly lossPercent: number | null;
  /** Estimated mean opinion score (E-model), 1 to 4.5. */
  readonly mos: number | null;
  /** `high-rtt`, `high-jitter`, `high-packet-loss`, `low-mos`. */
  readonly warnings: readonly string[];
}

export const INITIAL_SNAPSHOT: CallSnapshot = Object.freeze({
  state: 'idle',
  provider: null,
  mode: null,
  callId: null,
  muted: false,
  error: null,
  startedAt: null,
  queuedAt: null,
  connectedAt: null,
  endedAt: null,
  queuePosition: null,
  scheduledAt: null,
  quality: null,
  audioBlocked: false,
  microphoneId: null,
  speakerId: null,
});
