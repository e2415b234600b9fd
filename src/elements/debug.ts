/**
 * The `debug` log of `<click-to-call>`: a lazy chunk, loaded only once `debug` is set. Every
 * line is one string, `[c2c] +<ms> <step> key=value…`, timed from the click (before any call,
 * from when logging began), written with console.info so that it shows without "Verbose".
 *
 * What reaches it is already free of secrets (the core masks the phone number and never passes
 * a token); the filter below is a second guard, for a step someone adds later.
 */
import type { CallSession, Trace } from '../core/session.ts';
import type { CallSnapshot } from '../core/snapshot.ts';
import { CallState, isFinal } from '../core/states.ts';

/** What the log reads from the element at the click (its public properties). */
export interface DebugHost {
  readonly endpoint: string;
  readonly destination: string;
  readonly mode: string | undefined;
  readonly locale: string | undefined;
}

/** Keys whose values are never printed, whatever a step passes. */
const SECRET_KEY = /token|secret|passw|credential|authori[sz]ation|sdp|cookie/i;
/** A JWT (header.payload.signature), such as a session token: its header starts `{"`. */
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]+/g;
/** Seven digits or more, possibly spaced, standing alone: a phone number. */
const LONG_NUMBER = /(?<![\w.-])\+?\d(?:[\s()-]?\d){6,}(?![\w.-])/g;

function clean(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text
    .replace(JWT, '[token]')
    .replace(LONG_NUMBER, (digits) => `***${digits.slice(-2)}`)
    .slice(0, 200);
}

/** `key=value` pairs, without empty values or secret-shaped keys. */
export function format(data: Record<string, unknown> = {}): string {
  return Object.entries(data)
    .filter(([key, value]) => value !== undefined && value !== null && value !== '' && !SECRET_KEY.test(key))
    .map(([key, value]) => `${key}=${clean(value)}`)
    .join(' ');
}

/**
 * Starts logging `session`'s steps, state changes and quality warnings; returns the function
 * that stops it.
 */
export function attach(host: DebugHost, session: CallSession): (quiet?: boolean) => void {
  const since = Date.now();
  const log = (step: string, data?: Record<string, unknown>) => {
    const { state, startedAt } = session.snapshot;
    const origin = state !== CallState.Idle && startedAt !== null ? startedAt : since;
    const details = format(data);
    console.info(`[c2c] +${Date.now() - origin}ms ${step}${details ? ` ${details}` : ''}`);
  };
  const page = typeof document === 'undefined' ? '' : document.documentElement.lang;
  log('debug-on', { endpoint: host.endpoint, destination: host.destination, mode: host.mode, locale: host.locale, pageLang: page });

  const offState = session.subscribe((next: CallSnapshot, previous: CallSnapshot) => {
    if (next.state === previous.state) return;
    if (next.state === CallState.Authorizing) {
      // Where the language and the kind of call come from: the attribute, else the page.
      log('click', {
        mode: host.mode ?? 'endpoint decides',
        locale: host.locale ? `${host.locale} (locale attribute)` : page ? `${page} (page lang)` : 'none (endpoint default)',
      });
    }
    const ended = isFinal(next.state) && next.startedAt !== null && next.endedAt !== null;
    log('state', {
      from: previous.state,
      to: next.state,
      provider: previous.provider === null ? next.provider : undefined,
      callId: previous.callId === null ? next.callId : undefined,
      error: next.error?.code,
      talkedMs: ended && next.connectedAt !== null ? next.endedAt! - next.connectedAt : undefined,
      totalMs: ended ? next.endedAt! - next.startedAt! : undefined,
    });
  });
  const offWarning = session.onQualityWarning((warning, active) => log('quality', { warning, active }));
  // A trace the page passed in CallSessionOptions keeps receiving the steps.
  const previous = session.trace;
  const trace: Trace = (step, data) => {
    previous?.(step, data);
    log(step, data);
  };
  session.trace = trace;
  return (quiet = false) => {
    offState();
    offWarning();
    if (session.trace === trace) session.trace = previous;
    if (!quiet) console.info('[c2c] debug-off');
  };
}
