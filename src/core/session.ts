import type { CallMode } from '../protocol/index.ts';
import type { MediaModule } from '../media/types.ts';
import type { RequestTimeouts } from './client.ts';
import type { CallEngine } from './engine.ts';
import { InvalidArgumentError, InvalidStateError } from './errors.ts';
import type { PollerOptions } from './poller.ts';
import { INITIAL_SNAPSHOT, type CallSnapshot } from './snapshot.ts';
import { CallState, isFinal, isLive } from './states.ts';
import { realTimers, type Timers } from './timers.ts';

/** Where and what to call. */
export interface CallTarget {
  /** URL of the token endpoint (absolute, or relative to the page). */
  endpoint: string;
  /** A key the token endpoint maps to a queue; never a raw number. */
  destination: string;
  mode?: CallMode | undefined;
  locale?: string | undefined;
  /** Callback calls: the visitor's number, E.164. */
  phone?: string | undefined;
  /** Callback calls: ISO 8601 time to be called at, instead of now. */
  scheduledAt?: string | undefined;
}

export interface CallSessionOptions {
  fetch?: typeof fetch;
  /** Loads the media chunk (JsSIP); by default a dynamic import. */
  loadMedia?: () => Promise<MediaModule>;
  timers?: Timers;
  poller?: Partial<PollerOptions>;
  requestTimeouts?: RequestTimeouts;
}

export type SnapshotListener = (snapshot: CallSnapshot, previous: CallSnapshot) => void;

const loadEngineModule = () => import('./engine.ts');
const loadMediaModule = (): Promise<MediaModule> => import('../media/sip.ts');

