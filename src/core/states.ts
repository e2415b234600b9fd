/**
 * The states of a call, in the order a call usually passes through them.
 *
 * ```
 *  idle ─▶ authorizing ─▶ dialing ─┬─▶ queued ──┬─▶ ringing ─┬─▶ connecting ─▶ connected ◀─▶ reconnecting
 *                                  └────────────┴────────────┴───────────────────┘ │
 *   any live state ─▶ ending ─▶ ended                                              ▼
 *   any live state ─▶ failed | ended        dialing|queued|ringing ─▶ scheduled   ended
 *   a final state ─▶ authorizing (call again) | idle (reset)
 * ```
 */
export const CallState = {
  Idle: 'idle',
  Authorizing: 'authorizing',
  Dialing: 'dialing',
  Queued: 'queued',
  Ringing: 'ringing',
  Connecting: 'connecting',
  Connected: 'connected',
  Reconnecting: 'reconnecting',
  Ending: 'ending',
  Ended: 'ended',
  Scheduled: 'scheduled',
  Failed: 'failed',
} as const;
export type CallState = (typeof CallState)[keyof typeof CallState];

export const CALL_STATES = Object.values(CallState) as readonly CallState[];

const FINAL: ReadonlySet<CallState> = new Set([CallState.Ended, CallState.Scheduled, CallState.Failed]);

/** Final states: the call is over (or booked); `call()` may start a new one. */
export function isFinal(state: CallState): boolean {
  return FINAL.has(state);
}

/** Live states: a call is in progress and holds resources somewhere. */
export function isLive(state: CallState): boolean {
  return state !== CallState.Idle && !FINAL.has(state);
}

const S = CallState;
const LEAVE_LIVE = [S.Ending, S.Ended, S.Failed] as const;

/** Every allowed move. A state moving to itself is an update, not a transition, and is always allowed. */
export const TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = {
  [S.Idle]: [S.Authorizing],
  [S.Authorizing]: [S.Dialing, ...LEAVE_LIVE],
  [S.Dialing]: [S.Queued, S.Ringing, S.Connecting, S.Connected, S.Scheduled, ...LEAVE_LIVE],
  [S.Queued]: [S.Ringing, S.Connecting, S.Connected, S.Scheduled, ...LEAVE_LIVE],
  [S.Ringing]: [S.Queued, S.Connecting, S.Connected, S.Scheduled, ...LEAVE_LIVE],
  [S.Connecting]: [S.Connected, ...LEAVE_LIVE],
  [S.Connected]: [S.Reconnecting, ...LEAVE_LIVE],
  [S.Reconnecting]: [S.Connected, ...LEAVE_LIVE],
  [S.Ending]: [S.Ended, S.Failed],
  [S.Ended]: [S.Authorizing, S.Idle],
  [S.Scheduled]: [S.Authorizing, S.Idle],
  [S.Failed]: [S.Authorizing, S.Idle],
};

export function canTransition(from: CallState, to: CallState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}
