import type { CallMode } from '../protocol/index.ts';
import type { MediaModule, Trace } from '../media/types.ts';
import type { RequestTimeouts } from './client.ts';
import type { CallEngine } from './engine.ts';
import { InvalidArgumentError, InvalidStateError } from './errors.ts';
import type { PollerOptions } from './poller.ts';
import { INITIAL_SNAPSHOT, type CallSnapshot } from './snapshot.ts';
import { CallState, isFinal, isLive } from './states.ts';
import { realTimers, type Timers } from './timers.ts';
import { microphoneConstraints } from '../media/constraints.ts';

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
  /** The page's CAPTCHA token, sent with the session request. */
  captchaToken?: string | undefined;
}

export type { Trace } from '../media/types.ts';

export interface CallSessionOptions {
  fetch?: typeof fetch;
  /** See `CallSession.trace`. */
  trace?: Trace;
  /** Loads the media chunk (JsSIP); by default a dynamic import. */
  loadMedia?: () => Promise<MediaModule>;
  timers?: Timers;
  poller?: Partial<PollerOptions>;
  requestTimeouts?: RequestTimeouts;
  /** How long a connected WebRTC call may try to get its connection back (default 20 s). */
  reconnectTimeoutMs?: number;
}

/** Started inside the click, for browsers that allow microphone and sound only there. */
export interface PreparedMedia {
  microphone: Promise<MediaStream>;
  audio: HTMLAudioElement;
}

export type SnapshotListener = (snapshot: CallSnapshot, previous: CallSnapshot) => void;

const loadEngineModule = () => import('./engine.ts');
const loadMediaModule = (): Promise<MediaModule> => import('../media/sip.ts');

const DTMF = /^[0-9A-D#*,]{1,32}$/i;

function canCall(): boolean {
  return typeof RTCPeerConnection === 'function' && typeof navigator !== 'undefined' &&
    typeof navigator.mediaDevices?.getUserMedia === 'function' && typeof document !== 'undefined';
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

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
  /** Told each step of a call; may be set or cleared at any time, a call in progress included. */
  trace: Trace | undefined;

  constructor(options: CallSessionOptions = {}) {
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
    this.trace = options.trace;
  }

  get snapshot(): CallSnapshot {
    return this.#snapshot;
  }

  /** true where the browser can choose the output device (`setSpeaker()`). */
  static get speakerSelectable(): boolean {
    return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  }

  /** The live WebRTC call's microphone stream (for a level meter), or null. */
  get microphone(): MediaStream | null {
    return isLive(this.#snapshot.state) ? (this.#loaded?.microphone ?? null) : null;
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
    const { muted, microphoneId, speakerId } = this.#snapshot;
    this.#replace({ ...INITIAL_SNAPSHOT, state: CallState.Authorizing, startedAt: this.#timers.now(), muted, microphoneId, speakerId });
    const settled = this.#settled();
    const prepared = target.mode === 'callback' ? undefined : this.#prepareMedia();
    if (this.#loaded) {
      // Started at once, so that a hangup() right after this call() reaches this call.
      this.#loaded.start(target, prepared);
      return settled;
    }
    this.#loadEngine().then(
      (engine) => {
        if (generation === this.#generation && this.#snapshot.state === CallState.Authorizing) engine.start(target, prepared);
        else this.#discard(prepared);
      },
      () => {
        this.#discard(prepared);
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

  /**
   * Chooses the microphone (a `deviceId` from enumerateDevices(), null for the default) for
   * this call and the next ones. During a WebRTC call the new microphone replaces the old one
   * at once (mute is kept); if it cannot be opened, the call keeps the old one and this
   * rejects with a CallError (`microphone-denied`, `microphone-unavailable`).
   */
  async setMicrophone(deviceId: string | null): Promise<void> {
    if (deviceId !== null && typeof deviceId !== 'string') throw new InvalidArgumentError('setMicrophone(): pass a deviceId or null.');
    if (this.#loaded && isLive(this.#snapshot.state)) await this.#loaded.setMicrophone(deviceId);
    if (this.#snapshot.microphoneId !== deviceId) this.#replace({ ...this.#snapshot, microphoneId: deviceId });
  }

  /**
   * Chooses the speaker for the agent's voice (a `deviceId`, null for the default), now and
   * for later calls. Rejects with InvalidStateError where the browser cannot choose
   * (`CallSession.speakerSelectable` is false).
   */
  async setSpeaker(deviceId: string | null): Promise<void> {
    if (deviceId !== null && typeof deviceId !== 'string') throw new InvalidArgumentError('setSpeaker(): pass a deviceId or null.');
    if (!CallSession.speakerSelectable) throw new InvalidStateError('setSpeaker(): this browser cannot choose the speaker.');
    if (this.#loaded && isLive(this.#snapshot.state)) await this.#loaded.setSpeaker(deviceId);
    if (this.#snapshot.speakerId !== deviceId) this.#replace({ ...this.#snapshot, speakerId: deviceId });
  }

  /** Plays the agent's audio after the browser blocked it (`snapshot.audioBlocked`); call it from a tap. */
  async resumeAudio(): Promise<void> {
    await this.#loaded?.resumeAudio();
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

  /**
   * Inside the click: asks for the microphone and starts the element that will play the
   * agent, because Safari lets a page do both only from a user gesture. It also puts the
   * permission prompt on screen while the token is fetched.
   */
  #prepareMedia(): PreparedMedia | undefined {
    if (!canCall()) return undefined;
    const microphone = navigator.mediaDevices.getUserMedia(microphoneConstraints(this.#snapshot.microphoneId));
    microphone.catch(() => undefined);
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.setAttribute('playsinline', '');
    audio.srcObject = new MediaStream();
    audio.play().catch(() => undefined);
    return { microphone, audio };
  }

  /** A call that will not start after all: give the microphone back. */
  #discard(prepared: PreparedMedia | undefined): void {
    prepared?.microphone.then(stopTracks, () => undefined);
    if (prepared) prepared.audio.srcObject = null;
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
        trace: (step, data) => this.trace?.(step, data),
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
