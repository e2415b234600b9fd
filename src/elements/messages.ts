import type { CallState } from '../core/states.ts';

/** Words the visitor sees for each state. */
const STATE_LABELS: Record<CallState, string> = {
  idle: 'Ready to call',
  authorizing: 'Preparing the call…',
  dialing: 'Calling…',
  queued: 'Waiting for an agent…',
  ringing: 'Ringing…',
  connecting: 'Connecting the audio…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  ending: 'Hanging up…',
  ended: 'Call ended',
  scheduled: 'Callback booked',
  failed: 'The call failed',
};

export function stateLabel(state: CallState): string {
  return STATE_LABELS[state];
}

/** 75000 -> "1:15", 3725000 -> "1:02:05". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Words added with the layouts (kept apart so the string catalog can take them over). */
export const LABELS = {
  /** The floating layout's round button that shows or hides the call's controls. */
  callControls: 'Call controls',
} as const;
