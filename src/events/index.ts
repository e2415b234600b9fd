import type { CallSnapshot } from '../core/snapshot.ts';
import type { CallMode } from '../protocol/index.ts';

/** Detail of `c2c-call-start`: what is about to be called. */
export interface CallStartDetail {
  destination: string;
  mode: CallMode | null;
}

/**
 * The DOM events of `<click-to-call>`: all bubble and are composed. `c2c-call-start` comes
 * before any request and is cancelable; the others state facts. Their detail is the snapshot.
 */
export const C2CEvent = {
  CallStart: 'c2c-call-start',
  StateChange: 'c2c-state-change',
  Connected: 'c2c-connected',
  Ended: 'c2c-ended',
  Error: 'c2c-error',
  QualityWarning: 'c2c-quality-warning',
} as const;

/** Detail of `c2c-quality-warning`. */
export interface QualityWarningDetail {
  /** `high-rtt`, `high-jitter`, `high-packet-loss` or `low-mos`. */
  warning: string;
  /** True when raised, false when cleared. */
  active: boolean;
  snapshot: CallSnapshot;
}

export function qualityWarningEvent(detail: QualityWarningDetail): CustomEvent<QualityWarningDetail> {
  return new CustomEvent(C2CEvent.QualityWarning, { detail, bubbles: true, composed: true });
}

export function callStartEvent(detail: CallStartDetail): CustomEvent<CallStartDetail> {
  return new CustomEvent(C2CEvent.CallStart, { detail, bubbles: true, composed: true, cancelable: true });
}

export function snapshotEvent(
  type: Exclude<(typeof C2CEvent)[keyof typeof C2CEvent], 'c2c-call-start' | 'c2c-quality-warning'>,
  snapshot: CallSnapshot,
): CustomEvent<CallSnapshot> {
  return new CustomEvent(type, { detail: snapshot, bubbles: true, composed: true });
}

declare global {
  interface HTMLElementEventMap {
    'c2c-call-start': CustomEvent<CallStartDetail>;
    'c2c-state-change': CustomEvent<CallSnapshot>;
    'c2c-connected': CustomEvent<CallSnapshot>;
    'c2c-ended': CustomEvent<CallSnapshot>;
    'c2c-error': CustomEvent<CallSnapshot>;
    'c2c-quality-warning': CustomEvent<QualityWarningDetail>;
  }
}
