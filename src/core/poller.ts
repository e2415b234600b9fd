import type { CallEvent } from '../protocol/index.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { CallError, toCallError } from './errors.ts';
import { delay, realTimers, type Timers } from './timers.ts';

export interface PollerOptions {
  /** Least time between the starts of two requests. */
  floorMs: number;
  /** Back-off after empty answers: first wait, cap. */
  emptyInitialMs: number;
  emptyMaxMs: number;
  /** Back-off after failed requests: first wait, cap. */
  errorInitialMs: number;
  errorMaxMs: number;
  /** Failed requests in a row before the call is given up. */
  maxConsecutiveErrors: number;
  random: () => number;
  timers: Timers;
}

export const DEFAULT_POLLER_OPTIONS: PollerOptions = {
  floorMs: 50,
  emptyInitialMs: 200,
  emptyMaxMs: 1_000,
  errorInitialMs: 500,
  errorMaxMs: 8_000,
  maxConsecutiveErrors: 5,
  random: Math.random,
  timers: realTimers,
};

/** Errors that no retry can mend. */
const FATAL: ReadonlySet<string> = new Set([
  ErrorCode.SessionExpired,
  ErrorCode.CallNotFound,
  ErrorCode.InvalidRequest,
  ErrorCode.Unauthorized,
  ErrorCode.OriginNotAllowed,
]);

/**
 * Polls until `onEvents` returns true (a final event), the signal aborts (resolves), or the
 * endpoint keeps failing (rejects with the last CallError). Waits grow with jitter on empty
 * answers and on errors, and never fall under the floor.
 */
export async function poll(
  fetchOnce: (signal: AbortSignal) => Promise<readonly CallEvent[]>,
  onEvents: (events: readonly CallEvent[]) => boolean,
  signal: AbortSignal,
  options: Partial<PollerOptions> = {},
): Promise<void> {
  const o = { ...DEFAULT_POLLER_OPTIONS, ...options };
  const jitter = (ms: number) => o.floorMs + o.random() * Math.max(0, ms - o.floorMs);
  let emptyWait = 0;
  let errors = 0;

  while (!signal.aborted) {
    const started = o.timers.now();
    let wait: number;
    try {
      const events = await fetchOnce(signal);
      if (signal.aborted) return;
      errors = 0;
      if (events.length > 0) {
        emptyWait = 0;
        if (onEvents(events)) return;
        wait = o.floorMs - (o.timers.now() - started);
      } else {
        emptyWait = emptyWait === 0 ? o.emptyInitialMs : Math.min(o.emptyMaxMs, emptyWait * 2);
        wait = Math.max(o.floorMs - (o.timers.now() - started), jitter(emptyWait));
      }
    } catch (error) {
      // Only our own signal ends the loop; a request's own timeout is an error to retry.
      if (signal.aborted) return;
      const callError = toCallError(error, ErrorCode.NetworkLost);
      errors += 1;
      if (FATAL.has(callError.code) || errors >= o.maxConsecutiveErrors) throw callError;
      const backoff = Math.min(o.errorMaxMs, o.errorInitialMs * 2 ** (errors - 1));
      // The server's Retry-After is a floor, not a ceiling for the jitter.
      wait = Math.max(jitter(backoff), (callError.retryAfter ?? 0) * 1000);
    }
    await delay(wait, signal, o.timers);
  }
}

export { CallError };