const DTMF = /^[0-9A-D#*,]{1,32}$/i;

/**
 * One call at a time, framework-free. Owns the snapshot (replaced, never mutated, on every
 * change) and the public commands; the work of a call lives in the engine chunk, loaded on
 * intent (`prefetch()`) or on the first call, and JsSIP in the media chunk.
 */
export class CallSession {
  #snapshot: CallSnapshot = INITIAL_SNAPSHOT;
  readonly #listeners = new Set<SnapshotListener>();
  readonly #warningListeners = new Set<(warning: string, active: boolean) => void>();
  readonly #options: CallSessionOptions;
  readonly #timers: Timers;
  #engine: Promise<CallEngine> | null = null;
  #loaded: CallEngine | null = null;
  #media: Promise<MediaModule> | null = null;
  #settle: Array<() => void> = [];
  /** Counts calls, so that an engine arriving late does not start a call hung up meanwhile. */
  #generation = 0;

  constructor(options: CallSessionOptions = {}) {
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
  }

  get snapshot(): CallSnapshot {
    return this.#snapshot;
  }

  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: SnapshotListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` when a call-quality warning is raised or cleared. */
  onQualityWarning(listener: (warning: string, active: boolean) => void): () => void {
    this.#warningListeners.add(listener);
    return () => this.#warningListeners.delete(listener);
  }

  /**
   * Loads what a call needs ahead of the click (on hover, focus or touch): the engine chunk
   * and, unless `mode` is 'callback', the media chunk. Safe to call often.
   */
  prefetch(mode?: CallMode, target?: CallTarget): Promise<void> {
    const engine = this.#loadEngine();
    const media = mode === 'callback' ? null : this.#loadMedia();
    // With a target, the session token is minted too, so the click goes straight to dialing.
    if (target?.endpoint && target.destination) void engine.then((e) => e.prefetchSession(target), () => undefined);
    return Promise.all([engine, media]).then(() => undefined);
  }

  /**
   * Starts a call. Resolves when the call is connected, booked or over (look at `snapshot`);
   * failures end in the `failed` state, not in a rejection. While a call is live a second
   * call() starts nothing and resolves with the first. Throws InvalidArgumentError at once
   * without an endpoint or destination.
   */
  call(target: CallTarget): Promise<void> {
    if (isLive(this.#snapshot.state)) return this.#settled();
    if (!target.endpoint) throw new InvalidArgumentError('call(): the endpoint is missing.');
    if (!target.destination) throw new InvalidArgumentError('call(): the destination is missing.');
    const generation = ++this.#generation;
    this.#replace({ ...INITIAL_SNAPSHOT, state: CallState.Authorizing, startedAt: this.#timers.now(), muted: this.#snapshot.muted });
    const settled = this.#settled();
    if (this.#loaded) {
      // Started at once, so that a hangup() right after this call() reaches this call.
      this.#loaded.start(target);
      return settled;
    }
    this.#loadEngine().then(
      (engine) => {
        if (generation === this.#generation && this.#snapshot.state === CallState.Authorizing) engine.start(target);
      },
      () => {
        if (generation !== this.#generation || !isLive(this.#snapshot.state)) return;
        this.#replace({
          ...this.#snapshot,
          state: CallState.Failed,
          endedAt: this.#timers.now(),
          error: { code: 'token-endpoint-unreachable', message: 'The calling component could not be loaded. Check your connection and try again.' },
        });
      },
    );
    return settled;
  }

  /**
   * Ends the call: BYE to the gateway and a hang-up at the vendor. Resolves once the call is
   * `ended` (the vendor's answer is awaited, bounded by the request timeout). Does nothing
   * when no call is live.
   */
  hangup(): Promise<void> {
    if (!isLive(this.#snapshot.state)) return Promise.resolve();
    if (this.#loaded) return this.#loaded.hangup();
    // The engine is still loading: nothing has been asked of anyone yet.
    this.#generation++;
    this.#replace({ ...this.#snapshot, state: CallState.Ended, endedAt: this.#timers.now() });
    return Promise.resolve();
  }

  /** Mutes or unmutes the microphone; kept for the next call too. */
  setMuted(muted: boolean): void {
    if (typeof muted !== 'boolean') throw new InvalidArgumentError('setMuted(): pass true or false.');
    if (this.#snapshot.muted === muted) return;
    this.#loaded?.setMuted(muted);
    this.#replace({ ...this.#snapshot, muted });
  }

  /** Sends DTMF digits (0-9, A-D, *, #, comma for a pause) on a connected WebRTC call. */
  sendDtmf(digits: string): void {
    if (typeof digits !== 'string' || !DTMF.test(digits)) {
      throw new InvalidArgumentError('sendDtmf(): digits are 0-9, A-D, * and #.');
    }
    if (!this.#loaded || this.#snapshot.state !== CallState.Connected) {
      throw new InvalidStateError('sendDtmf(): no connected call.');
    }
    this.#loaded.sendDtmf(digits);
  }

  /**
   * Releases everything, for an element leaving the page: a live call is dropped at the
   * vendor with a request that outlives the page.
   */
  dispose(): void {
    this.#generation++;
    if (!isLive(this.#snapshot.state)) return;
    this.#loaded?.dispose();
    this.#replace({ ...this.#snapshot, state: CallState.Ended, endedAt: this.#timers.now() });
  }

  #loadEngine(): Promise<CallEngine> {
    const session = this;
    this.#engine ??= loadEngineModule().then((module) => {
      this.#loaded = new module.CallEngine({
        get snapshot() {
          return session.#snapshot;
        },
        replace: (next) => this.#replace(next),
        prefetchMedia: () => this.#loadMedia(),
        qualityWarning: (warning, active) => {
          for (const listener of [...this.#warningListeners]) listener(warning, active);
        },
        options: this.#options,
        timers: this.#timers,
      });
      return this.#loaded;
    });
    // A failed load may succeed later (network back): do not keep the rejection.
    this.#engine.catch(() => (this.#engine = null));
    return this.#engine;
  }

  #loadMedia(): Promise<MediaModule> {
    this.#media ??= (this.#options.loadMedia ?? loadMediaModule)();
    this.#media.catch(() => (this.#media = null));
    return this.#media;
  }

  #replace(next: CallSnapshot): void {
    const previous = this.#snapshot;
    this.#snapshot = Object.freeze(next);
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#snapshot, previous);
      } catch (error) {
        // A page's listener must not break the call; report it where the page can see it.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    if (previous.state !== next.state && (next.state === CallState.Connected || isFinal(next.state))) {
      const waiting = this.#settle;
      this.#settle = [];
      for (const resolve of waiting) resolve();
    }
  }

  #settled(): Promise<void> {
    return new Promise((resolve) => this.#settle.push(resolve));
  }
}
